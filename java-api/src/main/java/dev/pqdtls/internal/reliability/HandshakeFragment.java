package dev.pqdtls.internal.reliability;

import java.nio.ByteBuffer;

/**
 * One DTLS handshake fragment (RFC 9147 §5.2): msg_type, length (of the whole message),
 * message_seq, fragment_offset, fragment_length and the fragment bytes, parsed in place.
 *
 * @param bodyOffset where the fragment bytes start in the buffer it was parsed from
 */
public record HandshakeFragment(int msgType, int messageLength, int messageSeq, int fragmentOffset,
        int fragmentLength, ByteBuffer source, int bodyOffset) {

    /** Bytes of the DTLS handshake header. */
    public static final int HEADER_LENGTH = 12;

    /**
     * Parses the fragment at {@code offset}; returns null if it is truncated or its fragment would
     * lie outside the message it claims to belong to. Never throws for hostile input.
     */
    public static HandshakeFragment parse(ByteBuffer buf, int offset, int end) {
        if (end - offset < HEADER_LENGTH) {
            return null;
        }
        int type = buf.get(offset) & 0xFF;
        int length = uint24(buf, offset + 1);
        int seq = buf.getShort(offset + 4) & 0xFFFF;
        int fragOffset = uint24(buf, offset + 6);
        int fragLength = uint24(buf, offset + 9);
        if (offset + HEADER_LENGTH + fragLength > end || (long) fragOffset + fragLength > length) {
            return null;
        }
        return new HandshakeFragment(type, length, seq, fragOffset, fragLength, buf, offset + HEADER_LENGTH);
    }

    /** Total bytes this fragment occupies in its record, header included. */
    public int encodedLength() {
        return HEADER_LENGTH + fragmentLength;
    }

    /** Writes a fragment header at the buffer's position and advances it. */
    public static void writeHeader(ByteBuffer out, int msgType, int messageLength, int messageSeq,
            int fragmentOffset, int fragmentLength) {
        out.put((byte) msgType);
        putUint24(out, messageLength);
        out.putShort((short) messageSeq);
        putUint24(out, fragmentOffset);
        putUint24(out, fragmentLength);
    }

    static int uint24(ByteBuffer b, int at) {
        return (b.get(at) & 0xFF) << 16 | (b.get(at + 1) & 0xFF) << 8 | (b.get(at + 2) & 0xFF);
    }

    static void putUint24(ByteBuffer b, int v) {
        b.put((byte) (v >>> 16)).put((byte) (v >>> 8)).put((byte) v);
    }
}
