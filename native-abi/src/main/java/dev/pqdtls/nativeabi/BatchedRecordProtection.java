package dev.pqdtls.nativeabi;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.internal.recordlayer.RecordBatchOpener;
import dev.pqdtls.spi.BadRecordMacException;
import dev.pqdtls.spi.RecordProtection;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * What both native backends' record protection ({@code pqdtls_rp_*}) does before it crosses into C:
 * single records as batches of one, every argument of a batch checked first (so that an exception leaves
 * every record untouched), and the heap bytes a batch has to stage counted. The subclass makes the call.
 */
public abstract class BatchedRecordProtection implements RecordProtection, RecordBatchOpener {
    /** The suite's tag length: 16 bytes, or 8 for AES-CCM-8. */
    protected final int tag;
    /** Longs of pqdtls_dp_open_batch's window: highest, seen, records that did not open since. */
    public static final int WINDOW_LONGS = 3;
    protected static final int MASK = 16;

    private final CipherSuite suite;
    // One-element batches for seal/open, reused so a single record allocates nothing either.
    private final long[] oneSequence = new long[1];
    private final ByteBuffer[] oneAad = new ByteBuffer[1];
    private final ByteBuffer[] oneRecord = new ByteBuffer[1];
    private final boolean[] oneAuthentic = new boolean[1];

    protected BatchedRecordProtection(CipherSuite suite) {
        this.suite = suite;
        this.tag = suite.tagLength();
    }

    /** Throws IllegalArgumentException unless the key, IV and record-number key fit {@code suite}. */
    public static void checkKeys(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        checkLength("key", key, suite.keyLength(), suite);
        checkLength("iv", iv, CipherSuite.IV_LENGTH, suite);
        checkLength("record number key", recordNumberKey, suite.keyLength(), suite);
    }

    private static void checkLength(String what, byte[] value, int expected, CipherSuite suite) {
        if (value == null || value.length != expected) {
            throw new IllegalArgumentException(suite + " " + what + " must be " + expected + " bytes, got "
                    + (value == null ? "null" : value.length));
        }
    }

    @Override
    public final CipherSuite suite() {
        return suite;
    }

    @Override
    public final void seal(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        if (record.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (record.capacity() - record.limit() < tag) {
            throw new BufferOverflowException();
        }
        sealOneChecked(sequenceNumber, aad, record);
    }

    /**
     * Seals one checked record (the engine's handshake messages, ACKs and alerts); its limit grows by
     * the tag. As a batch of one unless the backend has a cheaper single call.
     */
    protected void sealOneChecked(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        oneSequence[0] = sequenceNumber;
        oneAad[0] = aad;
        oneRecord[0] = record;
        try {
            sealChecked(oneSequence, oneAad, oneRecord, 1, stagedBytes(aad, 0) + stagedBytes(record, tag));
        } finally {
            oneAad[0] = null;
            oneRecord[0] = null;
        }
    }

    @Override
    public final void open(long sequenceNumber, ByteBuffer aad, ByteBuffer record) throws BadRecordMacException {
        if (record.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (!openOneChecked(sequenceNumber, aad, record)) {
            throw new BadRecordMacException("record " + sequenceNumber + " did not authenticate");
        }
    }

    /**
     * Opens one checked record; true (and the record shrunk to its plaintext) if it authenticated. As a
     * batch of one unless the backend has a cheaper single call.
     */
    protected boolean openOneChecked(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        oneSequence[0] = sequenceNumber;
        oneAad[0] = aad;
        oneRecord[0] = record;
        try {
            return openChecked(oneSequence, oneAad, oneRecord, 1, oneAuthentic,
                    stagedBytes(aad, 0) + stagedBytes(record, 0)) == 1;
        } finally {
            oneAad[0] = null;
            oneRecord[0] = null;
        }
    }

    @Override
    public final void sealBatch(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count) {
        checkCount(count, sequenceNumbers.length, aads.length, records.length);
        long heapBytes = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer record = records[i];
            if (record.isReadOnly()) {
                throw new ReadOnlyBufferException();
            }
            if (record.capacity() - record.limit() < tag) {
                throw new BufferOverflowException();
            }
            heapBytes += stagedBytes(aads[i], 0) + stagedBytes(record, tag);
        }
        sealChecked(sequenceNumbers, aads, records, count, heapBytes);
    }

    /**
     * Seals the checked batch in one native call; each record's limit grows by the tag.
     *
     * @param heapBytes bytes of heap buffers (with room for the tags) to stage in native memory
     */
    protected abstract void sealChecked(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            long heapBytes);

    @Override
    public final int openBatch(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            boolean[] authentic) {
        checkCount(count, sequenceNumbers.length, aads.length, records.length);
        checkCount(count, authentic.length, count, count);
        long heapBytes = 0;
        for (int i = 0; i < count; i++) {
            if (records[i].isReadOnly()) {
                throw new ReadOnlyBufferException();
            }
            heapBytes += stagedBytes(aads[i], 0) + stagedBytes(records[i], 0);
        }
        return openChecked(sequenceNumbers, aads, records, count, authentic, heapBytes);
    }

    /**
     * Opens the checked batch in one native call; authentic records shrink to their plaintext
     * (RFC 9147 §4.5.2: the caller drops the others; their contents are unspecified).
     *
     * @return how many authenticated
     */
    protected abstract int openChecked(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            boolean[] authentic, long heapBytes);

    @Override
    public final void recordNumberMask(ByteBuffer sample, byte[] mask) {
        if (sample.remaining() < MASK) {
            throw new BufferUnderflowException();
        }
        if (mask.length < MASK) {
            throw new IllegalArgumentException("mask array must hold " + MASK + " bytes, has " + mask.length);
        }
        maskChecked(sample, mask);
    }

    /** Writes the 16-byte mask for the first 16 bytes of {@code sample} (RFC 9147 §4.2.3). */
    protected abstract void maskChecked(ByteBuffer sample, byte[] mask);

    /** Throws unless {@code count} fits all three array lengths. */
    protected static void checkCount(int count, int a, int b, int c) {
        if (count < 0 || count > a || count > b || count > c) {
            throw new IndexOutOfBoundsException("count " + count + " does not fit arrays of length "
                    + Math.min(a, Math.min(b, c)));
        }
    }

    /** Bytes a buffer needs in scratch: nothing when C can use it in place. */
    protected static long stagedBytes(ByteBuffer buffer, int extra) {
        return buffer.isDirect() ? 0 : buffer.remaining() + extra;
    }

    /** The closed-handle error. */
    protected final IllegalStateException closed() {
        return new IllegalStateException(suite + " record protection is closed");
    }
}
