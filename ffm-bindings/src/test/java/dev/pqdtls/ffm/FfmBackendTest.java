package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.TranscriptHash;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FfmBackendTest {
    private static final HexFormat HEX = HexFormat.of();
    private final FfmBackend backend = new FfmBackend();

    @Test
    void isUsableAndFoundByServiceLoader() {
        assertEquals(Optional.empty(), backend.checkUsable());
        assertEquals("ffm", backend.name());
        assertEquals(100, backend.priority());
        assertTrue(ServiceLoader.load(CryptoBackend.class).stream().anyMatch(p -> p.type() == FfmBackend.class));
    }

    @Test
    void reportsImplementationsAndDetails() {
        Map<String, String> impl = backend.implementations();
        assertTrue(impl.get("AES-GCM").startsWith("libcrypto " + Libcrypto.version()), impl.toString());
        assertTrue(impl.containsKey("ChaCha20-Poly1305") && impl.containsKey("HKDF/HMAC/SHA-2"), impl.toString());
        Map<String, String> details = backend.details();
        assertTrue(details.get("libcrypto").startsWith(Libcrypto.version()), details.toString());
        assertTrue(details.get("libpqdtls_native").startsWith("ABI " + NativeLibrary.ABI_VERSION), details.toString());
        assertTrue(details.containsKey("liboqs"), details.toString());
    }

    /** RFC 5869 Appendix A.1 (SHA-256) and A.3 (empty salt and info). */
    @Test
    void hkdfMatchesRfc5869() {
        byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] prk = backend.hkdfExtract(HashAlgorithm.SHA256, HEX.parseHex("000102030405060708090a0b0c"), ikm);
        assertEquals("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", HEX.formatHex(prk));
        byte[] okm = backend.hkdfExpand(HashAlgorithm.SHA256, prk, HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                HEX.formatHex(okm));
        byte[] prk3 = backend.hkdfExtract(HashAlgorithm.SHA256, new byte[0], ikm);
        assertEquals("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", HEX.formatHex(prk3));
        assertEquals("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
                HEX.formatHex(backend.hkdfExpand(HashAlgorithm.SHA256, prk3, new byte[0], 42)));
        assertThrows(IllegalArgumentException.class,
                () -> backend.hkdfExpand(HashAlgorithm.SHA256, prk, new byte[0], 255 * 32 + 1));
        assertEquals(255 * 48, backend.hkdfExpand(HashAlgorithm.SHA384, new byte[48], new byte[3], 255 * 48).length);
    }

    @Test
    void hmacMatchesTheJdk() throws Exception {
        byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
        for (HashAlgorithm hash : HashAlgorithm.values()) {
            for (byte[] key : new byte[][] {"Jefe".getBytes(StandardCharsets.US_ASCII), new byte[200]}) {
                Mac mac = Mac.getInstance("Hmac" + hash.jcaName().replace("-", ""));
                mac.init(new SecretKeySpec(key, "HMAC"));
                assertArrayEquals(mac.doFinal(data), backend.hmac(hash, key, data));
            }
        }
    }

    @Test
    void transcriptHashKeepsRunningAndCopies() throws Exception {
        for (HashAlgorithm hash : HashAlgorithm.values()) {
            MessageDigest jdk = MessageDigest.getInstance(hash.jcaName());
            TranscriptHash t = backend.newTranscriptHash(hash);
            assertArrayEquals(jdk.digest(), t.current(), "empty");
            byte[] a = "ClientHello".getBytes(StandardCharsets.US_ASCII);
            byte[] b = "ServerHello".getBytes(StandardCharsets.US_ASCII);
            t.update(a, 0, a.length);
            TranscriptHash fork = t.copy();
            ByteBuffer direct = ByteBuffer.allocateDirect(b.length).put(b).flip();
            t.update(direct);
            assertEquals(direct.limit(), direct.position());
            jdk.update(a);
            MessageDigest jdkFork = (MessageDigest) jdk.clone();
            jdk.update(b);
            byte[] both = jdk.digest();
            assertArrayEquals(both, t.current());
            assertArrayEquals(both, t.current(), "current() does not end the hash");
            assertArrayEquals(jdkFork.digest(), fork.current(), "the copy is independent");
            assertArrayEquals(MessageDigest.getInstance(hash.jcaName()).digest(a), backend.digest(hash, a));
        }
    }

    @Test
    void randomBytesFillsTheArray() {
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        backend.randomBytes(a);
        backend.randomBytes(b);
        assertFalse(java.util.Arrays.equals(a, b));
        assertFalse(java.util.Arrays.equals(a, new byte[64]));
        backend.randomBytes(new byte[0]);
    }

    @Test
    void cpuFeaturesAreReported() {
        assertFalse(backend.cpuFeatures().isEmpty());
    }

    @Test
    void theProtocolEngineGetsTheNativeBatchedTransport() throws Exception {
        try (var t = new FfmBackend().openTransport(new InetSocketAddress("127.0.0.1", 0),
                dev.pqdtls.spi.DatagramTransport.Options.defaults())) {
            assertInstanceOf(dev.pqdtls.nativeabi.NativeUdpTransport.class, t);
            assertTrue(t.description().startsWith("native sendmmsg"), t.description());
            assertTrue(t.description().contains("GRO"), "offload is on by default: " + t.description());
            assertTrue(t.localAddress().getPort() > 0);
        }
        try (var t = new FfmBackend().openTransport(new InetSocketAddress("127.0.0.1", 0),
                new dev.pqdtls.spi.DatagramTransport.Options(1 << 20, 1 << 20, true, false))) {
            assertFalse(t.description().contains("GSO") || t.description().contains("GRO"),
                    "DtlsConfig.udpOffload(false) turns GSO/GRO off: " + t.description());
        }
        String plane = new FfmBackend().details().get("UDP data plane");
        assertTrue(plane.startsWith("native sendmmsg") && plane.contains("GSO") && plane.contains("GRO"),
                "the probe says whether GSO/GRO work here: " + plane);
    }
}
