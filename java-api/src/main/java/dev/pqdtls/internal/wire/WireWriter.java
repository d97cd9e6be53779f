package dev.pqdtls.internal.wire;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;

/**
 * Writes the TLS presentation language (RFC 8446 §3). Length-prefixed vectors are opened with
 * {@code begin8/16/24} and closed with {@link #end()}, which fills in the length and checks it fits.
 * Only used for handshake messages, which are small and built once per flight.
 */
public final class WireWriter {
    private final Buf out = new Buf();
    private final ArrayDeque<int[]> open = new ArrayDeque<>();

    /** ByteArrayOutputStream with access to its array for back-patching lengths. */
    private static final class Buf extends ByteArrayOutputStream {
        void patch(int at, int value, int width) {
            for (int i = 0; i < width; i++) {
                buf[at + i] = (byte) (value >>> (8 * (width - 1 - i)));
            }
        }
    }

    public WireWriter uint8(int v) {
        out.write(v);
        return this;
    }

    public WireWriter uint16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public WireWriter uint24(int v) {
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public WireWriter uint32(long v) {
        uint16((int) (v >>> 16));
        return uint16((int) v);
    }

    public WireWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    public WireWriter vector8(byte[] b) {
        return begin8().bytes(b).end();
    }

    public WireWriter vector16(byte[] b) {
        return begin16().bytes(b).end();
    }

    public WireWriter vector24(byte[] b) {
        return begin24().bytes(b).end();
    }

    public WireWriter begin8() {
        return begin(1);
    }

    public WireWriter begin16() {
        return begin(2);
    }

    public WireWriter begin24() {
        return begin(3);
    }

    private WireWriter begin(int width) {
        open.push(new int[] {out.size(), width});
        for (int i = 0; i < width; i++) {
            out.write(0);
        }
        return this;
    }

    /** Closes the innermost open vector. */
    public WireWriter end() {
        int[] v = open.pop();
        int length = out.size() - v[0] - v[1];
        if (length >= 1 << (8 * v[1])) {
            throw new IllegalStateException("vector of " + length + " bytes exceeds its " + v[1] + "-byte length");
        }
        out.patch(v[0], length, v[1]);
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        if (!open.isEmpty()) {
            throw new IllegalStateException(open.size() + " vectors still open");
        }
        return out.toByteArray();
    }
}
