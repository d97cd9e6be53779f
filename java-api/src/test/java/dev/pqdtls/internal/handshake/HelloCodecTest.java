package dev.pqdtls.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HelloCodecTest {

    private static ClientHello sampleClientHello() {
        byte[] random = new byte[32];
        new Random(1).nextBytes(random);
        Extensions ext = new Extensions.Builder()
                .add(ExtensionType.SUPPORTED_VERSIONS, new WireWriter().begin8().uint16(0xFEFC).end())
                .add(ExtensionType.SUPPORTED_GROUPS, new WireWriter().begin16().uint16(0x11EC).uint16(0x001D).end())
                .add(0xFAFA, new byte[] {1, 2, 3})
                .build();
        return new ClientHello(ClientHello.DTLS12, random, new byte[0], new byte[0], List.of(0x1301, 0x1303, 0x0A0A), ext);
    }

    @Test
    void clientHelloRoundTripsAndKeepsUnknownExtensionsAndSuites() throws DecodeException {
        ClientHello ch = sampleClientHello();
        ClientHello back = ClientHello.parse(ch.encode());
        assertEquals(ClientHello.DTLS12, back.legacyVersion());
        assertArrayEquals(ch.random(), back.random());
        assertEquals(List.of(0x1301, 0x1303, 0x0A0A), back.cipherSuites());
        assertArrayEquals(new byte[] {1, 2, 3}, back.extensions().get(0xFAFA).orElseThrow());
        assertArrayEquals(ch.encode(), back.encode());
    }

    @Test
    void serverHelloAndHelloRetryRequestAreTold() throws DecodeException {
        Extensions ext = new Extensions.Builder()
                .add(ExtensionType.SUPPORTED_VERSIONS, new WireWriter().uint16(0xFEFC)).build();
        ServerHello hrr = new ServerHello(ClientHello.DTLS12, ServerHello.HELLO_RETRY_REQUEST_RANDOM, new byte[0], 0x1301, ext);
        assertTrue(ServerHello.parse(hrr.encode()).isHelloRetryRequest());
        ServerHello sh = new ServerHello(ClientHello.DTLS12, new byte[32], new byte[0], 0x1302, ext);
        ServerHello back = ServerHello.parse(sh.encode());
        assertFalse(back.isHelloRetryRequest());
        assertEquals(0x1302, back.cipherSuite());
    }

    @Test
    void duplicateExtensionsAndTrailingBytesAreDecodeErrors() {
        ClientHello dup = new ClientHello(ClientHello.DTLS12, new byte[32], new byte[0], new byte[0], List.of(0x1301),
                new Extensions.Builder().add(10, new byte[0]).add(10, new byte[0]).build());
        assertThrows(DecodeException.class, () -> ClientHello.parse(dup.encode()));
        byte[] trailing = Arrays.copyOf(sampleClientHello().encode(), sampleClientHello().encode().length + 1);
        assertThrows(DecodeException.class, () -> ClientHello.parse(trailing));
    }

    /** Mutated and truncated encodings may parse or fail, but only ever with DecodeException. */
    @Test
    void hostileMutationsFailOnlyWithDecodeException() {
        byte[] good = sampleClientHello().encode();
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = Arrays.copyOf(good, rnd.nextInt(good.length + 8));
            for (int k = rnd.nextInt(4); k >= 0; k--) {
                if (bad.length > 0) {
                    bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
                }
            }
            try {
                ClientHello.parse(bad);
                ServerHello.parse(bad);
            } catch (DecodeException expected) {
                // the only acceptable failure
            }
        }
    }
}
