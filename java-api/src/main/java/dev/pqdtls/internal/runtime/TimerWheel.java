package dev.pqdtls.internal.runtime;

/**
 * A hashed timer wheel (Varghese &amp; Lauck): scheduling, rescheduling and cancelling are O(1), and
 * advancing the clock costs the entries of the slots passed, never a scan of every connection.
 * Entries are intrusive (a connection is its own list node), so a timer costs no allocation.
 * Deadlines are rounded up to the next tick; an entry fires once its tick has passed. Single
 * thread: the event loop that owns it.
 */
final class TimerWheel {
    /** A schedulable object; at most one deadline at a time. */
    abstract static class Entry {
        private Entry prev;
        private Entry next;
        private int slot = -1;
        private long tick;

        /** Whether a deadline is set. */
        final boolean scheduled() {
            return slot >= 0;
        }

        /** The deadline in milliseconds (rounded up to the wheel's tick), if scheduled. */
        final long deadlineTick() {
            return tick;
        }
    }

    /** Receives the entries whose deadline passed. */
    interface Expiry<E extends Entry> {
        void expired(E entry);
    }

    private final long tickMillis;
    private final Entry[] heads;
    private final int mask;
    private long currentTick;
    private int size;

    /**
     * @param tickMillis the resolution
     * @param slots a power of two; an entry further away than slots × tick is looked at once per turn
     */
    TimerWheel(long tickMillis, int slots, long nowMillis) {
        if (Integer.bitCount(slots) != 1 || tickMillis <= 0) {
            throw new IllegalArgumentException("slots must be a power of two and the tick positive");
        }
        this.tickMillis = tickMillis;
        this.heads = new Entry[slots];
        this.mask = slots - 1;
        this.currentTick = nowMillis / tickMillis;
    }

    int size() {
        return size;
    }

    /** Sets (or moves) the entry's deadline; {@code Long.MAX_VALUE} cancels it. */
    void schedule(Entry e, long deadlineMillis) {
        if (deadlineMillis == Long.MAX_VALUE) {
            cancel(e);
            return;
        }
        long tick = Math.max(currentTick + 1, ceilDiv(deadlineMillis, tickMillis));
        if (e.scheduled()) {
            if (e.tick == tick) {
                return;
            }
            unlink(e);
        }
        e.tick = tick;
        int slot = (int) (tick & mask);
        e.slot = slot;
        e.prev = null;
        e.next = heads[slot];
        if (e.next != null) {
            e.next.prev = e;
        }
        heads[slot] = e;
        size++;
    }

    void cancel(Entry e) {
        if (e.scheduled()) {
            unlink(e);
        }
    }

    /**
     * Moves the clock to {@code nowMillis}, handing every entry whose tick has passed to
     * {@code expiry} (unscheduled first, so it may schedule itself again).
     */
    @SuppressWarnings("unchecked")
    <E extends Entry> void advance(long nowMillis, Expiry<E> expiry) {
        long target = nowMillis / tickMillis;
        // After a long sleep every slot is visited once, not once per missed tick.
        long from = Math.max(currentTick + 1, target - mask);
        for (long t = from; t <= target; t++) {
            Entry e = heads[(int) (t & mask)];
            while (e != null) {
                Entry next = e.next;
                if (e.tick <= target) {
                    unlink(e);
                    expiry.expired((E) e);
                }
                e = next;
            }
        }
        currentTick = Math.max(currentTick, target);
    }

    /**
     * Milliseconds from {@code nowMillis} until the next non-empty slot within {@code horizonMillis},
     * or {@code horizonMillis} if none is that close. A slot may hold entries of later turns, so this
     * can wake the loop early (it then finds nothing due): cheap, and it never scans entries.
     */
    long millisUntilNext(long nowMillis, long horizonMillis) {
        long last = (nowMillis + horizonMillis) / tickMillis;
        for (long t = currentTick + 1; t <= last && t - currentTick <= mask; t++) {
            if (heads[(int) (t & mask)] != null) {
                return Math.max(0, t * tickMillis - nowMillis);
            }
        }
        return horizonMillis;
    }

    private void unlink(Entry e) {
        if (e.prev != null) {
            e.prev.next = e.next;
        } else {
            heads[e.slot] = e.next;
        }
        if (e.next != null) {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.slot = -1;
        size--;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
