package dev.pqdtls.internal.handshake;

/** Extension codepoints used by pqdtls (RFC 8446 §4.2, RFC 7250, RFC 9146/9147). */
public final class ExtensionType {
    public static final int SERVER_NAME = 0;
    public static final int SUPPORTED_GROUPS = 10;
    public static final int SIGNATURE_ALGORITHMS = 13;
    /** RFC 7250 §4.1. */
    public static final int CLIENT_CERTIFICATE_TYPE = 19;
    public static final int SERVER_CERTIFICATE_TYPE = 20;
    public static final int PRE_SHARED_KEY = 41;
    public static final int EARLY_DATA = 42;
    public static final int SUPPORTED_VERSIONS = 43;
    public static final int COOKIE = 44;
    public static final int PSK_KEY_EXCHANGE_MODES = 45;
    public static final int CERTIFICATE_AUTHORITIES = 47;
    public static final int SIGNATURE_ALGORITHMS_CERT = 50;
    public static final int KEY_SHARE = 51;
    public static final int CONNECTION_ID = 54;

    private ExtensionType() {
    }
}
