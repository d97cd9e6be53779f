package dev.pqdtls.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.conformance.support.BackendConformance;
import dev.pqdtls.conformance.support.Bytes;
import dev.pqdtls.conformance.support.Wycheproof;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Signatures of a {@link CryptoBackend}: Wycheproof ECDSA P-256/SHA-256, Ed25519, RSA-PSS (rsae,
 * SHA-256/384) and RSA PKCS#1 v1.5 verification (never an exception for hostile input), sign/verify
 * round trips cross-checked with the JDK's {@link Signature}, and refusal of RSA PKCS#1 v1.5 signing
 * and of keys that do not fit a scheme.
 */
public abstract class SignatureConformanceTest extends BackendConformance {
    /** The schemes TLS 1.3 may sign CertificateVerify with (RFC 8446 §4.2.3). */
    private static final SignatureScheme[] SIGNING = {
        SignatureScheme.ECDSA_SECP256R1_SHA256, SignatureScheme.ED25519,
        SignatureScheme.RSA_PSS_RSAE_SHA256, SignatureScheme.RSA_PSS_RSAE_SHA384,
    };

    private final Map<SignatureScheme, KeyPair> keys = new EnumMap<>(SignatureScheme.class);

    @Override
    protected abstract CryptoBackend backend();

    // --- Wycheproof ------------------------------------------------------------------------------

    /** DER-encoded signatures, as TLS carries them (RFC 8446 §4.2.3); the P1363 files do not apply. */
    @TestFactory
    Stream<DynamicNode> wycheproofEcdsaP256Sha256() {
        return Stream.of(vectorFile("ecdsa_secp256r1_sha256_test.json", "ecdsa_verify_schema_v1.json",
                Wycheproof.Group::type, verifier(SignatureScheme.ECDSA_SECP256R1_SHA256, "EC")));
    }

    @TestFactory
    Stream<DynamicNode> wycheproofEd25519() {
        return Stream.of(vectorFile("ed25519_test.json", "eddsa_verify_schema_v1.json", Wycheproof.Group::type,
                verifier(SignatureScheme.ED25519, "Ed25519")));
    }

    /**
     * rsa_pss_rsae_sha256/384 (RFC 8446 §4.2.3: rsaEncryption key, MGF1 with the signature's hash,
     * salt as long as the hash). Files whose every group has other parameters are not read: SHA-1,
     * SHA-512/224, SHA-512/256, SHAKE, salt 0, MGF1-SHA-1, and the {@code _params} files (keys with
     * RSASSA-PSS parameters, which the rsae schemes do not use). The SHA-512 and misc files are read
     * and their groups that fit no scheme are logged as out of scope: the SPI has no
     * rsa_pss_rsae_sha512.
     */
    @TestFactory
    Stream<DynamicNode> wycheproofRsaPss() {
        return Stream.of("rsa_pss_2048_sha256_mgf1_32_test.json", "rsa_pss_3072_sha256_mgf1_32_test.json",
                "rsa_pss_4096_sha256_mgf1_32_test.json", "rsa_pss_2048_sha384_mgf1_48_test.json",
                "rsa_pss_4096_sha384_mgf1_48_test.json", "rsa_pss_4096_sha512_mgf1_64_test.json",
                "rsa_pss_misc_test.json")
                .map(file -> vectorFile(file, "rsassa_pss_verify_schema_v1.json", g -> {
                    String shape = g.intValue("keySize") + "-bit " + g.text("sha") + " " + g.text("mgf") + "-"
                            + g.text("mgfSha") + " sLen=" + g.intValue("sLen");
                    Optional<SignatureScheme> scheme = pssScheme(g);
                    return scheme.isPresent()
                            ? GroupPlan.run(shape + " -> " + scheme.get(), verifier(scheme.get(), "RSA"))
                            : GroupPlan.outOfScope("not an rsa_pss_rsae scheme of the SPI (RSA_PSS_RSAE_SHA256/384:"
                                    + " MGF1 with the same hash, salt length = hash length)", shape);
                }));
    }

    private static Optional<SignatureScheme> pssScheme(Wycheproof.Group g) {
        for (SignatureScheme scheme : new SignatureScheme[] {SignatureScheme.RSA_PSS_RSAE_SHA256,
            SignatureScheme.RSA_PSS_RSAE_SHA384}) {
            HashAlgorithm hash = scheme.hash().orElseThrow();
            if (g.text("sha").equals(hash.jcaName()) && g.text("mgf").equals("MGF1")
                    && g.text("mgfSha").equals(hash.jcaName()) && g.intValue("sLen") == hash.length()) {
                return Optional.of(scheme);
            }
        }
        return Optional.empty();
    }

    /**
     * RSASSA-PKCS1-v1_5 verification, which TLS 1.3 still uses for certificate signatures (RFC 8446
     * §4.2.3). The {@code rsa_pkcs1_*_sig_gen} files test signing, which the SPI refuses for PKCS#1.
     */
    @TestFactory
    Stream<DynamicNode> wycheproofRsaPkcs1() {
        List<DynamicNode> files = new ArrayList<>();
        for (SignatureScheme scheme : new SignatureScheme[] {SignatureScheme.RSA_PKCS1_SHA256,
            SignatureScheme.RSA_PKCS1_SHA384}) {
            String sha = scheme.hash().orElseThrow().jcaName().replace("-", "").toLowerCase(Locale.ROOT);
            for (int bits : new int[] {2048, 3072, 4096, 8192}) {
                files.add(vectorFile("rsa_signature_" + bits + "_" + sha + "_test.json", "rsassa_pkcs1_verify_schema_v1.json",
                        g -> g.intValue("keySize") + "-bit " + g.text("sha") + " -> " + scheme, verifier(scheme, "RSA")));
            }
        }
        return files.stream();
    }

    /**
     * Verifies each vector with the group's public key: valid must verify, invalid must not, and
     * acceptable may go either way; hostile input never throws.
     */
    private VectorCheck verifier(SignatureScheme scheme, String keyAlgorithm) {
        return (g, v) -> {
            PublicKey key = KeyFactory.getInstance(keyAlgorithm).generatePublic(new X509EncodedKeySpec(g.bytes("publicKeyDer")));
            boolean ok;
            try {
                ok = cryptoBackend().verify(scheme, key, v.bytes("msg"), v.bytes("sig"));
            } catch (RuntimeException e) {
                throw new AssertionError(v + ": verify must return a boolean, not throw " + e, e);
            }
            if (v.isValid()) {
                assertTrue(ok, v + ": valid signature must verify");
            } else if (v.isInvalid()) {
                assertFalse(ok, v + ": invalid signature must not verify");
            }
        };
    }

    // --- round trips against the JDK ---------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> signAndVerifyCrossCheckedWithJdk() {
        List<DynamicNode> tests = new ArrayList<>();
        for (SignatureScheme scheme : SIGNING) {
            tests.add(bounded(scheme.name(), () -> {
                KeyPair kp = keyPair(scheme);
                CryptoBackend b = cryptoBackend();
                for (int len : new int[] {0, 1, 130, 4096}) {
                    byte[] msg = Bytes.pattern(len, len + 3);
                    byte[] sig = b.sign(scheme, kp.getPrivate(), msg);
                    Signature jdk = jdkSignature(scheme);
                    jdk.initVerify(kp.getPublic());
                    jdk.update(msg);
                    assertTrue(jdk.verify(sig), scheme + ": the JDK must accept the backend's signature over " + len + " bytes");
                    assertTrue(b.verify(scheme, kp.getPublic(), msg, sig), scheme + ": backend verifies its own signature");

                    jdk.initSign(kp.getPrivate());
                    jdk.update(msg);
                    byte[] jdkSig = jdk.sign();
                    assertTrue(b.verify(scheme, kp.getPublic(), msg, jdkSig), scheme + ": backend must accept the JDK's signature");
                    if (scheme == SignatureScheme.ED25519) {
                        assertArrayEquals(jdkSig, sig, "Ed25519 is deterministic: backend and JDK signatures must be equal");
                    }

                    byte[] other = Bytes.concat(msg, new byte[] {1});
                    assertFalse(b.verify(scheme, kp.getPublic(), other, sig), scheme + ": signature over another message");
                    byte[] flipped = sig.clone();
                    flipped[flipped.length / 2] ^= 0x10;
                    assertFalse(b.verify(scheme, kp.getPublic(), msg, flipped), scheme + ": corrupted signature");
                }
                KeyPair otherKey = freshKeyPair(scheme);
                byte[] msg = Bytes.pattern(50, 1);
                assertFalse(b.verify(scheme, otherKey.getPublic(), msg, b.sign(scheme, kp.getPrivate(), msg)),
                        scheme + ": signature checked with another key");
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicNode> malformedSignaturesAreFalseNotExceptions() {
        List<DynamicNode> tests = new ArrayList<>();
        for (SignatureScheme scheme : SignatureScheme.values()) {
            tests.add(bounded(scheme.name(), () -> {
                KeyPair kp = keyPair(scheme);
                byte[] msg = Bytes.pattern(32, 7);
                byte[][] hostile = {
                    new byte[0], new byte[1], new byte[64], Bytes.pattern(63, 1),
                    Bytes.pattern(65, 2), Bytes.pattern(255, 3), Bytes.pattern(256, 4),
                    Bytes.pattern(257, 5), Bytes.pattern(5000, 6),
                    {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00}, // ECDSA r = s = 0
                    {0x30, (byte) 0x81},                               // truncated DER
                };
                for (byte[] sig : hostile) {
                    boolean ok;
                    try {
                        ok = cryptoBackend().verify(scheme, kp.getPublic(), msg, sig);
                    } catch (RuntimeException e) {
                        throw new AssertionError(scheme + ": verify of a hostile " + sig.length
                                + "-byte signature must return false, not throw " + e, e);
                    }
                    assertFalse(ok, scheme + ": hostile " + sig.length + "-byte signature verified");
                }
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicNode> rsaPkcs1VerifiesButDoesNotSign() {
        List<DynamicNode> tests = new ArrayList<>();
        for (SignatureScheme scheme : new SignatureScheme[] {SignatureScheme.RSA_PKCS1_SHA256, SignatureScheme.RSA_PKCS1_SHA384}) {
            tests.add(bounded(scheme.name(), () -> {
                KeyPair kp = keyPair(scheme);
                byte[] msg = Bytes.pattern(100, 8);
                assertThrows(IllegalArgumentException.class, () -> cryptoBackend().sign(scheme, kp.getPrivate(), msg),
                        scheme + ": TLS 1.3 forbids PKCS#1 v1.5 in CertificateVerify, sign must throw IllegalArgumentException");
                Signature jdk = jdkSignature(scheme);
                jdk.initSign(kp.getPrivate());
                jdk.update(msg);
                byte[] sig = jdk.sign();
                assertTrue(cryptoBackend().verify(scheme, kp.getPublic(), msg, sig),
                        scheme + ": certificate-chain signatures made by the JDK must verify");
                msg[0] ^= 1;
                assertFalse(cryptoBackend().verify(scheme, kp.getPublic(), msg, sig), scheme + ": other message");
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicNode> keysThatDoNotFitAreRejected() {
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(bounded("wrong key types", () -> {
            byte[] msg = Bytes.pattern(20, 1);
            KeyPair ec = keyPair(SignatureScheme.ECDSA_SECP256R1_SHA256);
            KeyPair ed = keyPair(SignatureScheme.ED25519);
            KeyPair rsa = keyPair(SignatureScheme.RSA_PSS_RSAE_SHA256);
            KeyPair p384 = p384();
            Object[][] mismatches = {
                {SignatureScheme.ECDSA_SECP256R1_SHA256, rsa}, {SignatureScheme.ECDSA_SECP256R1_SHA256, ed},
                {SignatureScheme.ECDSA_SECP256R1_SHA256, p384},
                {SignatureScheme.ED25519, ec}, {SignatureScheme.ED25519, rsa},
                {SignatureScheme.RSA_PSS_RSAE_SHA256, ec}, {SignatureScheme.RSA_PSS_RSAE_SHA384, ed},
            };
            for (Object[] m : mismatches) {
                SignatureScheme scheme = (SignatureScheme) m[0];
                KeyPair kp = (KeyPair) m[1];
                String what = scheme + " with a " + kp.getPublic().getAlgorithm() + " key"
                        + (kp == p384 ? " on P-384" : "");
                assertThrows(IllegalArgumentException.class, () -> cryptoBackend().sign(scheme, kp.getPrivate(), msg),
                        what + ": sign must throw IllegalArgumentException");
                assertThrows(IllegalArgumentException.class,
                        () -> cryptoBackend().verify(scheme, kp.getPublic(), msg, new byte[64]),
                        what + ": verify must throw IllegalArgumentException");
            }
        }));
        return tests.stream();
    }

    // --- keys -----------------------------------------------------------------------------------

    /** One key pair per scheme and class; the rsaEncryption schemes (PSS-RSAE and PKCS#1) share one RSA key. */
    private KeyPair keyPair(SignatureScheme scheme) throws GeneralSecurityException {
        SignatureScheme slot = scheme.name().startsWith("RSA_") ? SignatureScheme.RSA_PSS_RSAE_SHA256 : scheme;
        KeyPair kp = keys.get(slot);
        if (kp == null) {
            kp = freshKeyPair(slot);
            keys.put(slot, kp);
        }
        return kp;
    }

    private KeyPair p384() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        return g.generateKeyPair();
    }

    private KeyPair freshKeyPair(SignatureScheme scheme) throws GeneralSecurityException {
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256: {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair();
            }
            case ED25519:
                return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            default: {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                return g.generateKeyPair();
            }
        }
    }

    /** The JDK's reference for a scheme; RSA-PSS salt length equals the digest length (RFC 8446 §4.2.3). */
    private static Signature jdkSignature(SignatureScheme scheme) throws GeneralSecurityException {
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256:
                return Signature.getInstance("SHA256withECDSA");
            case ED25519:
                return Signature.getInstance("Ed25519");
            case RSA_PSS_RSAE_SHA256: {
                Signature s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                return s;
            }
            case RSA_PSS_RSAE_SHA384: {
                Signature s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1));
                return s;
            }
            case RSA_PKCS1_SHA256:
                return Signature.getInstance("SHA256withRSA");
            case RSA_PKCS1_SHA384:
                return Signature.getInstance("SHA384withRSA");
            default:
                throw new IllegalArgumentException(scheme.name());
        }
    }
}
