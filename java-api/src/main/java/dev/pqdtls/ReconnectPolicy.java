package dev.pqdtls;

import java.time.Duration;
import java.util.Objects;

/**
 * Opt-in reconnection for client connections ({@link DtlsConfig.Builder#reconnect}): when a
 * connection fails or the server closes it, the client handshakes again after an exponential backoff
 * with jitter — delays of {@code initialBackoff}, doubling up to {@code maxBackoff}, each drawn
 * uniformly from its upper half — until it succeeds, {@code maxAttempts} attempts failed, or
 * {@code budget} has passed since the connection was lost. Closing the connection yourself never
 * triggers it.
 *
 * <p>Meanwhile the {@link DtlsConnection} object stays the same: {@code isOpen()} is false and
 * {@code send} throws {@link DtlsException} (UDP gives no delivery promise, so nothing is queued),
 * {@code receive} waits across the reconnection and throws only once the client gave up. A new
 * connection offers the ticket the server sent on the lost one, so it resumes the session where the
 * server still accepts the ticket ({@link SessionInfo#resumed()}), else it makes a full handshake.
 *
 * @param maxAttempts attempts per loss of connection, 1..1,000
 * @param initialBackoff delay before the first attempt, 1 ms..1 min
 * @param maxBackoff longest delay between attempts, at least {@code initialBackoff}, at most 1 h
 * @param budget time from the loss of the connection after which no new attempt starts, 1 s..1 day
 * @param listener told about every attempt (runs on the reconnecting thread; may block briefly)
 */
public record ReconnectPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget,
        Listener listener) {

    /** What a reconnecting client reports. Every method has an empty default. */
    public interface Listener {
        /** The connection was lost; {@code cause} says why. */
        default void onDisconnected(DtlsException cause) {
        }

        /** Attempt {@code attempt} (from 1) starts now, after waiting {@code delay}. */
        default void onAttempt(int attempt, Duration delay) {
        }

        /** Attempt {@code attempt} failed. */
        default void onAttemptFailed(int attempt, Exception failure) {
        }

        /** Attempt {@code attempt} completed a handshake. */
        default void onReconnected(int attempt, SessionInfo session) {
        }

        /** No more attempts: the connection is closed for good; {@code lastFailure} is the last reason. */
        default void onGaveUp(int attempts, Exception lastFailure) {
        }
    }

    /**
     * @throws IllegalArgumentException naming the component and its bounds
     */
    public ReconnectPolicy {
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new IllegalArgumentException("reconnect maxAttempts must be in [1, 1000], was " + maxAttempts);
        }
        within("initialBackoff", initialBackoff, Duration.ofMillis(1), Duration.ofMinutes(1));
        within("maxBackoff", maxBackoff, initialBackoff, Duration.ofHours(1));
        within("budget", budget, Duration.ofSeconds(1), Duration.ofDays(1));
        Objects.requireNonNull(listener, "reconnect listener (use a no-op one: new ReconnectPolicy.Listener() {})");
    }

    /** Up to {@code maxAttempts} attempts from 200 ms doubling to 10 s, within 1 min, reporting nothing. */
    public static ReconnectPolicy attempts(int maxAttempts) {
        return new ReconnectPolicy(maxAttempts, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(1),
                new Listener() { });
    }

    /** The same policy reporting to {@code l}. */
    public ReconnectPolicy withListener(Listener l) {
        return new ReconnectPolicy(maxAttempts, initialBackoff, maxBackoff, budget, l);
    }

    /** The same policy with other delays and budget. */
    public ReconnectPolicy withBackoff(Duration initial, Duration max, Duration totalBudget) {
        return new ReconnectPolicy(maxAttempts, initial, max, totalBudget, listener);
    }

    /**
     * The delay before attempt {@code attempt} (from 1): {@code initialBackoff * 2^(attempt-1)} capped at
     * {@code maxBackoff}, then a uniform draw from its upper half ({@code random} in [0, 1)).
     */
    public Duration delay(int attempt, double random) {
        long cap = maxBackoff.toNanos();
        long full = Math.min(initialBackoff.toNanos(), cap);
        for (int i = 1; i < attempt && full < cap; i++) { // at most ~22 doublings from 1 ms to 1 h
            full = Math.min(cap, full * 2);
        }
        return Duration.ofNanos(full / 2 + (long) (random * (full - full / 2)));
    }

    private static void within(String name, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException("reconnect " + name + " must be in [" + min + ", " + max + "], was " + d);
        }
    }
}
