package dev.pqdtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.conformance.support.Rfc8448Simple1Rtt;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Real inputs the fuzz targets start from (Jazzer records every {@code @MethodSource} argument as a
 * seed when fuzzing, and runs it as a regression case otherwise): the datagrams of a real handshake
 * between our client and server through the cookie gate, captured once per run, and the handshake
 * messages of RFC 8448 §3.
 */
public final class Seeds {
    private static List<byte[]> clientDatagrams;
    private static List<byte[]> serverDatagrams;

    private Seeds() {
    }

    /** A JUnit argument with a readable name (the seed's name in reports). */
    public static Arguments named(String name, byte[] input) {
        return Arguments.of(Named.of(name, input));
    }

    /** Datagrams the client sent in a complete real handshake, in order (ClientHello1, ClientHello2, Finished). */
    public static synchronized List<byte[]> clientDatagrams() {
        capture();
        return clientDatagrams;
    }

    /** Datagrams the server side sent: the cookie HelloRetryRequest, then its flight and the ACK. */
    public static synchronized List<byte[]> serverDatagrams() {
        capture();
        return serverDatagrams;
    }

    private static void capture() {
        if (clientDatagrams == null) {
            Duel d = Duel.clientUnderTest();
            assertTrue(d.establish(200), "the seed handshake completes");
            clientDatagrams = List.copyOf(d.clientSent);
            serverDatagrams = List.copyOf(d.serverSent);
        }
    }

    /** The body of the first handshake message in a plaintext datagram (record and fragment headers removed). */
    public static byte[] firstHandshakeBody(byte[] datagram) {
        HandshakeFragment f = HandshakeFragment.parse(ByteBuffer.wrap(datagram), 13, datagram.length);
        return Arrays.copyOfRange(datagram, f.bodyOffset(), f.bodyOffset() + f.fragmentLength());
    }

    /** An RFC 8448 handshake message without its 4-byte TLS handshake header. */
    public static byte[] rfc8448Body(Rfc8448Simple1Rtt.Step step) {
        String field = step.title().replaceAll(".*construct an? (\\w+) handshake message", "$1");
        byte[] message = step.field(field);
        return Arrays.copyOfRange(message, 4, message.length);
    }
}
