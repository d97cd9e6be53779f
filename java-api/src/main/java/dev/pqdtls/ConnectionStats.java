package dev.pqdtls;

/**
 * Counters of one connection, a snapshot taken when {@link DtlsConnection#stats()} is called.
 *
 * @param recordsDropped records discarded without harm: unparseable, replayed, failing
 *     authentication, or for an unknown epoch (RFC 9147 §4.5.2 drops them silently; we count)
 * @param datagramsDropped received application datagrams discarded because the receive queue was
 *     full (the application did not keep up)
 * @param retransmissions handshake flights sent again after a timeout or a peer's retransmission
 */
public record ConnectionStats(long recordsSent, long recordsReceived, long applicationBytesSent,
        long applicationBytesReceived, long recordsDropped, long datagramsDropped, long retransmissions,
        long keyUpdates) {
}
