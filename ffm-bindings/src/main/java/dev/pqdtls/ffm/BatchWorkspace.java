package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.nativeabi.WorkspacePool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The native memory one batch call of {@link NativeRecordProtection} works in: descriptor arrays
 * (sequence numbers, pointers, lengths, outcomes) and a scratch area for heap buffers. Taken from a
 * small process-wide pool for the duration of a call and given back, so a connection holds no native
 * buffers of its own between calls (RFC-sized keys are all it keeps): memory follows the number of
 * threads working at once, not the number of connections.
 */
final class BatchWorkspace {
    private static final int MIN_BATCH = 16;
    private static final long MIN_SCRATCH = 16 * 1024;
    /** Workspaces kept for reuse; more than this many in use at once are freed when given back. */
    private static final WorkspacePool<BatchWorkspace> POOL = new WorkspacePool<>(BatchWorkspace::new,
            WorkspacePool.DEFAULT_LIMIT);

    private Arena arena;
    int capacity;
    MemorySegment seqs;
    MemorySegment aadPtrs;
    MemorySegment aadLens;
    MemorySegment recordPtrs;
    MemorySegment recordLens;
    MemorySegment status;
    MemorySegment contentOffsets;
    MemorySegment contentLengths;
    MemorySegment window;
    MemorySegment scratch = MemorySegment.NULL;
    /** Scratch bytes written during this use: wiped before the workspace goes back (plaintext passes through). */
    long scratchUsed;
    long[] pointerStage = new long[0];
    int[] lengthStage = new int[0];
    /** Per record of the current batch: its offset in scratch, or -1 when it is a direct buffer. */
    long[] scratchOffset = new long[0];

    private BatchWorkspace() {
    }

    /** A workspace for {@code count} records and {@code scratchBytes} of staged heap data. */
    static BatchWorkspace acquire(int count, long scratchBytes) {
        BatchWorkspace w = POOL.take();
        try {
            w.ensureCapacity(count, scratchBytes);
        } catch (RuntimeException | Error e) {
            w.free();
            throw e;
        }
        return w;
    }

    /** Gives the workspace back (wiping what plaintext went through its scratch). */
    void release() {
        if (scratchUsed > 0) {
            scratch.asSlice(0, Math.min(scratchUsed, scratch.byteSize())).fill((byte) 0);
            scratchUsed = 0;
        }
        if (!POOL.giveBack(this)) {
            free();
        }
    }

    /** Grows the descriptor arrays and scratch (never shrinks), replacing the arena if needed. */
    private void ensureCapacity(int count, long scratchBytes) {
        if (count <= capacity && scratchBytes <= scratch.byteSize()) {
            return;
        }
        int newCapacity = Math.max(count, Math.max(MIN_BATCH, capacity));
        long newScratch = Math.max(scratchBytes, Math.max(MIN_SCRATCH, scratch.byteSize()));
        if (count > capacity && capacity > 0) {
            newCapacity = Math.max(newCapacity, capacity * 2);
        }
        if (scratchBytes > scratch.byteSize() && scratch.byteSize() > 0) {
            newScratch = Math.max(newScratch, scratch.byteSize() * 2);
        }
        Arena next = Arena.ofShared();
        try {
            seqs = next.allocate(JAVA_LONG, newCapacity);
            aadPtrs = next.allocate(JAVA_LONG, newCapacity);
            recordPtrs = next.allocate(JAVA_LONG, newCapacity);
            aadLens = next.allocate(JAVA_INT, newCapacity);
            recordLens = next.allocate(JAVA_INT, newCapacity);
            status = next.allocate(JAVA_INT, newCapacity);
            MemorySegment newScratchSegment = next.allocate(newScratch, 16);
            contentOffsets = next.allocate(JAVA_INT, newCapacity);
            contentLengths = next.allocate(JAVA_INT, newCapacity);
            window = next.allocate(JAVA_LONG, dev.pqdtls.nativeabi.BatchedRecordProtection.WINDOW_LONGS);
            free();
            scratch = newScratchSegment;
        } catch (RuntimeException | Error e) {
            next.close();
            throw e;
        }
        arena = next;
        capacity = newCapacity;
        scratchOffset = new long[newCapacity];
        pointerStage = new long[newCapacity];
        lengthStage = new int[newCapacity];
    }

    private void free() {
        if (arena != null) {
            scratch.fill((byte) 0);
            arena.close();
            arena = null;
            scratch = MemorySegment.NULL;
            capacity = 0;
        }
    }
}
