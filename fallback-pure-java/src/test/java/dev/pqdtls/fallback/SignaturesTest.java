package dev.pqdtls.fallback;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.SignatureScheme;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignaturesTest {
    private static final byte[] MESSAGE = "TLS 1.3, server CertificateVerify".getBytes(StandardCharsets.US_ASCII);
    private final FallbackBackend backend = new FallbackBackend();
    private KeyPair ec;
    private KeyPair ecP384;
    private KeyPair ed;
    private KeyPair rsa;

    @BeforeAll
    void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ec = g.generateKeyPair();
        g.initialize(new ECGenParameterSpec("secp384r1"));
        ecP384 = g.generateKeyPair();
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
        r.initialize(2048);
        rsa = r.generateKeyPair();
    }

    private KeyPair keysFor(SignatureScheme scheme) {
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256:
                return ec;
            case ED25519:
                return ed;
            default:
                return rsa;
        }
    }

    @Test
    void signsAndVerifiesEveryCertificateVerifyScheme() {
        for (SignatureScheme scheme : new SignatureScheme[] {SignatureScheme.ECDSA_SECP256R1_SHA256,
                SignatureScheme.ED25519, SignatureScheme.RSA_PSS_RSAE_SHA256, SignatureScheme.RSA_PSS_RSAE_SHA384}) {
            KeyPair keys = keysFor(scheme);
            byte[] signature = backend.sign(scheme, keys.getPrivate(), MESSAGE);
            assertTrue(backend.verify(scheme, keys.getPublic(), MESSAGE, signature), scheme.toString());
            byte[] other = MESSAGE.clone();
            other[0] ^= 1;
            assertFalse(backend.verify(scheme, keys.getPublic(), other, signature), scheme + " other message");
        }
    }

    /** RFC 8446 §4.2.3: salt length = digest length, MGF1 with the same digest. */
    @Test
    void pssParametersAreThoseOfTls13() throws Exception {
        byte[] signature = backend.sign(SignatureScheme.RSA_PSS_RSAE_SHA384, rsa.getPrivate(), MESSAGE);
        Signature jdk = Signature.getInstance("RSASSA-PSS");
        jdk.setParameter(new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1));
        jdk.initVerify(rsa.getPublic());
        jdk.update(MESSAGE);
        assertTrue(jdk.verify(signature));
        jdk.setParameter(new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 32, 1));
        jdk.initVerify(rsa.getPublic());
        jdk.update(MESSAGE);
        assertFalse(jdk.verify(signature));
    }

    @Test
    void pkcs1VerifiesButNeverSigns() throws Exception {
        for (SignatureScheme scheme : new SignatureScheme[] {SignatureScheme.RSA_PKCS1_SHA256,
                SignatureScheme.RSA_PKCS1_SHA384}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.sign(scheme, rsa.getPrivate(), MESSAGE));
            assertTrue(e.getMessage().contains("TLS 1.3"), e.getMessage());
            Signature jdk = Signature.getInstance(scheme == SignatureScheme.RSA_PKCS1_SHA256
                    ? "SHA256withRSA" : "SHA384withRSA");
            jdk.initSign(rsa.getPrivate());
            jdk.update(MESSAGE);
            assertTrue(backend.verify(scheme, rsa.getPublic(), MESSAGE, jdk.sign()));
        }
    }

    @Test
    void keysNotFittingTheSchemeAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> backend.sign(SignatureScheme.ECDSA_SECP256R1_SHA256, ecP384.getPrivate(), MESSAGE));
        assertThrows(IllegalArgumentException.class,
                () -> backend.verify(SignatureScheme.ECDSA_SECP256R1_SHA256, ecP384.getPublic(), MESSAGE, new byte[8]));
        assertThrows(IllegalArgumentException.class,
                () -> backend.sign(SignatureScheme.ED25519, ec.getPrivate(), MESSAGE));
        assertThrows(IllegalArgumentException.class,
                () -> backend.verify(SignatureScheme.RSA_PSS_RSAE_SHA256, ed.getPublic(), MESSAGE, new byte[8]));
        assertThrows(IllegalArgumentException.class,
                () -> backend.sign(SignatureScheme.RSA_PSS_RSAE_SHA256, ec.getPrivate(), MESSAGE));
    }

    @Test
    void malformedSignaturesReadAsFalse() {
        for (SignatureScheme scheme : SignatureScheme.values()) {
            KeyPair keys = keysFor(scheme);
            for (byte[] junk : new byte[][] {new byte[0], new byte[1], new byte[64], new byte[256], new byte[1000],
                    HexFormat.of().parseHex("3006020101020101")}) {
                assertFalse(backend.verify(scheme, keys.getPublic(), MESSAGE, junk), scheme + " " + junk.length);
            }
        }
    }

    /** Wycheproof ecdsa_secp256r1_sha256 tcId 479: valid, r = 3 with x = n + 3; JDK 17's SunEC rejects it. */
    @Test
    void ecdsaVerifiesSignaturesWhoseRNeededAReduction() throws Exception {
        HexFormat hex = HexFormat.of();
        byte[] point = hex.parseHex("04ce24c99032d52ac6ead23c0ae3ec68ef41e51a281fd457808c83136d7dcce90e8f"
                + "7a154b551e9f39c59279357aa491b2a62bdebc2bb78613883fc72936c057e0");
        java.security.spec.ECParameterSpec params = ((java.security.interfaces.ECPublicKey) ec.getPublic()).getParams();
        java.security.PublicKey key = java.security.KeyFactory.getInstance("EC").generatePublic(
                new java.security.spec.ECPublicKeySpec(new java.security.spec.ECPoint(
                        new java.math.BigInteger(1, Arrays.copyOfRange(point, 1, 33)),
                        new java.math.BigInteger(1, Arrays.copyOfRange(point, 33, 65))), params));
        assertTrue(backend.verify(SignatureScheme.ECDSA_SECP256R1_SHA256, key, hex.parseHex("68656c6c6f2c20776f726c64"),
                hex.parseHex("3026020103022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254e")));
    }

    @Test
    void ed25519RejectsTrailingBytes() {
        byte[] signature = backend.sign(SignatureScheme.ED25519, ed.getPrivate(), MESSAGE);
        assertTrue(backend.verify(SignatureScheme.ED25519, ed.getPublic(), MESSAGE, signature));
        assertFalse(backend.verify(SignatureScheme.ED25519, ed.getPublic(), MESSAGE, Arrays.copyOf(signature, 65)));
    }

    @Test
    void ecdsaAcceptsOnlyStrictDer() {
        byte[] der = backend.sign(SignatureScheme.ECDSA_SECP256R1_SHA256, ec.getPrivate(), MESSAGE);
        assertTrue(Signatures.isStrictDerEcdsa(der));
        // Long-form length for the SEQUENCE: same value in BER, must not verify.
        byte[] ber = new byte[der.length + 1];
        ber[0] = 0x30;
        ber[1] = (byte) 0x81;
        ber[2] = der[1];
        System.arraycopy(der, 2, ber, 3, der.length - 2);
        assertFalse(backend.verify(SignatureScheme.ECDSA_SECP256R1_SHA256, ec.getPublic(), MESSAGE, ber));
        // Trailing garbage.
        byte[] trailing = Arrays.copyOf(der, der.length + 1);
        assertFalse(backend.verify(SignatureScheme.ECDSA_SECP256R1_SHA256, ec.getPublic(), MESSAGE, trailing));
        // A non-minimal INTEGER (extra leading zero).
        assertFalse(Signatures.isStrictDerEcdsa(HexFormat.of().parseHex("30070202000102010a")));
        assertTrue(Signatures.isStrictDerEcdsa(HexFormat.of().parseHex("300602010102017f")));
        assertFalse(Signatures.isStrictDerEcdsa(HexFormat.of().parseHex("3006020101020180")), "negative s");
        assertTrue(backend.verify(SignatureScheme.ECDSA_SECP256R1_SHA256, ec.getPublic(), MESSAGE, der));
    }
    /**
     * ECDSA keys without an exposed scalar (a token's) sign through the JDK, with one engine per
     * thread that settles on a provider at its first use. A key of another token, which that provider
     * refuses, must still be signed with, by a fresh engine that picks the right provider.
     */
    @Test
    void keysOfTwoTokensAreBothUsed() throws Exception {
        java.security.Provider a = token("A", TokenA.class);
        java.security.Provider b = token("B", TokenB.class);
        java.security.Security.addProvider(a);
        java.security.Security.addProvider(b);
        try {
            java.security.interfaces.ECKey like = (java.security.interfaces.ECKey) ec.getPrivate();
            for (int i = 0; i < 2; i++) {
                assertTrue(Arrays.equals(TokenA.SIGNATURE,
                        backend.sign(SignatureScheme.ECDSA_SECP256R1_SHA256, new OpaqueKey(like, "A"), MESSAGE)));
                assertTrue(Arrays.equals(TokenB.SIGNATURE,
                        backend.sign(SignatureScheme.ECDSA_SECP256R1_SHA256, new OpaqueKey(like, "B"), MESSAGE)));
            }
            assertTrue(backend.verify(SignatureScheme.ECDSA_SECP256R1_SHA256, ec.getPublic(), MESSAGE,
                    backend.sign(SignatureScheme.ECDSA_SECP256R1_SHA256, ec.getPrivate(), MESSAGE)), "software keys still sign");
        } finally {
            java.security.Security.removeProvider(a.getName());
            java.security.Security.removeProvider(b.getName());
        }
    }

    private static java.security.Provider token(String name, Class<?> signer) {
        return new java.security.Provider("PqdtlsTestToken" + name, "1", "ECDSA with token " + name + "'s keys") {
            {
                put("Signature.SHA256withECDSA", signer.getName());
            }
        };
    }

    /** A P-256 private key that does not expose its scalar, as a hardware token's does not. */
    static final class OpaqueKey implements java.security.PrivateKey, java.security.interfaces.ECKey {
        private static final long serialVersionUID = 1L;
        private final transient java.security.spec.ECParameterSpec params;
        final String token;

        OpaqueKey(java.security.interfaces.ECKey like, String token) {
            this.params = like.getParams();
            this.token = token;
        }

        @Override
        public java.security.spec.ECParameterSpec getParams() {
            return params;
        }

        @Override
        public String getAlgorithm() {
            return "EC";
        }

        @Override
        public String getFormat() {
            return null;
        }

        @Override
        public byte[] getEncoded() {
            return null;
        }
    }

    /** A token's "signature": fixed bytes, for that token's keys only. */
    abstract static class TokenSigner extends java.security.SignatureSpi {
        private final String token;
        private final byte[] signature;

        TokenSigner(String token, byte[] signature) {
            this.token = token;
            this.signature = signature;
        }

        @Override
        protected void engineInitSign(java.security.PrivateKey key) throws java.security.InvalidKeyException {
            if (!(key instanceof OpaqueKey) || !((OpaqueKey) key).token.equals(token)) {
                throw new java.security.InvalidKeyException("only token " + token + "'s keys");
            }
        }

        @Override
        protected void engineInitVerify(java.security.PublicKey key) throws java.security.InvalidKeyException {
            throw new java.security.InvalidKeyException("sign only");
        }

        @Override
        protected void engineUpdate(byte b) {
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {
        }

        @Override
        protected byte[] engineSign() {
            return signature.clone();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) {
            return false;
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            return null;
        }
    }

    public static final class TokenA extends TokenSigner {
        static final byte[] SIGNATURE = {0x30, 0x06, 0x02, 0x01, 0x0A, 0x02, 0x01, 0x0A};

        public TokenA() {
            super("A", SIGNATURE);
        }
    }

    public static final class TokenB extends TokenSigner {
        static final byte[] SIGNATURE = {0x30, 0x06, 0x02, 0x01, 0x0B, 0x02, 0x01, 0x0B};

        public TokenB() {
            super("B", SIGNATURE);
        }
    }
}
