package dev.pqdtls.internal.server;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.ServerMetrics.Limit;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's admission limits and the counts they need, kept as events happen (never by scanning
 * connections): connections in total and per source address, handshakes in progress, and the
 * per-source handshake rate ({@link HandshakeRate}). Shared by every event loop of a server; every
 * check is O(1). A new handshake is either admitted and counted, or refused with the {@link Limit}
 * that stopped it, and the refusal is counted.
 */
public final class Admission {
    private final int maxConnections;
    private final int maxHandshakes;
    private final int maxPerSource;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    /** Connections per source address: only admitted clients, so bounded by maxConnections. */
    private final ConcurrentHashMap<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    private final HandshakeRate rate;
    private final LongAdder[] rejections = new LongAdder[Limit.values().length];

    public Admission(DtlsConfig config, long seed) {
        this.maxConnections = config.maxConnections();
        this.maxHandshakes = config.maxHandshakes();
        this.maxPerSource = config.maxConnectionsPerSource();
        this.rate = config.handshakesPerSecondPerSource() == 0 ? null
                : new HandshakeRate(config.handshakesPerSecondPerSource(), config.handshakeBurstPerSource(), seed);
        for (int i = 0; i < rejections.length; i++) {
            rejections[i] = new LongAdder();
        }
    }

    /**
     * Whether a server-wide cap is reached now (checked before answering a ClientHello at all:
     * beyond the caps the server answers nothing). Counts the refusal.
     *
     * @return the cap reached, or null when there is room
     */
    public Limit capReached() {
        Limit l = connections.get() >= maxConnections ? Limit.CONNECTIONS
                : handshakes.get() >= maxHandshakes ? Limit.HANDSHAKES : null;
        return l == null ? null : refused(l);
    }

    /**
     * Admits a new handshake from {@code source}, counting it as a connection and a handshake in
     * progress, or refuses it.
     *
     * @return null when admitted, else the limit that refused it (counted)
     */
    public Limit tryStart(InetAddress source, long nowMillis) {
        if (connections.incrementAndGet() > maxConnections) {
            connections.decrementAndGet();
            return refused(Limit.CONNECTIONS);
        }
        if (handshakes.incrementAndGet() > maxHandshakes) {
            handshakes.decrementAndGet();
            connections.decrementAndGet();
            return refused(Limit.HANDSHAKES);
        }
        boolean[] full = {false};
        perSource.compute(source, (a, n) -> {
            int held = n == null ? 0 : n;
            full[0] = held >= maxPerSource;
            return full[0] ? n : held + 1;
        });
        Limit refusal = full[0] ? Limit.CONNECTIONS_PER_SOURCE
                : rate != null && !rate.tryAcquire(source, nowMillis) ? Limit.HANDSHAKE_RATE_PER_SOURCE : null;
        if (refusal != null) {
            if (!full[0]) {
                releaseSource(source);
            }
            handshakes.decrementAndGet();
            connections.decrementAndGet();
            return refused(refusal);
        }
        return null;
    }

    private Limit refused(Limit l) {
        rejections[l.ordinal()].increment();
        return l;
    }

    private void releaseSource(InetAddress source) {
        perSource.computeIfPresent(source, (a, n) -> n <= 1 ? null : n - 1);
    }

    public void handshakeCompleted() {
        handshakes.decrementAndGet();
    }

    /** A connection admitted from {@code source} ended; {@code established} says whether its handshake had completed. */
    public void connectionEnded(InetAddress source, boolean established) {
        releaseSource(source);
        connections.decrementAndGet();
        if (!established) {
            handshakes.decrementAndGet();
        }
    }

    public int connections() {
        return connections.get();
    }

    public int handshakesInProgress() {
        return handshakes.get();
    }

    /** Refusals so far, by limit. */
    public Map<Limit, Long> rejections() {
        Map<Limit, Long> m = new EnumMap<>(Limit.class);
        for (Limit l : Limit.values()) {
            m.put(l, rejections[l.ordinal()].sum());
        }
        return m;
    }
}
