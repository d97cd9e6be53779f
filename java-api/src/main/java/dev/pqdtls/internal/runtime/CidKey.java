package dev.pqdtls.internal.runtime;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A connection ID as a hash key. Registered keys own a copy of the bytes; a loop's lookup probe is
 * re-pointed at each datagram's CID bytes, so routing by CID allocates nothing.
 */
final class CidKey {
    private byte[] bytes;
    private int offset;
    private int length;
    private int hash;

    private CidKey() {
    }

    /** A key that owns a copy of {@code cid}. */
    static CidKey of(byte[] cid) {
        CidKey k = new CidKey();
        k.point(cid.clone(), 0, cid.length);
        return k;
    }

    /** A reusable probe (one per loop). */
    static CidKey probe() {
        return new CidKey();
    }

    /** Points this probe at {@code length} bytes of a heap or direct buffer, from absolute {@code at}. */
    CidKey point(ByteBuffer datagram, int at, int length, byte[] scratch) {
        datagram.get(at, scratch, 0, length);
        return point(scratch, 0, length);
    }

    private CidKey point(byte[] b, int off, int len) {
        bytes = b;
        offset = off;
        length = len;
        int h = 1;
        for (int i = 0; i < len; i++) {
            h = 31 * h + b[off + i];
        }
        hash = h;
        return this;
    }

    /** The first byte: the owning loop's index when the server encodes it. */
    int first() {
        return length == 0 ? -1 : bytes[offset] & 0xFF;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CidKey k && k.hash == hash
                && Arrays.equals(bytes, offset, offset + length, k.bytes, k.offset, k.offset + k.length);
    }
}
