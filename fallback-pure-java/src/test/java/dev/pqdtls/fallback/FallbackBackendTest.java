package dev.pqdtls.fallback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.TranscriptHash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FallbackBackendTest {
    private static final HexFormat HEX = HexFormat.of();
    private final FallbackBackend backend = new FallbackBackend();

    @Test
    void identifiesItselfAndIsUsable() {
        assertEquals("fallback", backend.name());
        assertEquals(10, backend.priority());
        assertEquals(java.util.Optional.empty(), backend.checkUsable());
    }

    @Test
    void isFoundByServiceLoader() {
        boolean found = false;
        for (CryptoBackend b : ServiceLoader.load(CryptoBackend.class)) {
            found |= b instanceof FallbackBackend;
        }
        assertTrue(found, "META-INF/services must list FallbackBackend");
    }

    @Test
    void reportsTheFasterImplementationPerPrimitiveForThisJdk() {
        Map<String, String> impl = backend.implementations();
        int feature = Runtime.version().feature();
        assertEquals("SunJCE " + feature, impl.get("AES-GCM"));
        assertEquals("SunJCE " + feature, impl.get("ChaCha20-Poly1305"));
        assertEquals("BC 1.83", impl.get("X25519"));
        assertEquals("BC 1.83", impl.get("secp256r1"));
        if (feature >= 24) {
            assertEquals("SunJCE " + feature, impl.get("ML-KEM-768"));
            assertTrue(FallbackBackend.usesJdkMlKem());
        } else {
            assertEquals("BC 1.83", impl.get("ML-KEM-768"));
            assertFalse(FallbackBackend.usesJdkMlKem());
        }
        assertTrue(backend.details().get("Bouncy Castle").startsWith("1.83"), backend.details().toString());
    }

    /** RFC 5869 Appendix A.1. */
    @Test
    void hkdfMatchesRfc5869TestCase1() {
        byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
        byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
        byte[] prk = backend.hkdfExtract(HashAlgorithm.SHA256, salt, ikm);
        assertEquals("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", HEX.formatHex(prk));
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                HEX.formatHex(backend.hkdfExpand(HashAlgorithm.SHA256, prk, info, 42)));
    }

    /** RFC 5869 Appendix A.3: empty salt and info. */
    @Test
    void hkdfWithEmptySaltUsesHashLengthZeros() {
        byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] prk = backend.hkdfExtract(HashAlgorithm.SHA256, new byte[0], ikm);
        assertEquals("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", HEX.formatHex(prk));
        assertEquals("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
                HEX.formatHex(backend.hkdfExpand(HashAlgorithm.SHA256, prk, new byte[0], 42)));
    }

    @Test
    void hkdfExpandRejectsOverlongOutput() {
        byte[] prk = new byte[48];
        assertEquals(255 * 48, backend.hkdfExpand(HashAlgorithm.SHA384, prk, new byte[0], 255 * 48).length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.hkdfExpand(HashAlgorithm.SHA384, prk, new byte[0], 255 * 48 + 1));
        assertTrue(e.getMessage().contains("12240"), e.getMessage());
    }

    @Test
    void hmacMatchesBouncyCastleIncludingEmptyKey() {
        byte[] data = "transcript".getBytes(StandardCharsets.US_ASCII);
        for (byte[] key : new byte[][] {new byte[0], new byte[13], new byte[200]}) {
            HMac mac = new HMac(new SHA384Digest());
            mac.init(new KeyParameter(key));
            mac.update(data, 0, data.length);
            byte[] expected = new byte[48];
            mac.doFinal(expected, 0);
            assertArrayEquals(expected, backend.hmac(HashAlgorithm.SHA384, key, data));
        }
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(new byte[0]));
        byte[] expected = new byte[32];
        mac.doFinal(expected, 0);
        assertArrayEquals(expected, backend.hmac(HashAlgorithm.SHA256, new byte[0], new byte[0]));
    }

    @Test
    void transcriptHashCurrentDoesNotEndItAndCopiesAreIndependent() throws Exception {
        TranscriptHash h = backend.newTranscriptHash(HashAlgorithm.SHA256);
        h.update("abc".getBytes(StandardCharsets.US_ASCII), 0, 3);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HEX.formatHex(h.current()));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HEX.formatHex(h.current()));

        TranscriptHash copy = h.copy();
        ByteBuffer direct = ByteBuffer.allocateDirect(3).put("def".getBytes(StandardCharsets.US_ASCII)).flip();
        h.update(direct);
        assertEquals(3, direct.position());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertArrayEquals(sha.digest("abcdef".getBytes(StandardCharsets.US_ASCII)), h.current());
        assertArrayEquals(sha.digest("abc".getBytes(StandardCharsets.US_ASCII)), copy.current());
        copy.update("x".getBytes(StandardCharsets.US_ASCII), 0, 1);
        assertArrayEquals(sha.digest("abcdef".getBytes(StandardCharsets.US_ASCII)), h.current());
        assertEquals(HashAlgorithm.SHA256, copy.algorithm());

        assertArrayEquals(MessageDigest.getInstance("SHA-384").digest(new byte[5]),
                backend.digest(HashAlgorithm.SHA384, new byte[5]));
    }

    @Test
    void randomBytesAreFilled() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        backend.randomBytes(a);
        backend.randomBytes(b);
        assertFalse(java.util.Arrays.equals(a, b));
    }
}
