package dev.pqdtls.internal.engine;

import dev.pqdtls.internal.reliability.Ack;
import dev.pqdtls.internal.reliability.RetransmitTimer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The ACKs we owe the peer (RFC 9147 §7): the records of its current flight that we processed or
 * buffered, and when to tell it about a flight that arrives only in part (§7.1). During the handshake
 * a partial flight is acknowledged a quarter of our retransmission timer after its first record, or at
 * once when a message or fragment arrives out of order, and again at doubling intervals while the rest
 * does not come: the peer then resends only what is missing (§7.2) instead of waiting out its own
 * backed-off timer. A flight we answer with our own is acknowledged implicitly, so sending one starts
 * a new list.
 */
final class PeerFlightAcks {
    private static final Comparator<Ack.RecordNumber> NUMERIC = Comparator.comparingLong(Ack.RecordNumber::epoch)
            .thenComparingLong(Ack.RecordNumber::sequenceNumber);

    private final List<Ack.RecordNumber> records = new ArrayList<>();
    /** The message_seq the peer's current flight starts at (what it sends after our last flight). */
    private int flightFirstSeq;
    private long dueMillis = Long.MAX_VALUE;
    private long spacingMillis;
    private long lastSentMillis = Long.MIN_VALUE / 2;

    /** We sent a flight: the peer's next one starts at {@code nextPeerSeq}; the list starts over (§7). */
    void ourFlightSent(int nextPeerSeq) {
        records.clear();
        flightFirstSeq = nextPeerSeq;
        dueMillis = Long.MAX_VALUE;
    }

    /** Whether a message belongs to the peer's current flight (not to one we have answered already). */
    boolean ofCurrentFlight(int messageSeq) {
        return messageSeq >= flightFirstSeq;
    }

    void add(Ack.RecordNumber r) {
        records.add(r);
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    /**
     * Part of the peer's flight has arrived and ours cannot follow yet. Returns true when an ACK should
     * go out now: the arrival was out of order and no ACK went out within the current spacing.
     * Otherwise the ACK timer is set, if it is not yet, to a quarter of {@code timeoutMillis}.
     */
    boolean partialFlight(long nowMillis, long timeoutMillis, boolean outOfOrder) {
        if (records.isEmpty()) {
            return false;
        }
        if (dueMillis == Long.MAX_VALUE) {
            spacingMillis = Math.max(1, timeoutMillis / 4);
            dueMillis = nowMillis + spacingMillis;
        }
        if (outOfOrder && nowMillis - lastSentMillis >= spacingMillis) {
            lastSentMillis = nowMillis;
            return true;
        }
        return false;
    }

    /** When a partial-flight ACK is due (Long.MAX_VALUE if none). */
    long dueMillis() {
        return dueMillis;
    }

    /** The ACK timer fired: true if an ACK should go out; the next one waits twice as long. */
    boolean timerFired(long nowMillis) {
        if (records.isEmpty()) {
            dueMillis = Long.MAX_VALUE;
            return false;
        }
        lastSentMillis = nowMillis;
        spacingMillis = Math.min(spacingMillis * 2, RetransmitTimer.MAX.toMillis());
        dueMillis = nowMillis + spacingMillis;
        return true;
    }

    /** The records so far, in increasing order as an ACK lists them; the list is kept. */
    List<Ack.RecordNumber> sorted() {
        List<Ack.RecordNumber> out = new ArrayList<>(records);
        out.sort(NUMERIC);
        return out;
    }

    /** The records so far, in order, and a new list (a complete flight or post-handshake messages were ACKed). */
    List<Ack.RecordNumber> take() {
        List<Ack.RecordNumber> out = sorted();
        records.clear();
        dueMillis = Long.MAX_VALUE;
        return out;
    }
}
