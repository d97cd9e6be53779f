package dev.pqdtls.internal.auth;

/**
 * The peer's certificate chain, its CertificateVerify, or its identity was not accepted. Carries the
 * TLS alert description the handshake sends before it aborts (RFC 8446 §6.2); the message says what
 * was wrong and what the operator can do about it.
 */
public final class CertificateRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** handshake_failure: no signature scheme both sides can use. */
    public static final int HANDSHAKE_FAILURE = 40;
    /** bad_certificate: corrupt, or a signature in the chain does not verify, or not yet valid. */
    public static final int BAD_CERTIFICATE = 42;
    /** unsupported_certificate: a key type, algorithm or critical extension we cannot handle. */
    public static final int UNSUPPORTED_CERTIFICATE = 43;
    /** certificate_revoked. */
    public static final int CERTIFICATE_REVOKED = 44;
    /** certificate_expired. */
    public static final int CERTIFICATE_EXPIRED = 45;
    /** certificate_unknown: any other reason the chain is unacceptable, e.g. the name does not match. */
    public static final int CERTIFICATE_UNKNOWN = 46;
    /** illegal_parameter: a CertificateVerify scheme we did not offer or that does not fit the key. */
    public static final int ILLEGAL_PARAMETER = 47;
    /** unknown_ca: the chain does not lead to a trust anchor. */
    public static final int UNKNOWN_CA = 48;
    /** decode_error: e.g. a server sent an empty certificate_list (RFC 8446 §4.4.2.4). */
    public static final int DECODE_ERROR = 50;
    /** decrypt_error: the CertificateVerify signature does not verify (RFC 8446 §4.4.3). */
    public static final int DECRYPT_ERROR = 51;
    /** certificate_required: a client sent no certificate to a server that requires one. */
    public static final int CERTIFICATE_REQUIRED = 116;

    private final int alert;
    /** The subject of the rejected leaf certificate, when there was one (for the audit log). */
    private String subject;

    public CertificateRejectedException(int alert, String message) {
        super(message);
        this.alert = alert;
    }

    public CertificateRejectedException(int alert, String message, Throwable cause) {
        super(message, cause);
        this.alert = alert;
    }

    /** The alert description to send (RFC 8446 §6). */
    public int alert() {
        return alert;
    }

    /** The subject (RFC 2253) of the rejected leaf certificate, or null when none was seen. */
    public String subject() {
        return subject;
    }

    /** Names the rejected leaf certificate's subject (never key material); returns this. */
    public CertificateRejectedException subject(java.security.cert.X509Certificate leaf) {
        this.subject = leaf.getSubjectX500Principal().getName();
        return this;
    }

    /** The RFC name of {@link #alert()}, e.g. {@code unknown_ca}. */
    public String alertName() {
        return alertName(alert);
    }

    static String alertName(int alert) {
        switch (alert) {
            case HANDSHAKE_FAILURE: return "handshake_failure";
            case BAD_CERTIFICATE: return "bad_certificate";
            case UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
            case CERTIFICATE_REVOKED: return "certificate_revoked";
            case CERTIFICATE_EXPIRED: return "certificate_expired";
            case CERTIFICATE_UNKNOWN: return "certificate_unknown";
            case ILLEGAL_PARAMETER: return "illegal_parameter";
            case UNKNOWN_CA: return "unknown_ca";
            case DECODE_ERROR: return "decode_error";
            case DECRYPT_ERROR: return "decrypt_error";
            case CERTIFICATE_REQUIRED: return "certificate_required";
            default: return "alert(" + alert + ")";
        }
    }

    @Override
    public String toString() {
        return "CertificateRejectedException[" + alertName() + "]: " + getMessage();
    }
}
