package dev.pqdtls.internal.recordlayer;

/**
 * The anti-replay sliding window of RFC 9147 §4.5.1 for one epoch. {@link #isFresh} is asked
 * before decryption and {@link #markAuthentic} only after the record authenticated, so a forged
 * record can neither be accepted nor advance the window.
 */
public final class ReplayWindow {
    /** Window size in records; RFC 4347 §4.1.2.6 recommends at least 64. */
    public static final int SIZE = 64;

    private long highest = -1;
    /** Bit i set: record {@code highest - i} was seen. */
    private long seen;

    /** True if a record with this sequence number has not been seen and is not too old. */
    public boolean isFresh(long sequenceNumber) {
        if (sequenceNumber > highest) {
            return true;
        }
        long age = highest - sequenceNumber;
        return age < SIZE && (seen & (1L << age)) == 0;
    }

    /** Records an authenticated record, sliding the window forward if it is the newest. */
    public void markAuthentic(long sequenceNumber) {
        if (sequenceNumber > highest) {
            long shift = highest < 0 ? SIZE : sequenceNumber - highest;
            seen = shift >= SIZE ? 1L : (seen << shift) | 1L;
            highest = sequenceNumber;
        } else {
            long age = highest - sequenceNumber;
            if (age < SIZE) {
                seen |= 1L << age;
            }
        }
    }

    /** The highest authenticated sequence number, or -1 before the first. */
    public long highest() {
        return highest;
    }

    /** Bit i set: record {@code highest() - i} was seen (with {@link #highest}, the whole state). */
    public long seen() {
        return seen;
    }

    /** Takes over a state that a batch opener advanced outside Java ({@link RecordBatchOpener}). */
    public void restore(long highest, long seen) {
        if (highest < -1 || highest < this.highest) {
            throw new IllegalArgumentException("replay window cannot move back from " + this.highest + " to " + highest);
        }
        this.highest = highest;
        this.seen = seen;
    }
}
