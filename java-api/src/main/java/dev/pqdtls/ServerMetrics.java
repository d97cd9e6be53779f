package dev.pqdtls;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A server's counters at one moment ({@link DtlsServer#metrics()}), immutable. Counts are totals since
 * the server was bound; {@code handshaking} and {@code established} are the connections held now.
 *
 * @param handshaking connections whose handshake is in progress
 * @param established connections whose handshake completed and that are still open
 * @param handshakesStarted handshakes admitted (a connection was created: after the cookie round trip
 *     where one is demanded)
 * @param handshakesCompleted handshakes that completed
 * @param handshakesResumed of those, handshakes that resumed a session with a ticket (no certificate
 *     or signature: see {@link SessionInfo#resumed()})
 * @param handshakesFailed handshakes that failed, by the alert sent or received — including ClientHellos
 *     refused at once because nothing in them is acceptable, and handshakes that timed out
 *     (handshake_failure); only alerts that occurred are present
 * @param cookiesIssued stateless HelloRetryRequests sent with a cookie
 * @param cookiesVerified ClientHellos whose cookie proved the client's address
 * @param cookiesRejected ClientHellos whose cookie was forged, expired, malformed or for another address
 * @param recordsReceived authentic records of any type
 * @param recordsDelivered application datagrams handed to the application (by {@code receive} or the
 *     listener)
 * @param recordsDropped records and datagrams dropped, by reason (every reason is present)
 * @param bytesIn UDP payload bytes received
 * @param bytesOut UDP payload bytes sent
 * @param keyUpdates KeyUpdates completed, in either direction
 * @param admissionRejections new handshakes not admitted, by the limit that stopped them (every limit
 *     is present); the server answers those with nothing
 */
public record ServerMetrics(int handshaking, int established, long handshakesStarted, long handshakesCompleted,
        long handshakesResumed, Map<DtlsAlert, Long> handshakesFailed, long cookiesIssued, long cookiesVerified, long cookiesRejected,
        long recordsReceived, long recordsDelivered, Map<DropReason, Long> recordsDropped, long bytesIn,
        long bytesOut, long keyUpdates, Map<Limit, Long> admissionRejections) {

    /** Why a record or datagram was dropped. */
    public enum DropReason {
        /** A record seen before (RFC 9147 §4.5.1 replay window). */
        REPLAY,
        /** A record that failed AEAD authentication (forged or corrupted). */
        AUTHENTICATION_FAILURE,
        /** Records that do not parse, for an unknown epoch, or of a type not allowed at that point. */
        MALFORMED,
        /** Datagrams from a source without a connection that are not a usable ClientHello. */
        UNKNOWN_CONNECTION,
        /** Application datagrams that found the connection's receive queue full. */
        QUEUE_FULL
    }

    /** The admission limits of {@link DtlsConfig} that can refuse a new handshake. */
    public enum Limit {
        /** {@link DtlsConfig#handshakesPerSecondPerSource()} (token bucket per source address). */
        HANDSHAKE_RATE_PER_SOURCE,
        /** {@link DtlsConfig#maxHandshakes()}. */
        HANDSHAKES,
        /** {@link DtlsConfig#maxConnections()}. */
        CONNECTIONS,
        /** {@link DtlsConfig#maxConnectionsPerSource()}. */
        CONNECTIONS_PER_SOURCE
    }

    public ServerMetrics {
        EnumMap<DtlsAlert, Long> failed = new EnumMap<>(DtlsAlert.class);
        failed.putAll(handshakesFailed);
        failed.values().removeIf(n -> n == 0);
        handshakesFailed = Collections.unmodifiableMap(failed);
        recordsDropped = complete(recordsDropped, DropReason.class);
        admissionRejections = complete(admissionRejections, Limit.class);
    }

    private static <E extends Enum<E>> Map<E, Long> complete(Map<E, Long> counts, Class<E> type) {
        EnumMap<E, Long> all = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            all.put(e, counts.getOrDefault(e, 0L));
        }
        return Collections.unmodifiableMap(all);
    }

    /** Failed handshakes, whatever the alert. */
    public long handshakesFailedTotal() {
        return handshakesFailed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Dropped records and datagrams, whatever the reason. */
    public long recordsDroppedTotal() {
        return recordsDropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Handshakes refused by an admission limit, whatever the limit. */
    public long admissionRejectionsTotal() {
        return admissionRejections.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * One line for logs and consoles, e.g. {@code connections=3 (handshaking=1) handshakes: started=4
     * completed=3 resumed=1 failed=1 {handshake_failure=1} cookies: issued=4 ...}.
     */
    public String summary() {
        return "connections=" + (handshaking + established) + " (handshaking=" + handshaking + ")"
                + " handshakes: started=" + handshakesStarted + " completed=" + handshakesCompleted + " resumed=" + handshakesResumed
                + " failed=" + handshakesFailedTotal() + nonZero(handshakesFailed)
                + " cookies: issued=" + cookiesIssued + " verified=" + cookiesVerified + " rejected=" + cookiesRejected
                + " records: received=" + recordsReceived + " delivered=" + recordsDelivered
                + " dropped=" + recordsDroppedTotal() + nonZero(recordsDropped)
                + " bytes: in=" + bytesIn + " out=" + bytesOut + " key-updates=" + keyUpdates
                + " rejected=" + admissionRejectionsTotal() + nonZero(admissionRejections);
    }

    private static String nonZero(Map<? extends Enum<?>, Long> counts) {
        String s = counts.entrySet().stream().filter(e -> e.getValue() != 0)
                .map(e -> e.getKey().name().toLowerCase(java.util.Locale.ROOT) + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return s.isEmpty() ? "" : " {" + s + "}";
    }
}
