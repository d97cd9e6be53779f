package dev.pqdtls.jna;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.nativeabi.BatchedRecordProtection;
import dev.pqdtls.nativeabi.NativeStatus;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Record protection whose keys live in a native {@code pqdtls_rp} context, as in the ffm backend: a
 * batch of records is sealed or opened with one call; Java fills pooled descriptor arrays
 * ({@link BatchWorkspace}) and C walks them. Direct buffers go to C in place; heap buffers are staged
 * through the workspace's scratch. Whole received records are opened by {@link #openRecords}, and
 * {@link JnaDatagramEngine#sealAndSend} seals and sends with this context in one call.
 */
final class JnaRecordProtection extends BatchedRecordProtection {

    /** The pqdtls_rp handle; 0 once closed. */
    private long handle;

    private JnaRecordProtection(CipherSuite suite, long handle) {
        super(suite);
        this.handle = handle;
    }

    /** Keys the native context; the key bytes pass through wiped staging memory only. */
    static JnaRecordProtection create(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        checkKeys(suite, key, iv, recordNumberKey);
        Staging s = Staging.begin(key.length + iv.length + recordNumberKey.length + Long.BYTES);
        try {
            long out = s.reserve(Long.BYTES);
            int rc = PqdtlsNative.pqdtls_rp_create(suite.codepoint(), s.copyIn(key), key.length, s.copyIn(iv), iv.length,
                    s.copyIn(recordNumberKey), recordNumberKey.length, out);
            NativeStatus.check(rc, suite, "record protection (creating)");
            return new JnaRecordProtection(suite, s.longAt(out));
        } finally {
            s.wipe();
        }
    }

    @Override
    protected void sealChecked(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            long heapBytes) {
        long rp = handle();
        BatchWorkspace w = BatchWorkspace.acquire(count, heapBytes);
        try {
            w.seqsView.put(0, sequenceNumbers, 0, count);
            int offset = 0;
            for (int i = 0; i < count; i++) {
                offset = stage(w, aads[i], i, false, offset, 0);
                offset = stage(w, records[i], i, true, offset, tag);
            }
            int rc = PqdtlsNative.pqdtls_rp_seal_batch(rp, count, w.seqs, w.aadPtrs, w.aadLens, w.recordPtrs,
                    w.recordLens);
            if (rc < 0) {
                NativeStatus.check(rc, "sealing a batch of " + count + " records");
            }
            for (int i = 0; i < count; i++) {
                ByteBuffer record = records[i];
                if (w.scratchOffset[i] >= 0) {
                    w.scratch.buffer.get(w.scratchOffset[i], record.array(), record.arrayOffset() + record.position(),
                            record.remaining() + tag);
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
        long rp = handle();
        BatchWorkspace w = BatchWorkspace.acquire(count, heapBytes);
        try {
            w.seqsView.put(0, sequenceNumbers, 0, count);
            int offset = 0;
            for (int i = 0; i < count; i++) {
                offset = stage(w, aads[i], i, false, offset, 0);
                offset = stage(w, records[i], i, true, offset, 0);
            }
            int verified = PqdtlsNative.pqdtls_rp_open_batch(rp, count, w.seqs, w.aadPtrs, w.aadLens, w.recordPtrs,
                    w.recordLens, w.status);
            if (verified < 0) {
                NativeStatus.check(verified, "opening a batch of " + count + " records");
            }
            for (int i = 0; i < count; i++) {
                authentic[i] = w.statusView.get(i) == NativeStatus.OK;
                if (!authentic[i]) {
                    continue; // RFC 9147 §4.5.2: the caller drops it; contents are unspecified.
                }
                ByteBuffer record = records[i];
                int plaintext = record.remaining() - tag;
                if (w.scratchOffset[i] >= 0) {
                    w.scratch.buffer.get(w.scratchOffset[i], record.array(), record.arrayOffset() + record.position(),
                            plaintext);
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
        long rp = handle();
        int count = datagrams.size();
        checkCount(count, outcome.length, sequences.length, Math.min(offsets.length, lengths.length));
        BatchWorkspace w = BatchWorkspace.acquire(count, 0);
        try {
            for (int i = 0; i < count; i++) {
                ByteBuffer d = datagrams.get(i);
                boolean usable = d.isDirect() && !d.isReadOnly();
                w.recordPtrsView.put(i, usable ? NativeMemory.positionAddress(d) : 0); // 0: C skips it, Java opens it
                w.recordLensView.put(i, usable ? d.remaining() : 0);
            }
            w.windowView.put(0, replayWindow, 0, WINDOW_LONGS);
            int rc = PqdtlsNative.pqdtls_dp_open_batch(rp, epochBits, cidLength, w.window, count, w.recordPtrs,
                    w.recordLens, w.status, w.seqs, w.contentOffsets, w.contentLengths);
            if (rc < 0) {
                NativeStatus.check(rc, "opening a batch of " + count + " records");
            }
            w.windowView.get(0, replayWindow, 0, WINDOW_LONGS);
            w.statusView.get(0, outcome, 0, count);
            w.seqsView.get(0, sequences, 0, count);
            w.contentOffsetsView.get(0, offsets, 0, count);
            w.contentLengthsView.get(0, lengths, 0, count);
        } finally {
            w.release();
        }
    }

    @Override
    protected void maskChecked(ByteBuffer sample, byte[] mask) {
        long rp = handle();
        Staging s = Staging.begin(2 * MASK);
        try {
            long in;
            if (sample.isDirect()) {
                in = NativeMemory.positionAddress(sample);
            } else {
                in = s.copyIn(sample.duplicate().limit(sample.position() + MASK));
            }
            long out = s.reserve(MASK);
            NativeStatus.check(PqdtlsNative.pqdtls_rp_mask(rp, in, out), "computing a record number mask");
            byte[] result = new byte[MASK];
            s.copyOut(out, result);
            System.arraycopy(result, 0, mask, 0, MASK);
        } finally {
            s.wipe();
        }
    }

    @Override
    public void trim() {
        if (handle != 0) {
            PqdtlsNative.pqdtls_rp_trim(handle); // frees the cipher contexts, keeps the keys
        }
    }

    @Override
    public void close() {
        if (handle == 0) {
            return;
        }
        long rp = handle;
        handle = 0;
        PqdtlsNative.pqdtls_rp_free(rp); // wipes the keys (OPENSSL_cleanse) and frees
    }

    /** The pqdtls_rp handle, for the engine's fused seal-and-send. */
    long handle() {
        if (handle == 0) {
            throw closed();
        }
        return handle;
    }

    /**
     * Writes descriptor {@code i} for {@code buffer} (an AAD or a record): its own address if direct,
     * otherwise a copy in the scratch at {@code offset} with {@code extra} spare bytes (room for the
     * tag). Returns the next free scratch offset.
     */
    private static int stage(BatchWorkspace w, ByteBuffer buffer, int i, boolean isRecord, int offset, int extra) {
        int length = buffer.remaining();
        (isRecord ? w.recordLensView : w.aadLensView).put(i, length);
        long address;
        int next = offset;
        if (buffer.isDirect()) {
            address = NativeMemory.positionAddress(buffer);
            if (isRecord) {
                w.scratchOffset[i] = -1;
            }
        } else {
            w.scratch.buffer.put(offset, buffer, buffer.position(), length); // heap, or read-only heap (an AAD)
            address = w.scratch.address + offset;
            if (isRecord) {
                w.scratchOffset[i] = offset;
            }
            next = offset + length + extra;
            w.scratchUsed = Math.max(w.scratchUsed, next);
        }
        (isRecord ? w.recordPtrsView : w.aadPtrsView).put(i, address);
        return next;
    }
}
