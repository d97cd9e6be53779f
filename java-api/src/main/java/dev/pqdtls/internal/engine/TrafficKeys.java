package dev.pqdtls.internal.engine;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.internal.handshake.KeySchedule;
import dev.pqdtls.internal.recordlayer.EpochCipher;
import java.util.Arrays;

/**
 * The application traffic keys of one connection over their lifetime: the first application epoch,
 * the KeyUpdate ratchet in each direction (RFC 8446 §7.2, RFC 9147 §8) and the AEAD usage limits
 * (RFC 9147 §4.5.3). The connection decides when to send a KeyUpdate; this class says when one is
 * due and installs the new keys into the record layer.
 */
final class TrafficKeys {
    /** Epoch of the first application traffic keys (RFC 9147 §6.1). */
    static final long FIRST_EPOCH = 3;
    /**
     * Records one write key may protect at most: below AES-GCM's 2^24.5 (RFC 8446 §5.5, RFC 9147
     * §4.5.3); ChaCha20-Poly1305 could go further, one rule keeps it simple. AES-CCM: {@link #CCM_USAGE_LIMIT}.
     */
    static final long USAGE_LIMIT = 1L << 24;
    /** AES-CCM's confidentiality limit, 2^23 records of up to 2^14 bytes (RFC 9147 Appendix B.2). */
    static final long CCM_USAGE_LIMIT = 1L << 23;
    /** Records failing authentication under one read key before the connection ends (RFC 9147 §4.5.3). */
    static final long INTEGRITY_LIMIT = 1L << 36;
    /** AES-CCM's integrity limit, 2^23.5 forged records (RFC 9147 §4.5.3, Appendix B.3). */
    static final long CCM_INTEGRITY_LIMIT = 11_863_283;
    /**
     * AES-CCM-8: an 8-byte tag is forged with probability 2^-64 per try, so the 2^-57 bound the
     * other limits keep allows only 2^7 forged records per key (RFC 9147 §4.5.3 and Appendix B
     * forbid this suite in DTLS without other safeguards against forgery).
     */
    static final long CCM_8_INTEGRITY_LIMIT = 1L << 7;

    private final DtlsConfig config;
    private final RecordLayer records;
    private KeySchedule schedule;
    private byte[] writeSecret;
    private byte[] readSecret;
    private boolean updateInFlight;
    private long writeKeySinceMillis;
    private long updates;
    private long peerUpdates;

    TrafficKeys(DtlsConfig config, RecordLayer records) {
        this.config = config;
        this.records = records;
    }

    /**
     * Installs the first application keys (epoch 3) in both directions; takes over the secrets (for
     * KeyUpdate) and wipes the keys once handed to the record layer.
     */
    void install(KeySchedule schedule, KeySchedule.Traffic write, KeySchedule.Traffic read, long nowMillis) {
        this.schedule = schedule;
        this.writeSecret = write.secret();
        this.readSecret = read.secret();
        records.installRead(new EpochCipher(FIRST_EPOCH, schedule.recordProtection(read.keys())));
        records.installWrite(new EpochCipher(FIRST_EPOCH, schedule.recordProtection(write.keys())));
        writeKeySinceMillis = nowMillis;
    }

    private EpochCipher cipher(long epoch, byte[] secret) {
        return new EpochCipher(epoch, schedule.recordProtection(secret));
    }

    /** Marks a KeyUpdate as sent; false if one is already waiting for its ACK. */
    boolean beginUpdate() {
        if (updateInFlight) {
            return false;
        }
        updateInFlight = true;
        return true;
    }

    /** Our KeyUpdate was acknowledged: switch to the next write keys (RFC 9147 §8: only now). */
    void updateAcknowledged(long nowMillis) {
        long epoch = records.writeEpoch() + 1;
        writeSecret = next(writeSecret);
        records.installWrite(cipher(epoch, writeSecret));
        records.retireWriteEpochsBelow(epoch);
        updateInFlight = false;
        updates++;
        writeKeySinceMillis = nowMillis;
    }

    /** The peer's KeyUpdate arrived in {@code epoch}: read the next epoch with the next keys. */
    void peerUpdated(long epoch) {
        readSecret = next(readSecret);
        records.installRead(cipher(epoch + 1, readSecret));
        records.retireReadEpochsBelow(epoch);
        peerUpdates++;
    }

    private byte[] next(byte[] secret) {
        byte[] n = schedule.nextTrafficSecret(secret);
        Arrays.fill(secret, (byte) 0);
        return n;
    }

    /** KeyUpdates of ours that completed. */
    long updates() {
        return updates;
    }

    /** KeyUpdates of the peer's that we followed. */
    long peerUpdates() {
        return peerUpdates;
    }

    /** Whether the write key is old enough (by records or by time) for a KeyUpdate. */
    boolean updateDue(long nowMillis) {
        return records.recordsUnderCurrentWriteKey() >= updateAfterRecords() || nowMillis >= timeDueMillis();
    }

    /** keyUpdateAfterRecords, but at most half the suite's usage limit, so the peer has time to ACK. */
    private long updateAfterRecords() {
        return Math.min(config.keyUpdateAfterRecords(), usageLimit() / 2);
    }

    private long usageLimit() {
        return schedule != null && schedule.suite().isCcm() ? CCM_USAGE_LIMIT : USAGE_LIMIT;
    }

    /** Records failing authentication under one read key before the connection must end. */
    long integrityLimit() {
        if (schedule == null || !schedule.suite().isCcm()) {
            return INTEGRITY_LIMIT;
        }
        return schedule.suite().tagLength() == 8 ? CCM_8_INTEGRITY_LIMIT : CCM_INTEGRITY_LIMIT;
    }

    /** When the write key becomes old by time. */
    long timeDueMillis() {
        return writeKeySinceMillis + config.keyUpdateAfterTime().toMillis();
    }

    /**
     * Why the write key may not protect {@code count} more records, or null if it may: once a
     * KeyUpdate is due the peer has until twice keyUpdateAfterRecords (at most the suite's usage
     * limit: {@link #USAGE_LIMIT}, {@link #CCM_USAGE_LIMIT}) to acknowledge it.
     */
    String usageLimitReached(int count) {
        long limit = Math.min(2 * updateAfterRecords(), usageLimit());
        long used = records.recordsUnderCurrentWriteKey();
        if (used + count <= limit) {
            return null;
        }
        return "the write key has protected " + used + " records and may protect at most " + limit
                + " (RFC 9147 §4.5.3), but the peer has not acknowledged the KeyUpdate started after "
                + updateAfterRecords();
    }

    /** Failed authentications under the most attacked read key still held. */
    long mostAuthenticationFailures() {
        return records.mostAuthenticationFailures();
    }

    /** Wipes both secrets. */
    void wipe() {
        if (writeSecret != null) {
            Arrays.fill(writeSecret, (byte) 0);
        }
        if (readSecret != null) {
            Arrays.fill(readSecret, (byte) 0);
        }
    }
}
