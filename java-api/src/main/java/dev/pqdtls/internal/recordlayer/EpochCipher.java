package dev.pqdtls.internal.recordlayer;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.spi.BadRecordMacException;
import dev.pqdtls.spi.RecordProtection;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Protects and unprotects DTLSCiphertext records of one epoch in one direction (RFC 9147 §4):
 * DTLSInnerPlaintext framing, the unified header as AAD, AEAD, and record-number encryption.
 * Outgoing records always carry a 16-bit sequence number and a length so several fit in a datagram.
 * The tag is the suite's (8 bytes for AES-CCM-8, else 16).
 * Incoming records go through the replay window before and after authentication (§4.5.1).
 */
public final class EpochCipher implements AutoCloseable {
    /** RFC 9147 §4.2.3: the mask is computed from the first 16 bytes of ciphertext. */
    public static final int SAMPLE_LENGTH = 16;
    private static final int SEQUENCE_BITS = 16;
    /**
     * Later sequence-number cycles a record is tried at while the records before it did not open: a
     * peer more than half a cycle (32,768 records) ahead, after a long burst was lost, is found again
     * instead of every record failing from then on (RFC 9147 §4.2.2 reconstructs the nearest number).
     * The record after the first failure of a run tries them, then every {@link #RESYNC_EVERY}th: a
     * forgery costs 1.5 opens on average (each a forgery attempt, counted once per record against the
     * limits of RFC 9147 §4.5.3), a record outside a run one.
     */
    static final int RESYNC_CYCLES = 4;
    static final int RESYNC_EVERY = 8;

    private final long epoch;
    private final RecordProtection protection;
    private final ReplayWindow replay = new ReplayWindow();
    private final byte[] mask = new byte[16];
    private long nextSendSequence;
    private long authenticationFailures;
    /** Records that did not open (stale or forged) since the last authentic one. */
    private long failedRun;
    /** {@link RecordBatchOpener}'s window, reused from batch to batch. */
    private final long[] window = new long[3];

    public EpochCipher(long epoch, RecordProtection protection) {
        this.epoch = epoch;
        this.protection = protection;
    }

    public long epoch() {
        return epoch;
    }

    public CipherSuite suite() {
        return protection.suite();
    }

    /** The keys of this epoch, for a {@link SealingSender} that seals outside Java. */
    /** Drops the cipher's working state while the connection is idle (the keys stay). */
    public void trim() {
        protection.trim();
    }

    public RecordProtection protection() {
        return protection;
    }

    /** Takes the next {@code count} sequence numbers for records sealed elsewhere; returns the first. */
    public long reserve(int count) {
        long first = nextSendSequence;
        nextSendSequence += count;
        return first;
    }

    /** Records that failed authentication under this key (RFC 9147 §4.5.3 counts them per key). */
    public long authenticationFailures() {
        return authenticationFailures;
    }

    /** Sequence number the next protected record will carry. */
    public long nextSendSequence() {
        return nextSendSequence;
    }

    /**
     * Bytes a record of {@code plaintextLength} content bytes occupies on the wire with a tag of
     * {@code tagLength} bytes ({@link CipherSuite#TAG_LENGTH} for room that fits every suite).
     */
    public static int protectedLength(int cidLength, int plaintextLength, int tagLength) {
        return UnifiedHeader.length(cidLength, SEQUENCE_BITS, true) + plaintextLength + 1 + tagLength;
    }

    /** Bytes a record of {@code plaintextLength} content bytes occupies on the wire under this epoch's suite. */
    public int protectedLength(byte[] cid, int plaintextLength) {
        return protectedLength(cid.length, plaintextLength, suite().tagLength());
    }

    /**
     * Zero bytes to add after the content type so the ciphertext holds the 16-byte sample the
     * record-number mask needs: RFC 9147 §4.2.3 has senders pad short records (only AES-CCM-8's
     * 8-byte tag leaves a record that short).
     */
    public static int padding(int contentLength, int tagLength) {
        return Math.max(0, SAMPLE_LENGTH - (contentLength + 1 + tagLength));
    }

    /**
     * Writes one protected record at {@code out}'s position: header, then ciphertext of
     * content||type, and advances the position. {@code content} is read from position to limit.
     *
     * @return the sequence number used
     */
    public long protect(int contentType, ByteBuffer content, byte[] cid, ByteBuffer out) {
        long seq = nextSendSequence++;
        int start = out.position();
        int padding = padding(content.remaining(), suite().tagLength());
        int ciphertextLength = content.remaining() + 1 + padding + suite().tagLength();
        UnifiedHeader.write(out, cid, SEQUENCE_BITS, seq, epoch, true, ciphertextLength);
        int headerEnd = out.position();
        out.put(content);
        out.put((byte) contentType);
        for (int i = 0; i < padding; i++) {
            out.put((byte) 0);
        }
        ByteBuffer aad = out.duplicate().position(start).limit(headerEnd);
        ByteBuffer body = out.duplicate().position(headerEnd).limit(out.position());
        protection.seal(seq, aad, body);
        out.position(body.limit());
        maskSequence(out, start + 1 + cid.length, headerEnd, SEQUENCE_BITS);
        return seq;
    }

    /** Outcome of {@link #unprotect}: an {@link Opened} record or the {@link Drop} reason. */
    public sealed interface Unprotected permits Opened, Drop {
    }

    /** An authentic record: its content type and where its content lies in the datagram. */
    public record Opened(int contentType, int contentOffset, int contentLength, long sequenceNumber)
            implements Unprotected {
    }

    /** Why a record was dropped; the record layer counts these per reason. */
    public enum Drop implements Unprotected { TOO_SHORT, REPLAYED, BAD_MAC, NO_CONTENT_TYPE }

    /**
     * Unprotects the record described by {@code header} at {@code recordOffset}, in place. Returns the
     * opened record or a {@link Drop} reason; never throws for hostile input.
     */
    public Unprotected unprotect(ByteBuffer datagram, int recordOffset, UnifiedHeader header) {
        int ciphertextOffset = recordOffset + header.headerLength();
        int ciphertextEnd = recordOffset + header.recordLength();
        if (ciphertextEnd - ciphertextOffset < Math.max(SAMPLE_LENGTH, suite().tagLength() + 1)) {
            return Drop.TOO_SHORT;
        }
        protection.recordNumberMask(datagram.duplicate().position(ciphertextOffset), mask);
        int bits = header.sequenceBits();
        int truncated = header.truncatedSequence() ^ (bits == 16 ? ((mask[0] & 0xFF) << 8 | (mask[1] & 0xFF)) : mask[0] & 0xFF);
        long nearest = UnifiedHeader.reconstructSequence(replay.highest() + 1, truncated, bits);
        boolean fresh = replay.isFresh(nearest);
        // Not with an 8-byte tag (AES-CCM-8): every extra open is a forgery trial, and that suite
        // allows only 2^7 per key (RFC 9147 §4.5.3).
        int cycles = suite().tagLength() >= CipherSuite.TAG_LENGTH && failedRun % RESYNC_EVERY == 1 ? RESYNC_CYCLES : 0;
        if (!fresh && cycles == 0) {
            failedRun++;
            return Drop.REPLAYED;
        }
        // The AAD is the header as sent, before record-number encryption (RFC 9147 §4).
        byte[] aad = new byte[header.headerLength()];
        datagram.get(recordOffset, aad);
        if (bits == 16) {
            aad[header.sequenceOffset()] = (byte) (truncated >>> 8);
            aad[header.sequenceOffset() + 1] = (byte) truncated;
        } else {
            aad[header.sequenceOffset()] = (byte) truncated;
        }
        ByteBuffer body = datagram.duplicate().position(ciphertextOffset).limit(ciphertextEnd);
        long first = fresh ? nearest : nearest + (1L << bits);
        int tries = fresh ? cycles + 1 : cycles;
        byte[] saved = tries > 1 ? new byte[body.remaining()] : null; // a failed open may wipe the record
        if (saved != null) {
            body.duplicate().get(saved);
        }
        long seq = -1;
        ByteBuffer opened = null; // open() leaves its limit at the end of the plaintext
        for (int t = 0; t < tries && seq < 0; t++) {
            long candidate = first + ((long) t << bits);
            if (t > 0) {
                body.duplicate().put(saved);
            }
            ByteBuffer attempt = body.duplicate();
            try {
                protection.open(candidate, ByteBuffer.wrap(aad), attempt);
                seq = candidate;
                opened = attempt;
            } catch (BadRecordMacException e) {
                // the next cycle, if any
            }
        }
        if (seq < 0) {
            failedRun++;
            if (!fresh) {
                return Drop.REPLAYED;
            }
            authenticationFailures++;
            return Drop.BAD_MAC;
        }
        failedRun = 0;
        replay.markAuthentic(seq);
        // DTLSInnerPlaintext: content || type || zeros; the type is the last non-zero byte (RFC 8446 §5.4).
        int i = opened.limit() - 1;
        while (i >= ciphertextOffset && datagram.get(i) == 0) {
            i--;
        }
        if (i < ciphertextOffset) {
            return Drop.NO_CONTENT_TYPE;
        }
        return new Opened(datagram.get(i) & 0xFF, ciphertextOffset, i - ciphertextOffset, seq);
    }

    /** Per-datagram results of {@link #unprotectBatch}, reused from batch to batch. */
    public static final class BatchResult {
        public int[] status = new int[0];
        public long[] sequences = new long[0];
        public int[] contentOffsets = new int[0];
        public int[] contentLengths = new int[0];

        void ensure(int n) {
            if (status.length < n) {
                int size = Math.max(n, 2 * status.length);
                status = new int[size];
                sequences = new long[size];
                contentOffsets = new int[size];
                contentLengths = new int[size];
            }
        }
    }

    /**
     * Opens every datagram that is exactly one record of this epoch in one native call, when the
     * protection is a {@link RecordBatchOpener}; the others get {@link RecordBatchOpener#SKIPPED}.
     *
     * @return false when this protection cannot open batches (then nothing was done)
     */
    public boolean unprotectBatch(List<ByteBuffer> datagrams, int cidLength, BatchResult out) {
        if (!(protection instanceof RecordBatchOpener opener)) {
            return false;
        }
        out.ensure(datagrams.size());
        window[0] = replay.highest();
        window[1] = replay.seen();
        window[2] = failedRun;
        opener.openRecords((int) (epoch & 3), cidLength, window, datagrams, out.status, out.sequences,
                out.contentOffsets, out.contentLengths);
        replay.restore(window[0], window[1]);
        failedRun = window[2];
        for (int i = 0; i < datagrams.size(); i++) {
            if (out.status[i] == RecordBatchOpener.BAD_MAC) {
                authenticationFailures++;
            }
        }
        return true;
    }

    private void maskSequence(ByteBuffer out, int seqOffset, int headerEnd, int bits) {
        protection.recordNumberMask(out.duplicate().position(headerEnd), mask);
        for (int i = 0; i < bits / 8; i++) {
            out.put(seqOffset + i, (byte) (out.get(seqOffset + i) ^ mask[i]));
        }
    }

    @Override
    public void close() {
        protection.close();
    }
}
