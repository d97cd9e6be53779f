package dev.pqdtls;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Some datagrams of a {@link DtlsConnection#send} or {@link DtlsConnection#sendBatch} were not sent:
 * the local socket's send buffer stayed full for the whole wait (1 s). The first
 * {@link #datagramsSent()} of the batch went to the kernel; the others did not, and are not queued
 * anywhere: send them again, or send less at a time. pqdtls never drops an accepted datagram on a full
 * local buffer silently.
 */
public final class SendBufferFullException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int datagramsSent;
    private final int datagramsNotSent;

    public SendBufferFullException(int datagramsSent, int datagramsAsked, InetSocketAddress peer) {
        super((datagramsAsked - datagramsSent) + " of " + datagramsAsked + " datagrams to " + peer
                + " were not sent: the socket send buffer stayed full for 1 s (the first " + datagramsSent
                + " were sent); send them again or raise DtlsConfig.socketSendBufferSize");
        this.datagramsSent = datagramsSent;
        this.datagramsNotSent = datagramsAsked - datagramsSent;
    }

    /** How many datagrams of the batch, from its start, the kernel accepted. */
    public int datagramsSent() {
        return datagramsSent;
    }

    /** How many were not sent (the rest of the batch). */
    public int datagramsNotSent() {
        return datagramsNotSent;
    }
}
