package dev.pqdtls.internal.runtime;

import dev.pqdtls.ServerMetrics.DropReason;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.server.ServerCounters;
import java.net.InetAddress;

/**
 * A server's bookkeeping for one admitted client: the source address its admission counted against,
 * the engine counters already added to the server's totals (so each activity adds only what changed —
 * a handful of field reads, no allocation), and the queue of its listener callbacks when they run on
 * an executor.
 */
final class AdmittedClient {
    final InetAddress source;
    private final ServerCounters counters;
    private final boolean toListener;
    /** Callbacks waiting for the executor, in order; null when they run on the event loop. */
    final Callbacks.Serial callbacks;
    private long recordsReceived;
    private long dropped;
    private long replayed;
    private long failedAuthentication;
    private long queueFull;
    private long keyUpdates;

    AdmittedClient(InetAddress source, ServerCounters counters, boolean toListener, Callbacks.Serial callbacks) {
        this.source = source;
        this.counters = counters;
        this.toListener = toListener;
        this.callbacks = callbacks;
    }

    /** Whether received datagrams go to the server's listener rather than {@code receive}. */
    boolean toListener() {
        return toListener;
    }

    void delivered(int datagrams) {
        counters.recordsDelivered.add(datagrams);
    }

    /** Adds what the engine counted since the last look to the server's totals (connection lock held). */
    void harvest(Connection c) {
        long n = c.recordsReceived();
        if (n != recordsReceived) {
            counters.recordsReceived.add(n - recordsReceived);
            recordsReceived = n;
        }
        long d = c.recordsDropped();
        if (d != dropped) {
            long r = c.recordsReplayed();
            long a = c.recordsFailedAuthentication();
            counters.dropped(DropReason.REPLAY, r - replayed);
            counters.dropped(DropReason.AUTHENTICATION_FAILURE, a - failedAuthentication);
            counters.dropped(DropReason.MALFORMED, (d - dropped) - (r - replayed) - (a - failedAuthentication));
            dropped = d;
            replayed = r;
            failedAuthentication = a;
        }
        long q = c.datagramsDropped();
        if (q != queueFull) {
            counters.dropped(DropReason.QUEUE_FULL, q - queueFull);
            queueFull = q;
        }
        long k = c.keyUpdates();
        if (k != keyUpdates) {
            counters.keyUpdates.add(k - keyUpdates);
            keyUpdates = k;
        }
    }
}
