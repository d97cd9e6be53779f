package dev.pqdtls.spi;

import java.security.GeneralSecurityException;

/**
 * A record did not authenticate (RFC 8446 alert bad_record_mac). In DTLS such a record is dropped
 * and counted, never fatal (RFC 9147 §4.5.2).
 */
public final class BadRecordMacException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public BadRecordMacException(String message) {
        super(message);
    }
}
