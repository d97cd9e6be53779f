package dev.pqdtls.nativeabi;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * A small process-wide pool of native workspaces for the batch calls: taken for one call and given
 * back, so a connection holds no native buffers of its own between calls and memory follows the
 * number of threads working at once, not the number of connections. The most recently used is handed
 * out first (it is the warmest); beyond the limit, returned ones are dropped.
 */
public final class WorkspacePool<W> {
    /** Workspaces kept for reuse by default: a few per processor. */
    public static final int DEFAULT_LIMIT = 2 * Runtime.getRuntime().availableProcessors() + 8;

    private final ArrayDeque<W> pool = new ArrayDeque<>();
    private final Supplier<W> create;
    private final int limit;

    public WorkspacePool(Supplier<W> create, int limit) {
        this.create = create;
        this.limit = limit;
    }

    /** A pooled workspace, or a new one. */
    public W take() {
        W w;
        synchronized (pool) {
            w = pool.pollFirst();
        }
        return w != null ? w : create.get();
    }

    /** Gives {@code w} back; false when the pool is full and the caller should free it. */
    public boolean giveBack(W w) {
        synchronized (pool) {
            if (pool.size() < limit) {
                pool.addFirst(w);
                return true;
            }
        }
        return false;
    }
}
