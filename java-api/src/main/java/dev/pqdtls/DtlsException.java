package dev.pqdtls;

import java.io.IOException;

/**
 * A DTLS connection failed or was closed by an alert. {@link #alert()} is the stable reason; the
 * message says what happened and, where it can, what to change.
 */
public class DtlsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final DtlsAlert alert;
    private final boolean fromPeer;

    public DtlsException(DtlsAlert alert, boolean fromPeer, String message) {
        super(message);
        this.alert = alert;
        this.fromPeer = fromPeer;
    }

    public DtlsException(DtlsAlert alert, boolean fromPeer, String message, Throwable cause) {
        super(message, cause);
        this.alert = alert;
        this.fromPeer = fromPeer;
    }

    /** The alert sent (when we failed) or received (when the peer did). */
    public DtlsAlert alert() {
        return alert;
    }

    /** True if the peer sent the alert, false if this side detected the problem. */
    public boolean fromPeer() {
        return fromPeer;
    }
}
