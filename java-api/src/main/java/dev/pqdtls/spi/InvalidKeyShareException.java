package dev.pqdtls.spi;

import java.security.GeneralSecurityException;

/**
 * A peer's key share, ciphertext or public key is malformed, off the curve, of the wrong length,
 * or yields an all-zero X25519 secret (RFC 8446 §7.4.2); the handshake answers illegal_parameter.
 */
public final class InvalidKeyShareException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public InvalidKeyShareException(String message) {
        super(message);
    }

    public InvalidKeyShareException(String message, Throwable cause) {
        super(message, cause);
    }
}
