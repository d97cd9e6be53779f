package dev.pqdtls.internal.handshake;

/** Handshake message types (RFC 8446 §4, RFC 9147 §5.2). */
public final class HandshakeType {
    public static final int CLIENT_HELLO = 1;
    public static final int SERVER_HELLO = 2;
    public static final int NEW_SESSION_TICKET = 4;
    public static final int END_OF_EARLY_DATA = 5;
    public static final int ENCRYPTED_EXTENSIONS = 8;
    public static final int REQUEST_CONNECTION_ID = 9;
    public static final int NEW_CONNECTION_ID = 10;
    public static final int CERTIFICATE = 11;
    public static final int CERTIFICATE_REQUEST = 13;
    public static final int CERTIFICATE_VERIFY = 15;
    public static final int FINISHED = 20;
    public static final int KEY_UPDATE = 24;
    /** Synthetic transcript entry replacing ClientHello1 after a HelloRetryRequest (RFC 8446 §4.4.1). */
    public static final int MESSAGE_HASH = 254;

    private HandshakeType() {
    }
}
