package dev.pqdtls.internal.engine;

import java.nio.ByteBuffer;

/**
 * Received application datagrams waiting for the application, back to back in one byte ring that
 * grows with the traffic and is released when the connection idles: a record costs a copy into the
 * ring, not an object (a {@code byte[]} per record was most of what a busy receiver allocated).
 */
final class InboundQueue {
    private static final byte[] NONE = new byte[0];
    private static final int[] NO_LENGTHS = new int[0];
    private static final int MIN_BYTES = 16 * 1024;

    private final int capacity;
    private byte[] ring = NONE;
    private int head;
    private int used;
    private int[] lengths = NO_LENGTHS;
    private int first;
    private int count;

    /** {@code capacity}: most datagrams held at once. */
    InboundQueue(int capacity) {
        this.capacity = capacity;
    }

    int size() {
        return count;
    }

    /** Appends {@code content} (position to limit, not moved); false when the queue is full. */
    boolean offer(ByteBuffer content) {
        if (count >= capacity) {
            return false;
        }
        int n = content.remaining();
        if (used + n > ring.length || ring.length == 0) {
            grow(used + n);
        }
        if (count == lengths.length) {
            growLengths();
        }
        int tail = (head + used) % ring.length;
        int firstPart = Math.min(n, ring.length - tail);
        content.get(content.position(), ring, tail, firstPart);
        content.get(content.position() + firstPart, ring, 0, n - firstPart);
        used += n;
        lengths[(first + count) % lengths.length] = n;
        count++;
        return true;
    }

    /** Length of the next datagram, or -1 if none. */
    int peekLength() {
        return count == 0 ? -1 : lengths[first];
    }

    /** The next datagram as a new array, or null. */
    byte[] poll() {
        if (count == 0) {
            return null;
        }
        byte[] d = new byte[lengths[first]];
        take(ByteBuffer.wrap(d));
        return d;
    }

    /**
     * Moves the next datagram into {@code into} (cleared, filled, flipped); the caller checked that one
     * is waiting and fits its capacity.
     */
    void pollInto(ByteBuffer into) {
        into.clear();
        take(into);
        into.flip();
    }

    private void take(ByteBuffer into) {
        int n = lengths[first];
        int firstPart = Math.min(n, ring.length - head);
        into.put(ring, head, firstPart);
        into.put(ring, 0, n - firstPart);
        head = (head + n) % ring.length;
        used -= n;
        first = (first + 1) % lengths.length;
        count--;
        if (count == 0) {
            head = 0;
            first = 0;
        }
    }

    /** Gives the storage back while nothing waits (an idle connection holds no buffer). */
    void trim() {
        if (count == 0) {
            ring = NONE;
            lengths = NO_LENGTHS;
        }
    }

    private void grow(int atLeast) {
        byte[] bigger = new byte[Math.max(MIN_BYTES, Math.max(atLeast, 2 * ring.length))];
        int firstPart = Math.min(used, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, firstPart);
        System.arraycopy(ring, 0, bigger, firstPart, used - firstPart);
        ring = bigger;
        head = 0;
    }

    private void growLengths() {
        int[] bigger = new int[Math.min(capacity, Math.max(16, 2 * lengths.length))];
        for (int i = 0; i < count; i++) {
            bigger[i] = lengths[(first + i) % lengths.length];
        }
        lengths = bigger;
        first = 0;
    }
}
