package dev.pqdtls.internal.wire;

/**
 * A handshake message does not parse: a length runs past its container, a vector has an illegal
 * length, or bytes are left over. The handshake answers with a decode_error alert (RFC 8446 §6.2).
 */
public final class DecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public DecodeException(String message) {
        super(message, null, false, false);
    }
}
