package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.SignatureScheme;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Signatures through libcrypto, cross-checked against the JDK's own Signature in both directions. */
class PublicKeySignatureTest {
    private static final PublicKeyOperations OPS = new PublicKeyOperations();
    private static final byte[] MESSAGE = ("TLS 1.3, server CertificateVerify\0" + "x".repeat(200))
            .getBytes(StandardCharsets.US_ASCII);
    private static final Map<SignatureScheme, KeyPair> KEYS = new EnumMap<>(SignatureScheme.class);
    private static KeyPair p384;

    @BeforeAll
    static void keys() throws Exception {
        assertFalse(OPS.unavailableReason().isPresent(), () -> "libcrypto: " + OPS.unavailableReason().get());
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KEYS.put(SignatureScheme.ECDSA_SECP256R1_SHA256, ec.generateKeyPair());
        KEYS.put(SignatureScheme.ED25519, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaKeys = rsa.generateKeyPair();
        for (SignatureScheme s : new SignatureScheme[] {SignatureScheme.RSA_PSS_RSAE_SHA256,
            SignatureScheme.RSA_PSS_RSAE_SHA384, SignatureScheme.RSA_PKCS1_SHA256, SignatureScheme.RSA_PKCS1_SHA384}) {
            KEYS.put(s, rsaKeys);
        }
        ec.initialize(new ECGenParameterSpec("secp384r1"));
        p384 = ec.generateKeyPair();
    }

    @AfterEach
    void errorQueueIsEmpty() throws Throwable {
        assertEquals(0L, (long) PublicKeyLibcrypto.ERR_get_error.invokeExact(), "libcrypto error queue not empty");
    }

    /** The JDK's Signature configured exactly as RFC 8446 §4.2.3 defines each scheme. */
    static Signature jdk(SignatureScheme scheme) throws Exception {
        return switch (scheme) {
            case ECDSA_SECP256R1_SHA256 -> Signature.getInstance("SHA256withECDSA");
            case ED25519 -> Signature.getInstance("Ed25519");
            case RSA_PKCS1_SHA256 -> Signature.getInstance("SHA256withRSA");
            case RSA_PKCS1_SHA384 -> Signature.getInstance("SHA384withRSA");
            case RSA_PSS_RSAE_SHA256, RSA_PSS_RSAE_SHA384 -> {
                boolean sha256 = scheme == SignatureScheme.RSA_PSS_RSAE_SHA256;
                Signature s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec(sha256 ? "SHA-256" : "SHA-384", "MGF1",
                        sha256 ? MGF1ParameterSpec.SHA256 : MGF1ParameterSpec.SHA384, sha256 ? 32 : 48, 1));
                yield s;
            }
        };
    }

    static byte[] jdkSign(SignatureScheme scheme, PrivateKey key, byte[] message) throws Exception {
        Signature s = jdk(scheme);
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    static boolean jdkVerify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] sig) throws Exception {
        Signature s = jdk(scheme);
        s.initVerify(key);
        s.update(message);
        return s.verify(sig);
    }

    @ParameterizedTest
    @EnumSource(value = SignatureScheme.class, names = {"ECDSA_SECP256R1_SHA256", "ED25519", "RSA_PSS_RSAE_SHA256",
        "RSA_PSS_RSAE_SHA384"})
    void weSignTheJdkVerifies(SignatureScheme scheme) throws Exception {
        KeyPair kp = KEYS.get(scheme);
        for (byte[] message : new byte[][] {MESSAGE, new byte[0]}) {
            byte[] sig = OPS.sign(scheme, kp.getPrivate(), message);
            assertTrue(jdkVerify(scheme, kp.getPublic(), message, sig), scheme + " signature refused by the JDK");
            assertTrue(OPS.verify(scheme, kp.getPublic(), message, sig));
        }
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void theJdkSignsWeVerify(SignatureScheme scheme) throws Exception {
        KeyPair kp = KEYS.get(scheme);
        byte[] sig = jdkSign(scheme, kp.getPrivate(), MESSAGE);
        assertTrue(OPS.verify(scheme, kp.getPublic(), MESSAGE, sig));
        byte[] other = MESSAGE.clone();
        other[0] ^= 1;
        assertFalse(OPS.verify(scheme, kp.getPublic(), other, sig));
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void malformedSignaturesAreFalseNeverExceptions(SignatureScheme scheme) throws Exception {
        KeyPair kp = KEYS.get(scheme);
        byte[] sig = jdkSign(scheme, kp.getPrivate(), MESSAGE);
        SecureRandom random = new SecureRandom();
        byte[] garbage = new byte[sig.length];
        random.nextBytes(garbage);
        byte[] huge = new byte[100_000];
        random.nextBytes(huge);
        byte[] extended = Arrays.copyOf(sig, sig.length + 1);
        byte[][] bad = {new byte[0], new byte[1], Arrays.copyOf(sig, sig.length - 1), extended, garbage, huge,
            new byte[sig.length]};
        for (byte[] b : bad) {
            assertFalse(OPS.verify(scheme, kp.getPublic(), MESSAGE, b));
        }
        for (int i = 0; i < sig.length; i += Math.max(1, sig.length / 16)) {
            byte[] flipped = sig.clone();
            flipped[i] ^= 0x40;
            assertFalse(OPS.verify(scheme, kp.getPublic(), MESSAGE, flipped), "bit flip at " + i);
        }
        assertTrue(OPS.verify(scheme, kp.getPublic(), MESSAGE, sig));
    }

    @Test
    void rsaPss384RequiresTheSha384SaltLength() throws Exception {
        // RFC 8446 §4.2.3: salt length must equal the digest length; a 32-byte salt is not rsa_pss_rsae_sha384.
        KeyPair kp = KEYS.get(SignatureScheme.RSA_PSS_RSAE_SHA384);
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 32, 1));
        s.initSign(kp.getPrivate());
        s.update(MESSAGE);
        assertFalse(OPS.verify(SignatureScheme.RSA_PSS_RSAE_SHA384, kp.getPublic(), MESSAGE, s.sign()));
    }

    @Test
    void pkcs1IsVerifyOnly() {
        KeyPair kp = KEYS.get(SignatureScheme.RSA_PKCS1_SHA256);
        for (SignatureScheme s : new SignatureScheme[] {SignatureScheme.RSA_PKCS1_SHA256,
            SignatureScheme.RSA_PKCS1_SHA384}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OPS.sign(s, kp.getPrivate(), MESSAGE));
            assertTrue(e.getMessage().contains("CertificateVerify"), e.getMessage());
        }
    }

    @Test
    void keysThatDoNotFitTheSchemeAreRefused() {
        KeyPair ec = KEYS.get(SignatureScheme.ECDSA_SECP256R1_SHA256);
        KeyPair ed = KEYS.get(SignatureScheme.ED25519);
        KeyPair rsa = KEYS.get(SignatureScheme.RSA_PSS_RSAE_SHA256);
        byte[] sig = new byte[64];
        assertThrows(IllegalArgumentException.class,
                () -> OPS.sign(SignatureScheme.ECDSA_SECP256R1_SHA256, p384.getPrivate(), MESSAGE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OPS.verify(SignatureScheme.ECDSA_SECP256R1_SHA256, p384.getPublic(), MESSAGE, sig));
        assertTrue(e.getMessage().contains("secp384r1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OPS.sign(SignatureScheme.ED25519, ec.getPrivate(), MESSAGE));
        assertThrows(IllegalArgumentException.class,
                () -> OPS.verify(SignatureScheme.ED25519, rsa.getPublic(), MESSAGE, sig));
        assertThrows(IllegalArgumentException.class,
                () -> OPS.sign(SignatureScheme.RSA_PSS_RSAE_SHA256, ed.getPrivate(), MESSAGE));
        assertThrows(IllegalArgumentException.class,
                () -> OPS.verify(SignatureScheme.RSA_PKCS1_SHA256, ec.getPublic(), MESSAGE, sig));
    }

    @Test
    void rsaKeysTooSmallForPssAreRefused() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(768); // emLen 96 < 2 * 48 + 2
        KeyPair small = rsa.generateKeyPair();
        assertThrows(IllegalArgumentException.class,
                () -> OPS.sign(SignatureScheme.RSA_PSS_RSAE_SHA384, small.getPrivate(), MESSAGE));
        byte[] sig = OPS.sign(SignatureScheme.RSA_PSS_RSAE_SHA256, small.getPrivate(), MESSAGE);
        assertTrue(jdkVerify(SignatureScheme.RSA_PSS_RSAE_SHA256, small.getPublic(), MESSAGE, sig));
    }

    @Test
    void ecdsaSignaturesAreRandomizedDer() {
        KeyPair kp = KEYS.get(SignatureScheme.ECDSA_SECP256R1_SHA256);
        byte[] a = OPS.sign(SignatureScheme.ECDSA_SECP256R1_SHA256, kp.getPrivate(), MESSAGE);
        byte[] b = OPS.sign(SignatureScheme.ECDSA_SECP256R1_SHA256, kp.getPrivate(), MESSAGE);
        assertEquals(0x30, a[0] & 0xFF, "DER SEQUENCE");
        assertFalse(Arrays.equals(a, b));
    }
}
