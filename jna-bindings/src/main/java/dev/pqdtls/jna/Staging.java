package dev.pqdtls.jna;

/**
 * Per-thread native scratch for the short calls (key setup, HMAC, HKDF, hashing heap data, random
 * bytes): Java arrays are copied in, the call reads and writes native memory, results are copied out
 * and the used bytes wiped before the call returns, so no key or secret stays behind in native memory
 * (JNA's own array marshalling would leave freed, unwiped copies). Sized per call by
 * {@link #begin}, so addresses stay valid for the whole call; grows, never shrinks.
 */
final class Staging {
    private static final ThreadLocal<Staging> CURRENT = ThreadLocal.withInitial(Staging::new);

    private NativeMemory memory = NativeMemory.allocate(4096, 16);
    private int used;

    private Staging() {
    }

    /** Room for alignment between up to 8 items of one call. */
    private static final int SLACK = 8 * 16;

    /**
     * This thread's staging area, emptied and with room for {@code bytes} in up to 8 items; call
     * {@link #wipe()} in a finally block.
     */
    static Staging begin(long bytes) {
        Staging s = CURRENT.get();
        s.used = 0;
        if (s.memory.size() < bytes + SLACK) {
            s.memory = NativeMemory.allocate(Math.max(bytes + SLACK, 2 * s.memory.size()), 16);
        }
        return s;
    }

    /** Reserves {@code length} bytes and returns their address (16-byte aligned). */
    long reserve(int length) {
        int at = (used + 15) & ~15;
        if (at + length > memory.size()) {
            throw new IllegalStateException("staging overrun: begin() was given too few bytes");
        }
        used = at + Math.max(length, 1);
        return memory.address + at;
    }

    /** Copies {@code bytes} in and returns their address. */
    long copyIn(byte[] bytes) {
        return copyIn(bytes, 0, bytes.length);
    }

    long copyIn(byte[] bytes, int offset, int length) {
        long address = reserve(length);
        memory.buffer.put((int) (address - memory.address), bytes, offset, length);
        return address;
    }

    /** Copies the remaining bytes of {@code src} in (its position does not move) and returns their address. */
    long copyIn(java.nio.ByteBuffer src) {
        long address = reserve(src.remaining());
        memory.buffer.put((int) (address - memory.address), src, src.position(), src.remaining());
        return address;
    }

    /** Copies {@code out.length} bytes at {@code address} (from {@link #reserve}) into {@code out}. */
    void copyOut(long address, byte[] out) {
        memory.buffer.get((int) (address - memory.address), out, 0, out.length);
    }

    /** A {@code long} stored at {@code address} (e.g. a handle a C function wrote). */
    long longAt(long address) {
        return memory.buffer.getLong((int) (address - memory.address));
    }

    /** Zeroes what this call used. */
    void wipe() {
        memory.wipe(used);
        used = 0;
    }
}
