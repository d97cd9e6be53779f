package dev.pqdtls.internal.server;

import java.net.InetAddress;

/**
 * Token buckets limiting new handshakes per source address, in a fixed-size table: the address
 * picks a bucket by a keyed hash, so memory is bounded whatever the number of sources and no state is
 * created per client. Addresses that share a bucket share its budget (the key is random per server,
 * so which ones do cannot be chosen from outside). The caller charges a bucket only for a handshake it
 * admits — after the cookie round trip where one is demanded — so spoofed sources cannot drain the
 * buckets of real ones. Thread-safe; O(1).
 */
final class HandshakeRate {
    /** Buckets in the table: 64 KiB; collisions are rare while fewer sources than this are active. */
    static final int BUCKETS = 4096;
    private static final long UNIT = 1_000_000; // micro-tokens: integer refill at any rate

    private final long capacity;
    private final long refillPerMilli;
    private final long seed;
    private final long[] tokens = new long[BUCKETS];
    private final long[] updatedAt = new long[BUCKETS];
    private final boolean[] used = new boolean[BUCKETS];

    HandshakeRate(int perSecond, int burst, long seed) {
        this.capacity = burst * UNIT;
        this.refillPerMilli = perSecond * UNIT / 1000;
        this.seed = seed;
    }

    /** Takes one token from {@code source}'s bucket; false if it is empty. */
    synchronized boolean tryAcquire(InetAddress source, long nowMillis) {
        int i = bucket(source);
        long t;
        if (!used[i]) {
            used[i] = true;
            t = capacity;
        } else {
            long elapsed = Math.max(0, nowMillis - updatedAt[i]);
            // No overflow: beyond the time a bucket takes to fill, it is full.
            t = elapsed >= capacity / Math.max(1, refillPerMilli) ? capacity
                    : Math.min(capacity, tokens[i] + elapsed * refillPerMilli);
        }
        updatedAt[i] = nowMillis;
        if (t < UNIT) {
            tokens[i] = t;
            return false;
        }
        tokens[i] = t - UNIT;
        return true;
    }

    /** FNV-1a over the address bytes from a random basis, then a 64-bit finaliser (MurmurHash3's fmix64). */
    private int bucket(InetAddress source) {
        long h = seed;
        for (byte b : source.getAddress()) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) (h & (BUCKETS - 1));
    }
}
