package dev.pqdtls.internal.recordlayer;

/** Record content types (RFC 8446 §5.1, RFC 9147 §7 for ack). */
public final class ContentType {
    public static final int CHANGE_CIPHER_SPEC = 20;
    public static final int ALERT = 21;
    public static final int HANDSHAKE = 22;
    public static final int APPLICATION_DATA = 23;
    public static final int ACK = 26;

    private ContentType() {
    }
}
