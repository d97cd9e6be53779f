package dev.pqdtls.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native memory as a direct {@link ByteBuffer} (native byte order) and its address: Java reads and
 * writes it through the buffer, with no JNI call per access, and passes the address to C. Freed by
 * the buffer's cleaner when unreachable; callers wipe what held secrets first.
 */
final class NativeMemory {
    final ByteBuffer buffer;
    final long address;

    private NativeMemory(ByteBuffer buffer) {
        this.buffer = buffer.order(ByteOrder.nativeOrder());
        this.address = address(buffer);
    }

    /** {@code bytes} of zeroed memory aligned to {@code alignment} (a power of two, at most 4096). */
    static NativeMemory allocate(long bytes, long alignment) {
        long size = Math.max(1, bytes);
        long rounded = (size + alignment - 1) / alignment * alignment; // alignedSlice also rounds the end down
        if (rounded + alignment > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("native buffer of " + bytes + " bytes");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) (rounded + alignment));
        return new NativeMemory(raw.alignedSlice((int) alignment).limit((int) size).slice());
    }

    /** The address of a direct buffer's first byte (position ignored). */
    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** The address of a direct buffer's position. */
    static long positionAddress(ByteBuffer direct) {
        return address(direct) + direct.position();
    }

    long size() {
        return buffer.capacity();
    }

    /** Zeroes the first {@code length} bytes. */
    void wipe(long length) {
        int n = (int) Math.min(length, buffer.capacity());
        int i = 0;
        for (; i + Long.BYTES <= n; i += Long.BYTES) {
            buffer.putLong(i, 0L);
        }
        for (; i < n; i++) {
            buffer.put(i, (byte) 0);
        }
    }

    /** Copies {@code bytes} to {@code offset}. */
    void put(int offset, byte[] bytes) {
        buffer.put(offset, bytes, 0, bytes.length);
    }

    /** A copy of {@code length} bytes at {@code offset}. */
    byte[] get(int offset, int length) {
        byte[] out = new byte[length];
        buffer.get(offset, out, 0, length);
        return out;
    }
}
