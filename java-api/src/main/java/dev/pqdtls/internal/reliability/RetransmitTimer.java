package dev.pqdtls.internal.reliability;

import java.time.Duration;

/**
 * The flight retransmission timer of RFC 9147 §5.8: start at the initial value, double on each
 * expiry up to a ceiling, reset when the peer's next flight or an ACK arrives. Pure bookkeeping
 * in milliseconds against a caller-supplied clock so it can be tested without waiting.
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

    /** Stops the timer: the flight was acknowledged or answered. Backoff restarts from the initial value. */
    public void stop() {
        deadline = Long.MAX_VALUE;
        currentMillis = initialMillis;
        expiries = 0;
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
