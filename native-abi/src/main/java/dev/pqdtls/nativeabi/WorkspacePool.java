package dev.pqdtls.nativeabi;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * A small process-wide pool of native workspaces for the batch calls: taken for one call and given
 * back, so a connection holds no native buffers of its own between calls and memory follows the
 * number of threads working at once, not the number of connections. The pool is striped by thread
 * (one lock per stripe, a stripe per processor or so), so event loops on many cores do not contend
 * on one lock per batch. The most recently used is handed out first (it is the warmest); beyond a
 * stripe's share of the limit, returned ones are dropped.
 */
public final class WorkspacePool<W> {
    /** Workspaces kept for reuse by default: a few per processor. */
    public static final int DEFAULT_LIMIT = 2 * Runtime.getRuntime().availableProcessors() + 8;

    private final ArrayDeque<W>[] stripes;
    private final Supplier<W> create;
    private final int perStripe;

    @SuppressWarnings("unchecked")
    public WorkspacePool(Supplier<W> create, int limit) {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1);
        this.stripes = new ArrayDeque[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new ArrayDeque<>();
        }
        this.create = create;
        this.perStripe = Math.max(2, limit / n);
    }

    private ArrayDeque<W> stripe() {
        return stripes[(int) Thread.currentThread().getId() & (stripes.length - 1)];
    }

    /** A pooled workspace, or a new one. */
    public W take() {
        ArrayDeque<W> pool = stripe();
        W w;
        synchronized (pool) {
            w = pool.pollFirst();
        }
        return w != null ? w : create.get();
    }

    /** Gives {@code w} back; false when the pool is full and the caller should free it. */
    public boolean giveBack(W w) {
        ArrayDeque<W> pool = stripe();
        synchronized (pool) {
            if (pool.size() < perStripe) {
                pool.addFirst(w);
                return true;
            }
        }
        return false;
    }
}
