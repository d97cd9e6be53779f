package dev.pqdtls.internal.wire;

import java.nio.ByteBuffer;

/**
 * Reads the TLS presentation language (RFC 8446 §3) from a bounded region of a buffer, checking every
 * length against what remains. It never reads outside {@code [position, limit)} of the region it was
 * given, so hostile input ends in a {@link DecodeException}, never an unchecked exception.
 */
public final class WireReader {
    private final ByteBuffer buf;
    private int pos;
    private final int end;

    /** Reads {@code bytes[offset, offset + length)}. */
    public WireReader(byte[] bytes, int offset, int length) {
        this(ByteBuffer.wrap(bytes), offset, offset + length);
    }

    /** Reads the whole array. */
    public WireReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    private WireReader(ByteBuffer buf, int pos, int end) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    /** Offset of the next byte in the underlying array. */
    public int position() {
        return pos;
    }

    private void need(int n, String what) throws DecodeException {
        if (n > end - pos) {
            throw new DecodeException(what + " needs " + n + " bytes but " + (end - pos) + " remain");
        }
    }

    public int uint8(String what) throws DecodeException {
        need(1, what);
        return buf.get(pos++) & 0xFF;
    }

    public int uint16(String what) throws DecodeException {
        need(2, what);
        int v = buf.getShort(pos) & 0xFFFF;
        pos += 2;
        return v;
    }

    public int uint24(String what) throws DecodeException {
        need(3, what);
        int v = (buf.get(pos) & 0xFF) << 16 | (buf.get(pos + 1) & 0xFF) << 8 | (buf.get(pos + 2) & 0xFF);
        pos += 3;
        return v;
    }

    public long uint32(String what) throws DecodeException {
        need(4, what);
        long v = buf.getInt(pos) & 0xFFFF_FFFFL;
        pos += 4;
        return v;
    }

    public byte[] bytes(int n, String what) throws DecodeException {
        need(n, what);
        byte[] out = new byte[n];
        buf.get(pos, out);
        pos += n;
        return out;
    }

    /** A vector with a 1-byte length prefix and a length in [min, max]. */
    public byte[] vector8(int min, int max, String what) throws DecodeException {
        return checked(lengthPrefix(1, what), min, max, what);
    }

    /** A vector with a 2-byte length prefix and a length in [min, max]. */
    public byte[] vector16(int min, int max, String what) throws DecodeException {
        return checked(lengthPrefix(2, what), min, max, what);
    }

    /** A vector with a 3-byte length prefix and a length in [min, max]. */
    public byte[] vector24(int min, int max, String what) throws DecodeException {
        return checked(lengthPrefix(3, what), min, max, what);
    }

    /** A reader over the next vector with a 2-byte length, advancing past it. */
    public WireReader sub16(int min, int max, String what) throws DecodeException {
        return sub(lengthPrefix(2, what), min, max, what);
    }

    /** A reader over the next vector with a 1-byte length, advancing past it. */
    public WireReader sub8(int min, int max, String what) throws DecodeException {
        return sub(lengthPrefix(1, what), min, max, what);
    }

    /** A reader over the next vector with a 3-byte length, advancing past it. */
    public WireReader sub24(int min, int max, String what) throws DecodeException {
        return sub(lengthPrefix(3, what), min, max, what);
    }

    /** A vector's length prefix of {@code size} bytes; "<what> length" is spelled out only when it is missing. */
    private int lengthPrefix(int size, String what) throws DecodeException {
        if (size > end - pos) {
            throw new DecodeException(what + " length needs " + size + " bytes but " + (end - pos) + " remain");
        }
        return size == 1 ? uint8(what) : size == 2 ? uint16(what) : uint24(what);
    }

    private WireReader sub(int n, int min, int max, String what) throws DecodeException {
        checkLength(n, min, max, what);
        need(n, what);
        WireReader r = new WireReader(buf, pos, pos + n);
        pos += n;
        return r;
    }

    private byte[] checked(int n, int min, int max, String what) throws DecodeException {
        checkLength(n, min, max, what);
        return bytes(n, what);
    }

    private static void checkLength(int n, int min, int max, String what) throws DecodeException {
        if (n < min || n > max) {
            throw new DecodeException(what + " length " + n + " outside [" + min + ", " + max + "]");
        }
    }

    /** Requires that nothing is left: trailing bytes are a decode error. */
    public void finish(String what) throws DecodeException {
        if (pos != end) {
            throw new DecodeException(what + " has " + (end - pos) + " trailing bytes");
        }
    }
}
