package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.WorkspacePool;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * The native memory one batch call of {@link JnaRecordProtection} works in: descriptor arrays
 * (sequence numbers, pointers, lengths, outcomes) and a scratch area for heap buffers. Taken from a
 * small process-wide pool for the duration of a call and given back, so a connection holds no native
 * buffers of its own between calls: memory follows the number of threads working at once, not the
 * number of connections. Java fills and reads the arrays through buffer views (bulk copies, no JNI).
 */
final class BatchWorkspace {
    private static final int MIN_BATCH = 16;
    private static final int MIN_SCRATCH = 16 * 1024;
    /** Workspaces kept for reuse; more than this many in use at once are dropped when given back. */
    private static final WorkspacePool<BatchWorkspace> POOL = new WorkspacePool<>(BatchWorkspace::new,
            WorkspacePool.DEFAULT_LIMIT);

    int capacity;
    private NativeMemory arrays;
    long seqs;
    long aadPtrs;
    long recordPtrs;
    long aadLens;
    long recordLens;
    long status;
    long contentOffsets;
    long contentLengths;
    long window;
    LongBuffer seqsView;
    LongBuffer aadPtrsView;
    LongBuffer recordPtrsView;
    LongBuffer windowView;
    IntBuffer aadLensView;
    IntBuffer recordLensView;
    IntBuffer statusView;
    IntBuffer contentOffsetsView;
    IntBuffer contentLengthsView;
    NativeMemory scratch;
    /** Scratch bytes written during this use: wiped before the workspace goes back (plaintext passes through). */
    long scratchUsed;
    /** Per record of the current batch: its offset in scratch, or -1 when it is a direct buffer. */
    int[] scratchOffset = new int[0];

    private BatchWorkspace() {
    }

    static BatchWorkspace acquire(int count, long scratchBytes) {
        BatchWorkspace w = POOL.take();
        w.ensureCapacity(count, scratchBytes);
        return w;
    }

    /** Gives the workspace back (wiping what plaintext went through its scratch). */
    void release() {
        if (scratchUsed > 0) {
            scratch.wipe(scratchUsed);
            scratchUsed = 0;
        }
        POOL.giveBack(this); // beyond the limit the memory goes with the object
    }

    private void ensureCapacity(int count, long scratchBytes) {
        if (count > capacity) {
            int n = Math.max(count, Math.max(MIN_BATCH, 2 * capacity));
            arrays = NativeMemory.allocate((long) n * (3 * Long.BYTES + 6 * Integer.BYTES) + dev.pqdtls.nativeabi.BatchedRecordProtection.WINDOW_LONGS * Long.BYTES, 64);
            long at = arrays.address;
            seqs = at;
            aadPtrs = seqs + (long) n * Long.BYTES;
            recordPtrs = aadPtrs + (long) n * Long.BYTES;
            window = recordPtrs + (long) n * Long.BYTES;
            aadLens = window + (long) dev.pqdtls.nativeabi.BatchedRecordProtection.WINDOW_LONGS * Long.BYTES;
            recordLens = aadLens + (long) n * Integer.BYTES;
            status = recordLens + (long) n * Integer.BYTES;
            contentOffsets = status + (long) n * Integer.BYTES;
            contentLengths = contentOffsets + (long) n * Integer.BYTES;
            seqsView = longs(seqs, n);
            aadPtrsView = longs(aadPtrs, n);
            recordPtrsView = longs(recordPtrs, n);
            windowView = longs(window, dev.pqdtls.nativeabi.BatchedRecordProtection.WINDOW_LONGS);
            aadLensView = ints(aadLens, n);
            recordLensView = ints(recordLens, n);
            statusView = ints(status, n);
            contentOffsetsView = ints(contentOffsets, n);
            contentLengthsView = ints(contentLengths, n);
            scratchOffset = new int[n];
            capacity = n;
        }
        if (scratch == null || scratchBytes > scratch.size()) {
            long size = Math.max(scratchBytes, Math.max(MIN_SCRATCH, scratch == null ? 0 : 2 * scratch.size()));
            if (scratch != null) {
                scratch.wipe(scratch.size());
            }
            scratch = NativeMemory.allocate(size, 16);
        }
    }

    private LongBuffer longs(long address, int n) {
        int from = (int) (address - arrays.address);
        return arrays.buffer.duplicate().order(arrays.buffer.order()).position(from).limit(from + n * Long.BYTES)
                .slice().order(arrays.buffer.order()).asLongBuffer();
    }

    private IntBuffer ints(long address, int n) {
        int from = (int) (address - arrays.address);
        return arrays.buffer.duplicate().order(arrays.buffer.order()).position(from).limit(from + n * Integer.BYTES)
                .slice().order(arrays.buffer.order()).asIntBuffer();
    }
}
