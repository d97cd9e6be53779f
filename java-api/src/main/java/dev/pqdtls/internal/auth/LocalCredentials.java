package dev.pqdtls.internal.auth;

import dev.pqdtls.SignatureScheme;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What the local side presents: a certificate chain (end-entity first, then intermediates; the
 * root may be left out) and the private key of the end-entity certificate. The key is checked
 * against the certificate once here, so a mismatch is a configuration error at startup rather than
 * a decrypt_error at the peer.
 */
public final class LocalCredentials {
    private static final byte[] PROBE = "pqdtls key/certificate match probe".getBytes(StandardCharsets.US_ASCII);

    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final List<SignatureScheme> schemes;
    /** The key presented without a certificate (RFC 7250), or null when a chain is presented. */
    private final PublicKey rawPublicKey;

    private LocalCredentials(List<X509Certificate> chain, PrivateKey privateKey, List<SignatureScheme> schemes,
            PublicKey rawPublicKey) {
        this.chain = chain;
        this.privateKey = privateKey;
        this.schemes = schemes;
        this.rawPublicKey = rawPublicKey;
    }

    /**
     * A raw public key identity (RFC 7250): the key pair is presented without any certificate.
     *
     * @throws IllegalArgumentException if the key type is unsupported or the halves do not match
     */
    public static LocalCredentials rawPublicKey(java.security.KeyPair keys) {
        if (keys == null || keys.getPublic() == null || keys.getPrivate() == null) {
            throw new IllegalArgumentException("a raw public key identity needs both halves of the key pair");
        }
        List<SignatureScheme> schemes = SignatureSchemes.forKey(keys.getPublic());
        if (schemes.isEmpty()) {
            throw new IllegalArgumentException("the raw public key is a " + SignatureSchemes.describe(keys.getPublic())
                    + " key; pqdtls signs with EC secp256r1, Ed25519 or RSA keys");
        }
        if (!matches(keys.getPrivate(), keys.getPublic())) {
            throw new IllegalArgumentException("the private key (" + SignatureSchemes.describe(keys.getPrivate())
                    + ") does not belong to the public key (" + SignatureSchemes.describe(keys.getPublic()) + ")");
        }
        return new LocalCredentials(List.of(), keys.getPrivate(), schemes, keys.getPublic());
    }

    /** Whether this identity is a raw public key (RFC 7250) rather than a certificate chain. */
    public boolean isRawPublicKey() {
        return rawPublicKey != null;
    }

    /** The public key presented: the raw key or the end-entity certificate's. */
    public PublicKey publicKey() {
        return rawPublicKey != null ? rawPublicKey : leaf().getPublicKey();
    }

    /**
     * @throws IllegalArgumentException if the chain is empty, the key type is unsupported, or the
     *     key does not belong to the first certificate
     */
    public static LocalCredentials of(List<X509Certificate> chain, PrivateKey privateKey) {
        if (chain == null || chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the end-entity certificate");
        }
        if (privateKey == null) {
            throw new IllegalArgumentException("the private key is missing");
        }
        X509Certificate leaf = chain.get(0);
        PublicKey publicKey = leaf.getPublicKey();
        List<SignatureScheme> schemes = SignatureSchemes.forKey(publicKey);
        if (schemes.isEmpty()) {
            throw new IllegalArgumentException("the certificate " + leaf.getSubjectX500Principal().getName()
                    + " holds a " + SignatureSchemes.describe(publicKey) + " key; pqdtls signs with EC secp256r1, "
                    + "Ed25519 or RSA keys");
        }
        if (!matches(privateKey, publicKey)) {
            throw new IllegalArgumentException("the private key (" + SignatureSchemes.describe(privateKey)
                    + ") does not belong to the certificate " + leaf.getSubjectX500Principal().getName() + " ("
                    + SignatureSchemes.describe(publicKey) + "); pass the key file that was used to request "
                    + "this certificate, and put the end-entity certificate first in the chain file");
        }
        return new LocalCredentials(List.copyOf(chain), privateKey, schemes, null);
    }

    /** Loads a PEM certificate chain file and a PKCS#8 PEM key file; see {@link Pem}. */
    public static LocalCredentials fromPem(Path certificateChain, Path privateKey) throws IOException {
        return of(Pem.certificates(certificateChain), Pem.privateKey(privateKey));
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The CertificateVerify schemes this key can sign with, best first. */
    public List<SignatureScheme> signatureSchemes() {
        return schemes;
    }

    /**
     * Our Certificate message (RFC 8446 §4.4.2); the context is empty during the handshake. A raw
     * public key goes as the one entry's DER SubjectPublicKeyInfo (RFC 7250 §3).
     */
    public CertificateMessage certificateMessage(byte[] context) {
        if (rawPublicKey != null) {
            return new CertificateMessage(context, List.of(new CertificateMessage.Entry(rawPublicKey.getEncoded(),
                    dev.pqdtls.internal.handshake.Extensions.empty())));
        }
        return CertificateMessage.of(context, chain);
    }

    /** The credentials picked for a handshake and the scheme to sign its CertificateVerify with. */
    public record Selection(LocalCredentials credentials, SignatureScheme scheme) {
    }

    /**
     * Picks what to present (RFC 8446 §4.4.2.2, §4.4.2.3): the first candidate whose key can sign
     * with a scheme in the peer's signature_algorithms, preferring one whose chain is signed only
     * with schemes in the peer's signature_algorithms_cert (self-signed roots exempt). Empty if no
     * candidate's key fits; the handshake then fails with handshake_failure.
     *
     * @param peerSignatureAlgorithms codepoints of the peer's signature_algorithms
     * @param peerCertSignatureAlgorithms codepoints of its signature_algorithms_cert, or of
     *     signature_algorithms when it sent none
     */
    public static Optional<Selection> select(List<LocalCredentials> candidates, List<Integer> peerSignatureAlgorithms,
            List<Integer> peerCertSignatureAlgorithms) {
        Selection fallback = null;
        for (LocalCredentials c : candidates) {
            Optional<SignatureScheme> s = SignatureSchemes.choose(c.privateKey, peerSignatureAlgorithms);
            if (s.isEmpty()) {
                continue;
            }
            if (c.chainSignedWith(peerCertSignatureAlgorithms)) {
                return Optional.of(new Selection(c, s.get()));
            }
            if (fallback == null) {
                // §4.4.2.2: "If the server cannot produce a certificate chain that is signed only via the
                // indicated supported algorithms, then it SHOULD continue the handshake by sending the
                // client a certificate chain of its choice".
                fallback = new Selection(c, s.get());
            }
        }
        return Optional.ofNullable(fallback);
    }

    private boolean chainSignedWith(List<Integer> codepoints) {
        for (X509Certificate c : chain) {
            if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                continue;
            }
            Optional<Integer> cp = SignatureSchemes.certificateSignatureCodepoint(c);
            if (cp.isEmpty() || !codepoints.contains(cp.get())) {
                return false;
            }
        }
        return true;
    }

    /** Signs a probe with the private key and verifies it with the certificate's key, with the JDK. */
    private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm;
        SignatureScheme scheme = SignatureSchemes.forKey(publicKey).get(0);
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256:
                algorithm = "SHA256withECDSA";
                break;
            case ED25519:
                algorithm = "Ed25519";
                break;
            default:
                algorithm = "SHA256withRSA";
                break;
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(PROBE);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            // Wrong key type for the algorithm (e.g. an RSA key for an EC certificate): not a match.
            return false;
        }
    }

    @Override
    public String toString() {
        if (rawPublicKey != null) {
            return "LocalCredentials[raw public key " + PublicKeyPins.pin(rawPublicKey) + ", " + SignatureSchemes.describe(privateKey) + "]";
        }
        return "LocalCredentials[" + leaf().getSubjectX500Principal().getName() + ", " + chain.size()
                + " certificate(s), " + SignatureSchemes.describe(privateKey) + "]";
    }
}
