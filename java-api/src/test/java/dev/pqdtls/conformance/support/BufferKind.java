package dev.pqdtls.conformance.support;

import java.nio.ByteBuffer;

/** Where a test puts its bytes: heap or direct, at the start of the buffer or behind a prefix. */
public enum BufferKind {
    HEAP(false, 0), HEAP_OFFSET(false, 7), HEAP_SLICE(false, -5), DIRECT(true, 0), DIRECT_OFFSET(true, 9);

    final boolean direct;
    final int offset;

    BufferKind(boolean direct, int offset) {
        this.direct = direct;
        this.offset = offset;
    }

    /**
     * A buffer holding {@code content} between position and limit with {@code spare} bytes of room
     * after the limit, surrounded by canary bytes. A negative offset makes a slice whose backing
     * array starts before it (a non-zero arrayOffset).
     */
    public ByteBuffer wrap(byte[] content, int spare) {
        int prefix = Math.abs(offset);
        int capacity = prefix + content.length + spare + 3;
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        for (int i = 0; i < capacity; i++) {
            b.put(i, (byte) 0xC5);
        }
        if (offset < 0) {
            b.position(prefix);
            b = b.slice();
            prefix = 0;
        }
        b.position(prefix);
        b.put(content);
        b.limit(b.position());
        b.position(prefix);
        return b;
    }
}
