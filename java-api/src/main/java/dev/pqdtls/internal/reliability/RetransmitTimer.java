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
     * that round trip (RFC 9147 §5.8.2), at least the initial value and at most 60 s. The floor is the
     * configured initial value because a measured round trip often excludes the peer's work on its
     * next flight (a HelloRetryRequest is answered statelessly at once, a ServerHello after key
     * exchange and signing, behind every other handshake in a burst): timing out on it would resend
     * flights that are merely queued. A deployment that knows its network is fast sets a lower initial
     * value (§5.8.2: 1000 ms unless deployment-specific information says otherwise).
     */
    public void adjustToRoundTrip(long roundTripMillis) {
        currentMillis = Math.max(initialMillis, Math.min(roundTripMillis * 3 / 2, MAX.toMillis()));
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
