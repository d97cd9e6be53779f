package dev.pqdtls;

import dev.pqdtls.spi.HashAlgorithm;
import java.util.Optional;

/** Signature schemes for CertificateVerify and certificate chains (RFC 8446 §4.2.3). */
public enum SignatureScheme {
    ECDSA_SECP256R1_SHA256(0x0403, HashAlgorithm.SHA256),
    ED25519(0x0807, null),
    RSA_PSS_RSAE_SHA256(0x0804, HashAlgorithm.SHA256),
    RSA_PSS_RSAE_SHA384(0x0805, HashAlgorithm.SHA384),
    /** Only for verifying certificate chains; TLS 1.3 forbids it in CertificateVerify. */
    RSA_PKCS1_SHA256(0x0401, HashAlgorithm.SHA256),
    /** Only for verifying certificate chains; TLS 1.3 forbids it in CertificateVerify. */
    RSA_PKCS1_SHA384(0x0501, HashAlgorithm.SHA384);

    private final int codepoint;
    private final HashAlgorithm hash;

    SignatureScheme(int codepoint, HashAlgorithm hash) {
        this.codepoint = codepoint;
        this.hash = hash;
    }

    /** The two-byte IANA codepoint. */
    public int codepoint() {
        return codepoint;
    }

    /** The message digest, or empty for Ed25519 which hashes internally. */
    public Optional<HashAlgorithm> hash() {
        return Optional.ofNullable(hash);
    }

    /** The scheme with this codepoint, if pqdtls knows it. */
    public static Optional<SignatureScheme> byCodepoint(int codepoint) {
        for (SignatureScheme s : values()) {
            if (s.codepoint == codepoint) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
