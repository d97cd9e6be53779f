package dev.pqdtls.fallback;

import dev.pqdtls.SignatureScheme;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/**
 * CertificateVerify signatures (RFC 8446 §4.2.3, §4.4.3). Ed25519 and RSA run on the JDK's
 * providers, which have every scheme we need from JDK 17 on (SunEC, SunRsaSign) and take the
 * {@code java.security} keys callers already hold (including keys that never leave a token).
 *
 * <p>ECDSA P-256 runs on Bouncy Castle's P-256 arithmetic: verification always (JDK 17's SunEC
 * rejects valid signatures whose r needed a reduction mod n, Wycheproof ecdsa_secp256r1_sha256 tcId
 * 350, 479; fixed in later JDKs), signing whenever the key exposes its scalar, because SunEC signs
 * several times slower (about 2× on JDK 25, far more on 17). A key without one (a token's) signs
 * through the JDK.
 */
final class Signatures {
    private static final BigInteger P256_P = new BigInteger(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    private static final BigInteger P256_N = new BigInteger(
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

    private static final int ED25519_SIGNATURE_LENGTH = 64;

    private Signatures() {
    }

    static byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message, SecureRandom random) {
        if (scheme == SignatureScheme.RSA_PKCS1_SHA256 || scheme == SignatureScheme.RSA_PKCS1_SHA384) {
            throw new IllegalArgumentException(scheme + " can only verify certificate chains: TLS 1.3 forbids "
                    + "RSASSA-PKCS1-v1_5 in CertificateVerify (RFC 8446 §4.2.3); use an rsa_pss_rsae scheme");
        }
        checkKey(scheme, key);
        if (scheme == SignatureScheme.ECDSA_SECP256R1_SHA256 && key instanceof ECPrivateKey
                && ((ECPrivateKey) key).getS() != null) {
            return signEcdsa(((ECPrivateKey) key).getS(), message, random);
        }
        try {
            Signature signature;
            try {
                signature = initialised(scheme, key, random);
            } catch (InvalidKeyException e) {
                throw new IllegalArgumentException(scheme + " cannot sign with this " + key.getAlgorithm() + " key: "
                        + e.getMessage(), e);
            }
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(scheme + " signing failed: " + e.getMessage(), e);
        }
    }

    static boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signatureBytes) {
        checkKey(scheme, key);
        if (scheme == SignatureScheme.ECDSA_SECP256R1_SHA256) {
            return signatureBytes != null && message != null
                    && verifyEcdsa((ECPublicKey) key, message, signatureBytes);
        }
        Signature signature;
        try {
            signature = initialised(scheme, key, null);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(scheme + " cannot verify with this " + key.getAlgorithm() + " key: "
                    + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(scheme + " is unavailable in this JDK: " + e.getMessage(), e);
        }
        if (signatureBytes == null || message == null) {
            return false;
        }
        if (scheme == SignatureScheme.ED25519 && signatureBytes.length != ED25519_SIGNATURE_LENGTH) {
            // RFC 8032 §5.1.7: a signature is exactly R || S; JDK 17 ignores trailing bytes.
            return false;
        }
        try {
            signature.update(message);
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException | RuntimeException e) {
            // Hostile or malformed signatures must read as "does not verify", never as an error.
            return false;
        }
    }

    /**
     * This thread's engine for the scheme, initialised to sign (with {@code random}) or to verify (random
     * null) with {@code key}; a fresh engine when that one settled on a provider that refuses the key
     * (a key held by a token's provider, say), since the JCA picks the provider at the first init.
     */
    private static Signature initialised(SignatureScheme scheme, Key key, SecureRandom random) throws GeneralSecurityException {
        try {
            return init(newSignature(scheme, false), key, random);
        } catch (InvalidKeyException e) {
            return init(newSignature(scheme, true), key, random);
        }
    }

    private static Signature init(Signature signature, Key key, SecureRandom random) throws InvalidKeyException {
        if (random != null) {
            signature.initSign((PrivateKey) key, random);
        } else {
            signature.initVerify((PublicKey) key);
        }
        return signature;
    }

    private static Signature newSignature(SignatureScheme scheme, boolean fresh) throws GeneralSecurityException {
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256:
                return JcaServices.signature("SHA256withECDSA", fresh);
            case ED25519:
                return JcaServices.signature("Ed25519", fresh);
            case RSA_PSS_RSAE_SHA256:
                return pss("SHA-256", MGF1ParameterSpec.SHA256, 32, fresh);
            case RSA_PSS_RSAE_SHA384:
                return pss("SHA-384", MGF1ParameterSpec.SHA384, 48, fresh);
            case RSA_PKCS1_SHA256:
                return JcaServices.signature("SHA256withRSA", fresh);
            case RSA_PKCS1_SHA384:
                return JcaServices.signature("SHA384withRSA", fresh);
            default:
                throw new IllegalArgumentException("unsupported signature scheme " + scheme);
        }
    }

    /** RFC 8446 §4.2.3: salt length equal to the digest length, MGF1 with the same hash. */
    private static Signature pss(String digest, MGF1ParameterSpec mgf, int saltLength, boolean fresh)
            throws GeneralSecurityException {
        Signature signature = JcaServices.signature("RSASSA-PSS", fresh);
        signature.setParameter(new PSSParameterSpec(digest, "MGF1", mgf, saltLength, PSSParameterSpec.TRAILER_FIELD_BC));
        return signature;
    }

    private static void checkKey(SignatureScheme scheme, Key key) {
        if (key == null) {
            throw new IllegalArgumentException(scheme + " needs a key, got null");
        }
        boolean fits;
        String expected;
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256:
                fits = (key instanceof ECPublicKey || key instanceof PrivateKey) && key instanceof ECKey
                        && isP256(((ECKey) key).getParams());
                expected = "an EC key on secp256r1";
                break;
            case ED25519:
                fits = isEd25519(key);
                expected = "an Ed25519 key";
                break;
            default:
                // rsa_pss_rsae_* and rsa_pkcs1_* take rsaEncryption keys; RSASSA-PSS keys are rsa_pss_pss_*.
                fits = key instanceof RSAKey && "RSA".equalsIgnoreCase(key.getAlgorithm());
                expected = "an RSA (rsaEncryption) key";
                break;
        }
        if (!fits) {
            throw new IllegalArgumentException(scheme + " needs " + expected + ", got a " + key.getAlgorithm() + " "
                    + key.getClass().getSimpleName());
        }
    }

    private static boolean isP256(ECParameterSpec params) {
        return params != null
                && params.getCurve().getField() instanceof ECFieldFp
                && ((ECFieldFp) params.getCurve().getField()).getP().equals(P256_P)
                && params.getOrder().equals(P256_N);
    }

    private static boolean isEd25519(Key key) {
        if (key instanceof EdECKey) {
            return "Ed25519".equalsIgnoreCase(((EdECKey) key).getParams().getName());
        }
        return "Ed25519".equalsIgnoreCase(key.getAlgorithm());
    }

    /** SHA-256 then ECDSA verification (SEC 1 §4.1.4) on BC, after a strict DER parse. */
    private static boolean verifyEcdsa(ECPublicKey key, byte[] message, byte[] der) {
        BigInteger[] rs = parseStrictDerEcdsa(der);
        if (rs == null) {
            return false;
        }
        ECPublicKeyParameters publicKey;
        try {
            ECDomainParameters domain = P256KeyExchange.domain();
            publicKey = new ECPublicKeyParameters(
                    domain.getCurve().validatePoint(key.getW().getAffineX(), key.getW().getAffineY()), domain);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ecdsa_secp256r1_sha256 public key is not a valid point on secp256r1", e);
        }
        byte[] hash;
        try {
            hash = JcaServices.digest("SHA-256").digest(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, publicKey);
        return verifier.verifySignature(hash, rs[0], rs[1]);
    }

    /** SHA-256 then ECDSA (SEC 1 §4.1.3) with a fresh random k, DER-encoded as TLS sends it. */
    private static byte[] signEcdsa(BigInteger d, byte[] message, SecureRandom random) {
        ECDomainParameters domain = P256KeyExchange.domain();
        if (d.signum() <= 0 || d.compareTo(domain.getN()) >= 0) {
            throw new IllegalArgumentException("ecdsa_secp256r1_sha256 private scalar is not in [1, n-1]");
        }
        byte[] hash;
        try {
            hash = JcaServices.digest("SHA-256").digest(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        ECDSASigner signer = new ECDSASigner();
        signer.init(true, new ParametersWithRandom(new ECPrivateKeyParameters(d, domain), random));
        BigInteger[] rs = signer.generateSignature(hash);
        try {
            return StandardDSAEncoding.INSTANCE.encode(domain.getN(), rs[0], rs[1]);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot DER-encode an ECDSA signature", e);
        }
    }

    static boolean isStrictDerEcdsa(byte[] sig) {
        return parseStrictDerEcdsa(sig) != null;
    }

    /**
     * ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in strict DER: short lengths only (the
     * whole value is at most 72 bytes), minimal positive integers, nothing trailing. Accepting a BER
     * variant would make signatures malleable; Wycheproof checks exactly this. Returns {r, s} or null.
     */
    static BigInteger[] parseStrictDerEcdsa(byte[] sig) {
        if (sig.length < 8 || sig[0] != 0x30 || (sig[1] & 0xFF) != sig.length - 2 || (sig[1] & 0x80) != 0) {
            return null;
        }
        BigInteger[] rs = new BigInteger[2];
        int offset = 2;
        for (int i = 0; i < 2; i++) {
            if (offset + 2 > sig.length || sig[offset] != 0x02) {
                return null;
            }
            int length = sig[offset + 1] & 0xFF;
            offset += 2;
            if (length == 0 || length > 33 || offset + length > sig.length) {
                return null;
            }
            if ((sig[offset] & 0x80) != 0) {
                return null; // negative
            }
            if (length > 1 && sig[offset] == 0 && (sig[offset + 1] & 0x80) == 0) {
                return null; // not minimal
            }
            rs[i] = new BigInteger(1, java.util.Arrays.copyOfRange(sig, offset, offset + length));
            offset += length;
        }
        return offset == sig.length ? rs : null;
    }
}
