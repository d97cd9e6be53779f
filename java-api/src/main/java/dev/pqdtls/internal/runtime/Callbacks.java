package dev.pqdtls.internal.runtime;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServerListener;
import dev.pqdtls.ServerMetrics.DropReason;
import dev.pqdtls.internal.server.ServerCounters;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands a server's events to its {@link DtlsServerListener}: on the event loop that owns the
 * connection (the loop calls these with no lock held), or, with a callback executor, through each
 * connection's {@link Serial} queue — in order and one at a time per connection, the datagrams waiting
 * there bounded by the receive queue capacity.
 */
final class Callbacks {
    private final DtlsServerListener listener;
    private final Executor executor;
    private final int queueCapacity;
    private final ServerCounters counters;

    Callbacks(DtlsServerListener listener, Executor executor, int queueCapacity, ServerCounters counters) {
        this.listener = listener;
        this.executor = executor;
        this.queueCapacity = queueCapacity;
        this.counters = counters;
    }

    /** A connection's queue for the executor, or null when callbacks run on the loop. */
    Serial serialFor() {
        return executor == null ? null : new Serial(executor);
    }

    void connected(ConnectionHandle h) {
        run(h, () -> listener.onConnected(h));
    }

    void datagrams(ConnectionHandle h, List<byte[]> datagrams) {
        Serial q = h.admitted.callbacks;
        if (q == null) {
            listener.onDatagrams(h, datagrams);
            return;
        }
        int waiting = q.datagrams.addAndGet(datagrams.size());
        if (waiting > queueCapacity) {
            q.datagrams.addAndGet(-datagrams.size());
            counters.dropped(DropReason.QUEUE_FULL, datagrams.size());
            return;
        }
        q.submit(() -> {
            q.datagrams.addAndGet(-datagrams.size());
            listener.onDatagrams(h, datagrams);
        });
    }

    void closed(ConnectionHandle h, DtlsException reason) {
        run(h, () -> listener.onClosed(h, reason));
    }

    void handshakeFailed(InetSocketAddress peer, DtlsAlert alert, String reason) {
        Runnable r = () -> listener.onHandshakeFailed(peer, alert, reason);
        if (executor == null) {
            r.run();
        } else {
            execute(executor, r);
        }
    }

    private static void run(ConnectionHandle h, Runnable r) {
        if (h.admitted.callbacks == null) {
            r.run();
        } else {
            h.admitted.callbacks.submit(r);
        }
    }

    private static void execute(Executor executor, Runnable r) {
        try {
            executor.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    EventLoop.LOG.warn("pqdtls: a listener callback threw; the server carries on", e);
                }
            });
        } catch (RejectedExecutionException e) {
            EventLoop.LOG.warn("pqdtls: the callback executor refused a listener callback; it is lost", e);
        }
    }

    /** One connection's callbacks on the executor: in order, never two at once. */
    static final class Serial implements Runnable {
        private final Executor executor;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        /** Datagrams queued here and not yet handed to the listener. */
        final AtomicInteger datagrams = new AtomicInteger();

        Serial(Executor executor) {
            this.executor = executor;
        }

        void submit(Runnable task) {
            tasks.add(task);
            if (scheduled.compareAndSet(false, true)) {
                execute(executor, this);
            }
        }

        @Override
        public void run() {
            do {
                for (Runnable t = tasks.poll(); t != null; t = tasks.poll()) {
                    try {
                        t.run();
                    } catch (RuntimeException e) {
                        EventLoop.LOG.warn("pqdtls: a listener callback threw; the server carries on", e);
                    }
                }
                scheduled.set(false);
                // A task added after the last poll and before the flag dropped is ours to run.
            } while (!tasks.isEmpty() && scheduled.compareAndSet(false, true));
        }
    }
}
