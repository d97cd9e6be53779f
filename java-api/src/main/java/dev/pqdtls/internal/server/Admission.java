package dev.pqdtls.internal.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's counts of what it holds, kept as events happen (never by scanning connections):
 * connections in total, handshakes in progress among them. Shared by every event loop of a server.
 */
public final class Admission {
    private final int maxConnections;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();

    public Admission(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /** Whether a new client may be admitted now ({@code maxConnections} not reached). */
    public boolean roomForAnother() {
        return connections.get() < maxConnections;
    }

    /** A connection was created for a client whose address is proven (or not asked for). */
    public void handshakeStarted() {
        connections.incrementAndGet();
        handshakes.incrementAndGet();
    }

    public void handshakeCompleted() {
        handshakes.decrementAndGet();
    }

    /** A connection ended; {@code established} says whether its handshake had completed. */
    public void connectionEnded(boolean established) {
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
}
