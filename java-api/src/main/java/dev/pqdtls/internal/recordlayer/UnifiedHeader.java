package dev.pqdtls.internal.recordlayer;

import java.nio.ByteBuffer;

/**
 * The DTLSCiphertext unified header of RFC 9147 §4: {@code 001CSLEE}, then the connection ID if C,
 * an 8- or 16-bit (masked) sequence number, and a 16-bit length if L. Decoding reads in place and
 * never throws for hostile input; it reports a malformed header as {@code null}.
 *
 * @param cidLength bytes of connection ID present (0 when C is clear)
 * @param cidOffset offset of the connection ID within the datagram
 * @param sequenceBits 8 or 16
 * @param truncatedSequence the sequence number bits as they are on the wire (still masked)
 * @param epochBits the low two bits of the epoch
 * @param headerLength bytes from the first header byte to the start of the ciphertext
 * @param recordLength total bytes of this record including the header
 */
public record UnifiedHeader(int cidLength, int cidOffset, int sequenceBits, int truncatedSequence,
        int epochBits, int headerLength, int recordLength) {

    /** Fixed bits of the first byte: {@code 001xxxxx}. */
    public static final int FIXED_BITS = 0x20;
    private static final int FIXED_MASK = 0xE0;
    private static final int C_BIT = 0x10;
    private static final int S_BIT = 0x08;
    private static final int L_BIT = 0x04;

    /** True if this first byte starts a unified header (RFC 9147 §4.1 demultiplexing). */
    public static boolean matches(int firstByte) {
        return (firstByte & FIXED_MASK) == FIXED_BITS;
    }

    /**
     * Parses the header of the record starting at {@code offset}; {@code connectionIdLength} is the
     * length of the CIDs this endpoint issued (a header with C set carries one of that length).
     * Without L the record runs to {@code end}.
     *
     * @return the header, or null if it is malformed or truncated
     */
    public static UnifiedHeader parse(ByteBuffer datagram, int offset, int end, int connectionIdLength) {
        if (offset >= end) {
            return null;
        }
        int first = datagram.get(offset) & 0xFF;
        if (!matches(first)) {
            return null;
        }
        int pos = offset + 1;
        int cidLength = 0;
        int cidOffset = pos;
        if ((first & C_BIT) != 0) {
            if (connectionIdLength <= 0) {
                return null;
            }
            cidLength = connectionIdLength;
            pos += cidLength;
        }
        int sequenceBits = (first & S_BIT) != 0 ? 16 : 8;
        if (pos + sequenceBits / 8 > end) {
            return null;
        }
        int seq = sequenceBits == 16 ? datagram.getShort(pos) & 0xFFFF : datagram.get(pos) & 0xFF;
        pos += sequenceBits / 8;
        int recordEnd;
        if ((first & L_BIT) != 0) {
            if (pos + 2 > end) {
                return null;
            }
            int length = datagram.getShort(pos) & 0xFFFF;
            pos += 2;
            recordEnd = pos + length;
            if (recordEnd > end) {
                return null;
            }
        } else {
            recordEnd = end;
        }
        return new UnifiedHeader(cidLength, cidOffset, sequenceBits, seq, first & 0x03, pos - offset,
                recordEnd - offset);
    }

    /**
     * Writes a header at the buffer's position and advances it.
     *
     * @param cid the connection ID to send, or an empty array for none
     * @param sequenceNumber the full sequence number; its low 8 or 16 bits go on the wire unmasked
     * @param ciphertextLength written as the length field when {@code withLength}
     */
    public static void write(ByteBuffer out, byte[] cid, int sequenceBits, long sequenceNumber, long epoch,
            boolean withLength, int ciphertextLength) {
        if (sequenceBits != 8 && sequenceBits != 16) {
            throw new IllegalArgumentException("sequenceBits must be 8 or 16, was " + sequenceBits);
        }
        int first = FIXED_BITS | (cid.length > 0 ? C_BIT : 0) | (sequenceBits == 16 ? S_BIT : 0)
                | (withLength ? L_BIT : 0) | (int) (epoch & 0x03);
        out.put((byte) first);
        out.put(cid);
        if (sequenceBits == 16) {
            out.putShort((short) sequenceNumber);
        } else {
            out.put((byte) sequenceNumber);
        }
        if (withLength) {
            out.putShort((short) ciphertextLength);
        }
    }

    /** Length of a header with these options. */
    public static int length(int cidLength, int sequenceBits, boolean withLength) {
        return 1 + cidLength + sequenceBits / 8 + (withLength ? 2 : 0);
    }

    /** Offset of the sequence number bits relative to the record start. */
    public int sequenceOffset() {
        return 1 + cidLength;
    }

    /**
     * The full sequence number closest to {@code expected} whose low bits equal {@code truncated}
     * (RFC 9147 §4.2.2): {@code expected} is one plus the highest deprotected number in the epoch.
     */
    public static long reconstructSequence(long expected, int truncated, int bits) {
        long window = 1L << bits;
        long mask = window - 1;
        long candidate = (expected & ~mask) | truncated;
        if (candidate - expected > window / 2 && candidate >= window) {
            candidate -= window;
        } else if (expected - candidate > window / 2) {
            candidate += window;
        }
        return candidate;
    }
}
