package dev.pqdtls.internal.psk;

import dev.pqdtls.DtlsConfig;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * 0-RTT anti-replay for one server (RFC 8446 §8.2, ClientHello recording with a freshness check,
 * §8.3): early data is accepted only from a ClientHello whose ticket age the client reports within
 * {@link #WINDOW_MILLIS} of the age the ticket says, and only the first time its binder is seen
 * within that window. A copy replayed later is stale; one replayed sooner is remembered. Bounded:
 * when full, early data is refused (the handshake goes on without it). Shared by a server's loops;
 * servers sharing ticket keys do not share it (documented at {@link DtlsConfig.Builder#maxEarlyData}).
 */
public final class EarlyDataGuard {
    /** How far the reported and the known ticket age may differ, and how long binders are kept. */
    public static final long WINDOW_MILLIS = 10_000;
    static final int CAPACITY = 100_000;
    private static final Map<DtlsConfig, EarlyDataGuard> BY_CONFIG = new WeakHashMap<>();

    private record Seen(long atMillis, ByteBuffer binder) {
    }

    private final ArrayDeque<Seen> order = new ArrayDeque<>();
    private final Set<ByteBuffer> seen = new HashSet<>();

    /** The guard of the server(s) built from {@code config}. */
    public static synchronized EarlyDataGuard of(DtlsConfig config) {
        return BY_CONFIG.computeIfAbsent(config, c -> new EarlyDataGuard());
    }

    /**
     * Whether early data may be accepted from a ClientHello with this binder.
     *
     * @param reportedAgeMillis the client's ticket age (obfuscated age minus age_add)
     * @param actualAgeMillis the age by the ticket's issue time
     */
    public synchronized boolean admit(byte[] binder, long reportedAgeMillis, long actualAgeMillis, long nowMillis) {
        if (Math.abs(reportedAgeMillis - actualAgeMillis) > WINDOW_MILLIS) {
            return false;
        }
        while (!order.isEmpty() && nowMillis - order.peekFirst().atMillis() > 2 * WINDOW_MILLIS) {
            seen.remove(order.pollFirst().binder());
        }
        ByteBuffer key = ByteBuffer.wrap(binder.clone());
        if (seen.contains(key) || seen.size() >= CAPACITY) {
            return false;
        }
        seen.add(key);
        order.addLast(new Seen(nowMillis, key));
        return true;
    }
}
