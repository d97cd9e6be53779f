package dev.pqdtls.internal.auth;

import dev.pqdtls.SignatureScheme;
import java.math.BigInteger;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which signature scheme signs a CertificateVerify (RFC 8446 §4.2.3, §4.4.3): the one we pick for our
 * own key from what the peer offered, and the check that the peer's choice fits its certificate and
 * was one we offered.
 */
public final class SignatureSchemes {

    /** What we offer in signature_algorithms, in preference order. */
    public static final List<SignatureScheme> DEFAULT_SIGNATURE_ALGORITHMS = List.of(
            SignatureScheme.ECDSA_SECP256R1_SHA256,
            SignatureScheme.ED25519,
            SignatureScheme.RSA_PSS_RSAE_SHA256,
            SignatureScheme.RSA_PSS_RSAE_SHA384);

    /**
     * What we offer in signature_algorithms_cert: also RSASSA-PKCS1-v1_5, which most deployed CA
     * chains are still signed with and which RFC 8446 §4.2.3 allows in certificates only.
     */
    public static final List<SignatureScheme> DEFAULT_SIGNATURE_ALGORITHMS_CERT = List.of(
            SignatureScheme.ECDSA_SECP256R1_SHA256,
            SignatureScheme.ED25519,
            SignatureScheme.RSA_PSS_RSAE_SHA256,
            SignatureScheme.RSA_PSS_RSAE_SHA384,
            SignatureScheme.RSA_PKCS1_SHA256,
            SignatureScheme.RSA_PKCS1_SHA384);

    private static final BigInteger P256_P = new BigInteger(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    private static final BigInteger P256_N = new BigInteger(
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

    private SignatureSchemes() {
    }

    public static List<Integer> codepoints(List<SignatureScheme> schemes) {
        List<Integer> out = new ArrayList<>(schemes.size());
        schemes.forEach(s -> out.add(s.codepoint()));
        return List.copyOf(out);
    }

    /** The schemes pqdtls knows among {@code codepoints}, in the given order; unknown ones are dropped. */
    public static List<SignatureScheme> known(List<Integer> codepoints) {
        List<SignatureScheme> out = new ArrayList<>();
        for (int cp : codepoints) {
            SignatureScheme.byCodepoint(cp).filter(s -> !out.contains(s)).ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    /** False for rsa_pkcs1_*, which RFC 8446 §4.2.3 allows only in certificate signatures. */
    public static boolean allowedInCertificateVerify(SignatureScheme scheme) {
        return scheme != SignatureScheme.RSA_PKCS1_SHA256 && scheme != SignatureScheme.RSA_PKCS1_SHA384;
    }

    /**
     * The CertificateVerify schemes this key can sign or verify, best first: ecdsa_secp256r1_sha256
     * for a P-256 key, ed25519 for an Ed25519 key, rsa_pss_rsae_sha256 then _sha384 for an
     * rsaEncryption key; empty for anything else (P-384, RSASSA-PSS-only keys, DSA, ...).
     */
    public static List<SignatureScheme> forKey(Key key) {
        if (key instanceof ECKey && isP256(((ECKey) key).getParams())) {
            return List.of(SignatureScheme.ECDSA_SECP256R1_SHA256);
        }
        if (isEd25519(key)) {
            return List.of(SignatureScheme.ED25519);
        }
        if (key instanceof RSAKey && "RSA".equalsIgnoreCase(key.getAlgorithm())) {
            return List.of(SignatureScheme.RSA_PSS_RSAE_SHA256, SignatureScheme.RSA_PSS_RSAE_SHA384);
        }
        return List.of();
    }

    /** A short description of a key for messages, e.g. {@code EC secp256r1} or {@code RSA 2048-bit}. */
    static String describe(Key key) {
        if (key instanceof ECKey) {
            return isP256(((ECKey) key).getParams()) ? "EC secp256r1" : "EC (not secp256r1)";
        }
        if (key instanceof RSAKey && ((RSAKey) key).getModulus() != null) {
            return key.getAlgorithm() + " " + ((RSAKey) key).getModulus().bitLength() + "-bit";
        }
        if (key instanceof EdECKey) {
            return ((EdECKey) key).getParams().getName();
        }
        return key.getAlgorithm();
    }

    /**
     * The scheme to sign our CertificateVerify with: the first of our preference for this key that
     * the peer offered. Empty when there is none; the handshake then fails with handshake_failure
     * (RFC 8446 §4.4.2.2 has the server abort, and a client has no other certificate to try).
     *
     * @param peerOffered the codepoints of the peer's signature_algorithms, unknown ones included
     */
    public static Optional<SignatureScheme> choose(PrivateKey key, List<Integer> peerOffered) {
        for (SignatureScheme s : forKey(key)) {
            if (allowedInCertificateVerify(s) && peerOffered.contains(s.codepoint())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Checks the scheme of the peer's CertificateVerify (RFC 8446 §4.4.3): it must be one we offered
     * in signature_algorithms, usable in CertificateVerify, and fit the public key of the peer's
     * end-entity certificate.
     *
     * @return the scheme to verify the signature with
     * @throws CertificateRejectedException illegal_parameter if any of that is not so
     */
    public static SignatureScheme checkPeerScheme(int codepoint, PublicKey peerKey, List<SignatureScheme> weOffered)
            throws CertificateRejectedException {
        Optional<SignatureScheme> known = SignatureScheme.byCodepoint(codepoint);
        String name = known.map(Enum::name).orElse(String.format("0x%04x", codepoint));
        if (known.isEmpty() || !weOffered.contains(known.get())) {
            throw new CertificateRejectedException(CertificateRejectedException.ILLEGAL_PARAMETER,
                    "the peer signed its CertificateVerify with " + name + ", which we did not offer (we offered "
                            + weOffered + "); configure the peer to use one of those");
        }
        SignatureScheme scheme = known.get();
        if (!allowedInCertificateVerify(scheme)) {
            throw new CertificateRejectedException(CertificateRejectedException.ILLEGAL_PARAMETER,
                    "the peer signed its CertificateVerify with " + name + ", which TLS 1.3 allows only in "
                            + "certificates (RFC 8446 §4.2.3); the peer must use RSA-PSS");
        }
        if (!forKey(peerKey).contains(scheme)) {
            throw new CertificateRejectedException(CertificateRejectedException.ILLEGAL_PARAMETER,
                    "the peer signed its CertificateVerify with " + name + " but its certificate holds a "
                            + describe(peerKey) + " key, which that scheme cannot use");
        }
        return scheme;
    }

    /**
     * The scheme a certificate is signed with, by its signatureAlgorithm OID, when it is one with a
     * SignatureScheme codepoint (used to honour signature_algorithms_cert, RFC 8446 §4.4.2.2).
     */
    static Optional<Integer> certificateSignatureCodepoint(X509Certificate cert) {
        String oid = cert.getSigAlgOID();
        if (oid == null) {
            return Optional.empty();
        }
        switch (oid) {
            case "1.2.840.10045.4.3.2": return Optional.of(0x0403); // ecdsa-with-SHA256
            case "1.2.840.10045.4.3.3": return Optional.of(0x0503); // ecdsa-with-SHA384
            case "1.2.840.10045.4.3.4": return Optional.of(0x0603); // ecdsa-with-SHA512
            case "1.3.101.112": return Optional.of(0x0807);         // Ed25519
            case "1.3.101.113": return Optional.of(0x0808);         // Ed448
            case "1.2.840.113549.1.1.11": return Optional.of(0x0401); // sha256WithRSAEncryption
            case "1.2.840.113549.1.1.12": return Optional.of(0x0501); // sha384WithRSAEncryption
            case "1.2.840.113549.1.1.13": return Optional.of(0x0601); // sha512WithRSAEncryption
            default: return Optional.empty(); // RSASSA-PSS depends on parameters; treat as unknown
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
        return key != null && "Ed25519".equalsIgnoreCase(key.getAlgorithm());
    }
}
