package dev.pqdtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pqdtls.internal.server.ClientHelloGate;
import dev.pqdtls.internal.server.CookieIssuer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server's front door, which sees every datagram from anywhere before any address is proven:
 * the cookie verifier and the ClientHello admission gate (RFC 9147 §5.1). Neither may throw; the
 * verifier accepts exactly the cookies it issued for that address; the gate answers no address with
 * more than three times the bytes it sent, and never makes a connection without a valid cookie.
 */
class ServerGateFuzzTest {
    private static final InetSocketAddress[] SOURCES = {
        Duel.CLIENT_ADDRESS, new InetSocketAddress("127.0.0.1", 40001), new InetSocketAddress("::1", 40000),
        new InetSocketAddress("10.9.8.7", 5353)};
    private static final List<byte[]> ISSUED = new ArrayList<>();
    /** The gate's own secret: the captured ClientHello2's cookie (from {@link Duel#COOKIES}) is foreign to it. */
    private static final CookieIssuer GATE_COOKIES = new CookieIssuer(Duel.CRYPTO, Duel.FIXED_CLOCK, Duel.COOKIES_LIFETIME);

    static {
        ISSUED.add(Duel.COOKIES.issue(Duel.CLIENT_ADDRESS, new CookieIssuer.CookieState(new byte[32], 0x1301, 0)));
        ISSUED.add(Duel.COOKIES.issue(Duel.CLIENT_ADDRESS, new CookieIssuer.CookieState(new byte[48], 0x1302, 0x11EC)));
    }

    static Stream<Arguments> cookieSeeds() {
        return Stream.of(Seeds.named("issued cookie, SHA-256 hash", ISSUED.get(0)),
                Seeds.named("issued cookie, SHA-384 hash and a group", ISSUED.get(1)));
    }

    /** The input is a cookie presented by {@code CLIENT_ADDRESS}, with the secret and the clock fixed. */
    @MethodSource("cookieSeeds")
    @FuzzTest(maxDuration = "10m")
    void cookie(byte[] input) throws Exception {
        byte[] cookie = Bounds.cap(input, 0xFFFF);
        Bounds.allocation(64 * 1024, 8, cookie.length, () -> {
            Optional<CookieIssuer.CookieState> state = Duel.COOKIES.verify(Duel.CLIENT_ADDRESS, cookie);
            if (state.isPresent()) {
                assertTrue(ISSUED.stream().anyMatch(c -> java.util.Arrays.equals(c, cookie)),
                        "only a cookie this server issued verifies");
            }
            assertTrue(Duel.COOKIES.verify(SOURCES[1], cookie).isEmpty(), "a cookie is bound to its address");
        });
    }

    static Stream<Arguments> gateSeeds() {
        List<byte[]> client = Seeds.clientDatagrams();
        return Stream.of(
                Seeds.named("real ClientHello1", datagrams(0, client.get(0))),
                Seeds.named("real ClientHello2 with a cookie for another secret", datagrams(0, client.get(1))),
                Seeds.named("ClientHello1 from two sources, then a Finished", datagrams(0, client.get(0), 1, client.get(0),
                        0, client.get(client.size() - 1))));
    }

    /**
     * The input is a sequence of datagrams, each a source byte (one of four addresses), a 16-bit
     * length and the bytes; one gate (cookies always required) sees them in order.
     */
    @MethodSource("gateSeeds")
    @FuzzTest(maxDuration = "10m")
    void gate(byte[] input) throws Exception {
        byte[] script = Bounds.cap(input, 4 * Bounds.MAX_DATAGRAM);
        // The gate's fragment table holds at most MAX_PARTIAL_HELLOS entries of 8 KiB each.
        Bounds.allocation(8 << 20, 64, script.length, () -> {
            ClientHelloGate gate = Duel.gate(Duel.SERVER_CONFIG, GATE_COOKIES);
            Script s = new Script(script);
            long now = 1_000_000;
            long[] received = new long[SOURCES.length];
            long[] sent = new long[SOURCES.length];
            while (s.hasNext()) {
                int source = s.u8() % SOURCES.length;
                ByteBuffer datagram = ByteBuffer.wrap(s.bytes(s.u16()));
                received[source] += datagram.remaining();
                now += s.u8() * 100L;
                gate.onDatagram(datagram, SOURCES[source], now,
                        (client, t) -> fail("a connection was made for " + client + " without a cookie it was given"),
                        reply -> {
                            sent[source] += reply.remaining();
                            // RFC 9147 §5.1: at most three times what that (unverified) address sent.
                            assertTrue(sent[source] <= 3 * received[source], () -> SOURCES[source] + " sent "
                                    + received[source] + " bytes and was answered with " + sent[source]);
                        });
            }
        });
    }

    /** A gate script: (source index, datagram) pairs. */
    private static byte[] datagrams(Object... sourceAndDatagram) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < sourceAndDatagram.length; i += 2) {
            byte[] d = (byte[]) sourceAndDatagram[i + 1];
            out.write((Integer) sourceAndDatagram[i]);
            out.write(d.length >>> 8);
            out.write(d.length);
            out.write(d, 0, d.length);
            out.write(1); // 100 ms later
        }
        return out.toByteArray();
    }
}
