package dev.pqdtls.internal.reliability;

import java.time.Duration;

/**
 * The flight retransmission timer of RFC 9147 §5.8.2: start at the initial value, double on each
 * expiry up to 60 s, stop when the peer's next flight or an ACK arrives. The value is kept for the
 * next flight until a round trip is measured ({@link #adjustToRoundTrip}) or the connection idles
 * ({@link #reset}). Pure bookkeeping in milliseconds against a caller-supplied clock, testable without waiting.
 */
public final class RetransmitTimer {
    /** RFC 9147 §5.8.2: the timer doubles up to 60 seconds. */
    public static final Duration MAX = Duration.ofSeconds(60);
    /**
     * Floor of a value set from a measured round trip: 100 ms, the initial value the drafts of RFC 9147
     * recommended (RFC 6298's minimum). A round trip on loopback is far shorter than the time a peer
     * may take to compute its next flight.
     */
    public static final long MIN_ROUND_TRIP_MILLIS = 100;

    private final long initialMillis;
    private long currentMillis;
    private long deadline = Long.MAX_VALUE;
    private int expiries;

    public RetransmitTimer(Duration initial) {
        if (initial.isNegative() || initial.isZero() || initial.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("initial retransmission timeout must be in (0, 60 s], was " + initial);
        }
        this.initialMillis = initial.toMillis();
        this.currentMillis = initialMillis;
    }

    /** Arms the timer after a flight was sent at {@code nowMillis}. */
    public void arm(long nowMillis) {
        deadline = nowMillis + currentMillis;
    }

    /**
     * Stops the timer: the flight was acknowledged or answered. The current value stays (RFC 9147
     * §5.8.2: "retain the current timer value until a message is transmitted and acknowledged without
     * having to be retransmitted").
     */
    public void stop() {
        deadline = Long.MAX_VALUE;
        expiries = 0;
    }

    /** Back to the initial value (after a long idle time, RFC 9147 §5.8.2). */
    public void reset() {
        currentMillis = initialMillis;
    }

    /**
     * A flight got through and its round trip is known without ambiguity: the timer becomes 1.5 times
     * that round trip (RFC 9147 §5.8.2), at least {@link #MIN_ROUND_TRIP_MILLIS} (or the initial value,
     * if configured lower) and at most 60 s.
     */
    public void adjustToRoundTrip(long roundTripMillis) {
        long floor = Math.min(MIN_ROUND_TRIP_MILLIS, initialMillis);
        currentMillis = Math.max(floor, Math.min(roundTripMillis * 3 / 2, MAX.toMillis()));
    }

    public boolean armed() {
        return deadline != Long.MAX_VALUE;
    }

    /** Milliseconds until expiry (0 if due), or {@link Long#MAX_VALUE} when stopped. */
    public long remaining(long nowMillis) {
        return armed() ? Math.max(0, deadline - nowMillis) : Long.MAX_VALUE;
    }

    /**
     * If the timer has expired, doubles the timeout, re-arms it and returns true: the caller
     * retransmits the flight.
     */
    public boolean expire(long nowMillis) {
        if (!armed() || nowMillis < deadline) {
            return false;
        }
        expiries++;
        currentMillis = Math.min(currentMillis * 2, MAX.toMillis());
        deadline = nowMillis + currentMillis;
        return true;
    }

    /** How many times the current flight has timed out. */
    public int expiries() {
        return expiries;
    }

    /** The timeout the next arm() or expiry uses. */
    public long currentMillis() {
        return currentMillis;
    }
}
