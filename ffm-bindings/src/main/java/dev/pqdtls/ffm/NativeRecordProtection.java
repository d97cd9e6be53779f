package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.nativeabi.BatchedRecordProtection;
import dev.pqdtls.nativeabi.NativeStatus;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Record protection whose keys live in a native {@code pqdtls_rp} context (AEAD and record-number
 * mask under the keys of one direction and epoch). A batch of records is sealed or opened with one
 * downcall: Java fills preallocated descriptor arrays (sequence numbers, pointers, lengths) and C
 * walks them. Direct buffers go to C in place; heap buffers are staged through the scratch of a pooled workspace
 * that is reused, so steady-state batches allocate no native memory. A single record ({@link #seal},
 * {@link #open}: handshake messages, ACKs, alerts) goes to C in place, heap or direct, with one critical
 * downcall and no workspace. Whole received records are
 * opened by {@link #openRecords} (header, record number, replay window and AEAD in one downcall), and
 * {@link NativeDatagramEngine#sealAndSend} seals and sends with this context in one downcall.
 */
final class NativeRecordProtection extends BatchedRecordProtection {

    static {
        // Pointers are written into the descriptor arrays as 64-bit integers.
        if (ValueLayout.ADDRESS.byteSize() != Long.BYTES) {
            throw new ExceptionInInitializerError("pqdtls needs a 64-bit platform");
        }
    }

    /** The pqdtls_rp handle; NULL once closed. */
    private MemorySegment handle;

    private NativeRecordProtection(CipherSuite suite, MemorySegment handle) {
        super(suite);
        this.handle = handle;
    }

    /**
     * Keys the native context. The key bytes go to C straight from the caller's arrays (critical
     * downcall with heap access), so no extra copy of them is left in native memory.
     */
    static NativeRecordProtection create(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        checkKeys(suite, key, iv, recordNumberKey);
        long[] out = new long[1];
        int rc;
        try {
            rc = (int) NativeAbi.RP_CREATE.invokeExact(suite.codepoint(), MemorySegment.ofArray(key), key.length,
                    MemorySegment.ofArray(iv), iv.length, MemorySegment.ofArray(recordNumberKey),
                    recordNumberKey.length, MemorySegment.ofArray(out));
        } catch (Throwable e) {
            throw rethrow(e);
        }
        NativeAbi.check(rc, suite, "record protection (creating)");
        NativeContexts.created(NativeContexts.Kind.RECORD_PROTECTION);
        return new NativeRecordProtection(suite, MemorySegment.ofAddress(out[0]));
    }

    /** One record in place, heap or direct, with one critical downcall: no descriptors, no staging. */
    @Override
    protected void sealOneChecked(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        MemorySegment rp = handle();
        int rc;
        try {
            rc = (int) NativeAbi.RP_SEAL.invokeExact(rp, sequenceNumber, MemorySegment.ofBuffer(aad), aad.remaining(),
                    MemorySegment.ofBuffer(record.duplicate().limit(record.limit() + tag)), record.remaining());
        } catch (Throwable e) {
            throw rethrow(e);
        }
        if (rc < 0) {
            NativeAbi.check(rc, "sealing a record");
        }
        record.limit(record.limit() + tag);
    }

    /** One record in place, heap or direct, with one critical downcall. */
    @Override
    protected boolean openOneChecked(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        MemorySegment rp = handle();
        int rc;
        try {
            rc = (int) NativeAbi.RP_OPEN.invokeExact(rp, sequenceNumber, MemorySegment.ofBuffer(aad), aad.remaining(),
                    MemorySegment.ofBuffer(record), record.remaining());
        } catch (Throwable e) {
            throw rethrow(e);
        }
        if (rc == NativeStatus.ERR_AUTH) {
            return false;
        }
        if (rc < 0) {
            NativeAbi.check(rc, "opening a record");
        }
        record.limit(record.limit() - tag);
        return true;
    }

    @Override
    protected void sealChecked(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            long heapBytes) {
        MemorySegment rp = handle();
        BatchWorkspace w = BatchWorkspace.acquire(count, heapBytes);
        try {
            long offset = 0;
            for (int i = 0; i < count; i++) {
                w.seqs.setAtIndex(JAVA_LONG, i, sequenceNumbers[i]);
                offset = stage(w, aads[i], i, w.aadPtrs, w.aadLens, offset, 0, false);
                offset = stage(w, records[i], i, w.recordPtrs, w.recordLens, offset, tag, true);
            }
            int rc;
            try {
                rc = (int) NativeAbi.RP_SEAL_BATCH.invokeExact(rp, count, w.seqs, w.aadPtrs, w.aadLens, w.recordPtrs,
                        w.recordLens);
            } catch (Throwable e) {
                throw rethrow(e);
            } finally {
                Reference.reachabilityFence(aads);
                Reference.reachabilityFence(records);
            }
            if (rc < 0) {
                NativeAbi.check(rc, "sealing a batch of " + count + " records");
            }
            for (int i = 0; i < count; i++) {
                ByteBuffer record = records[i];
                int length = record.remaining() + tag;
                if (w.scratchOffset[i] >= 0) {
                    MemorySegment.copy(w.scratch, JAVA_BYTE, w.scratchOffset[i], record.array(),
                            record.arrayOffset() + record.position(), length);
                }
                record.limit(record.limit() + tag);
            }
        } finally {
            w.release();
        }
    }

    @Override
    protected int openChecked(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            boolean[] authentic, long heapBytes) {
        MemorySegment rp = handle();
        BatchWorkspace w = BatchWorkspace.acquire(count, heapBytes);
        try {
            long offset = 0;
            for (int i = 0; i < count; i++) {
                w.seqs.setAtIndex(JAVA_LONG, i, sequenceNumbers[i]);
                offset = stage(w, aads[i], i, w.aadPtrs, w.aadLens, offset, 0, false);
                offset = stage(w, records[i], i, w.recordPtrs, w.recordLens, offset, 0, true);
            }
            int verified;
            try {
                verified = (int) NativeAbi.RP_OPEN_BATCH.invokeExact(rp, count, w.seqs, w.aadPtrs, w.aadLens,
                        w.recordPtrs, w.recordLens, w.status);
            } catch (Throwable e) {
                throw rethrow(e);
            } finally {
                Reference.reachabilityFence(aads);
                Reference.reachabilityFence(records);
            }
            if (verified < 0) {
                NativeAbi.check(verified, "opening a batch of " + count + " records");
            }
            for (int i = 0; i < count; i++) {
                authentic[i] = w.status.getAtIndex(JAVA_INT, i) == NativeAbi.PQDTLS_OK;
                if (!authentic[i]) {
                    continue; // RFC 9147 §4.5.2: the caller drops it; contents are unspecified.
                }
                ByteBuffer record = records[i];
                int plaintext = record.remaining() - tag;
                if (w.scratchOffset[i] >= 0) {
                    MemorySegment.copy(w.scratch, JAVA_BYTE, w.scratchOffset[i], record.array(),
                            record.arrayOffset() + record.position(), plaintext);
                }
                record.limit(record.position() + plaintext);
            }
            return verified;
        } finally {
            w.release();
        }
    }

    @Override
    public void openRecords(int epochBits, int cidLength, long[] replayWindow, List<ByteBuffer> datagrams, int[] outcome,
            long[] sequences, int[] offsets, int[] lengths) {
        MemorySegment rp = handle();
        int count = datagrams.size();
        checkCount(count, outcome.length, sequences.length, Math.min(offsets.length, lengths.length));
        BatchWorkspace w = BatchWorkspace.acquire(count, 0);
        try {
            // Per-element segment accesses cost an alignment and liveness check each: go through Java
            // arrays and copy them across in bulk.
            for (int i = 0; i < count; i++) {
                ByteBuffer d = datagrams.get(i);
                boolean usable = d.isDirect() && !d.isReadOnly();
                w.pointerStage[i] = usable ? MemorySegment.ofBuffer(d).address() : 0; // 0: C skips it, Java opens it
                w.lengthStage[i] = usable ? d.remaining() : 0;
            }
            MemorySegment.copy(w.pointerStage, 0, w.recordPtrs, JAVA_LONG, 0, count);
            MemorySegment.copy(w.lengthStage, 0, w.recordLens, JAVA_INT, 0, count);
            MemorySegment.copy(replayWindow, 0, w.window, JAVA_LONG, 0, WINDOW_LONGS);
            int rc;
            try {
                rc = (int) NativeAbi.DP_OPEN_BATCH.invokeExact(rp, epochBits, cidLength, w.window, count, w.recordPtrs,
                        w.recordLens, w.status, w.seqs, w.contentOffsets, w.contentLengths);
            } catch (Throwable e) {
                throw rethrow(e);
            } finally {
                Reference.reachabilityFence(datagrams);
            }
            if (rc < 0) {
                NativeAbi.check(rc, "opening a batch of " + count + " records");
            }
            MemorySegment.copy(w.window, JAVA_LONG, 0, replayWindow, 0, WINDOW_LONGS);
            MemorySegment.copy(w.status, JAVA_INT, 0, outcome, 0, count);
            MemorySegment.copy(w.seqs, JAVA_LONG, 0, sequences, 0, count);
            MemorySegment.copy(w.contentOffsets, JAVA_INT, 0, offsets, 0, count);
            MemorySegment.copy(w.contentLengths, JAVA_INT, 0, lengths, 0, count);
        } finally {
            w.release();
        }
    }

    @Override
    protected void maskChecked(ByteBuffer sample, byte[] mask) {
        MemorySegment rp = handle();
        int rc;
        try {
            rc = (int) NativeAbi.RP_MASK.invokeExact(rp, MemorySegment.ofBuffer(sample), MemorySegment.ofArray(mask));
        } catch (Throwable e) {
            throw rethrow(e);
        } finally {
            Reference.reachabilityFence(sample);
        }
        NativeAbi.check(rc, "computing a record number mask");
    }

    /**
     * Native bytes a trimmed context holds: the C struct (keys, IV, cipher pointers) as malloc hands
     * it out, rounded up to malloc's 16-byte chunks with their 8-byte header (glibc).
     */
    static long idleNativeBytes() {
        try {
            int size = (int) NativeAbi.RP_IDLE_SIZE.invokeExact();
            return (size + 8 + 15) & ~15L;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void trim() {
        if (handle == null) {
            return;
        }
        try {
            NativeAbi.RP_TRIM.invokeExact(handle); // frees the cipher contexts, keeps the keys
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void close() {
        if (handle == null) {
            return;
        }
        MemorySegment rp = handle;
        handle = null;
        try {
            NativeAbi.RP_FREE.invokeExact(rp); // wipes the keys (OPENSSL_cleanse) and frees
        } catch (Throwable e) {
            throw rethrow(e);
        }
        NativeContexts.freed(NativeContexts.Kind.RECORD_PROTECTION);
    }

    /** The pqdtls_rp handle, for the engine's fused seal-and-send. */
    MemorySegment handle() {
        if (handle == null) {
            throw closed();
        }
        return handle;
    }

    /**
     * Writes descriptor {@code i} for {@code buffer}: its own address if direct, otherwise a copy in
     * the workspace's scratch at {@code offset} with {@code extra} spare bytes (room for the tag).
     * Returns the next free scratch offset.
     */
    private static long stage(BatchWorkspace w, ByteBuffer buffer, int i, MemorySegment pointers, MemorySegment lengths,
            long offset, int extra, boolean isRecord) {
        int length = buffer.remaining();
        lengths.setAtIndex(JAVA_INT, i, length);
        if (buffer.isDirect()) {
            pointers.setAtIndex(JAVA_LONG, i, MemorySegment.ofBuffer(buffer).address());
            if (isRecord) {
                w.scratchOffset[i] = -1;
            }
            return offset;
        }
        if (buffer.hasArray()) {
            MemorySegment.copy(buffer.array(), buffer.arrayOffset() + buffer.position(), w.scratch, JAVA_BYTE, offset,
                    length);
        } else { // read-only heap buffer (only an AAD can be one)
            MemorySegment.copy(MemorySegment.ofBuffer(buffer), 0, w.scratch, offset, length);
        }
        pointers.setAtIndex(JAVA_LONG, i, w.scratch.address() + offset);
        if (isRecord) {
            w.scratchOffset[i] = offset;
        }
        w.scratchUsed = Math.max(w.scratchUsed, offset + length + extra);
        return offset + length + extra;
    }

    static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException(e);
    }
}
