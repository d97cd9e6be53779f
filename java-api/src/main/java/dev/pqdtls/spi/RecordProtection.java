package dev.pqdtls.spi;

import dev.pqdtls.CipherSuite;
import java.nio.ByteBuffer;

/**
 * AEAD protection of DTLS 1.3 records for one direction and one epoch: the write key, the write IV
 * and the record-number key of RFC 9147 §4.2.3. The nonce of each record is the IV XOR the 64-bit
 * record sequence number, left-padded to 12 bytes (RFC 8446 §5.3).
 *
 * <p>Buffers may be heap or direct. Implementations work in place and never keep references to the
 * caller's buffers. An instance is not thread-safe. {@link #close()} wipes the keys.
 */
public interface RecordProtection extends AutoCloseable {

    /** The suite this protection was made for. */
    CipherSuite suite();

    /**
     * Encrypts the plaintext between {@code record.position()} and {@code record.limit()} in place
     * and appends the suite's tag: on return the limit has grown by {@link CipherSuite#tagLength()}
     * and the position is unchanged. The AAD is read from {@code aad.position()} to its limit and the
     * AAD's position is unchanged.
     *
     * @throws java.nio.BufferOverflowException if the record has no room for the tag
     */
    void seal(long sequenceNumber, ByteBuffer aad, ByteBuffer record);

    /**
     * Decrypts ciphertext-and-tag between position and limit in place. On success the limit shrinks by
     * the suite's tag length and the plaintext lies between position and the new limit. On failure the buffer
     * contents are unspecified and the limit is unchanged.
     *
     * @throws BadRecordMacException if the tag does not verify or the record is shorter than a tag
     */
    void open(long sequenceNumber, ByteBuffer aad, ByteBuffer record) throws BadRecordMacException;

    /**
     * Seals {@code count} records, as {@link #seal} does for each. Native backends do this in one
     * downcall; the default loops.
     */
    default void sealBatch(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count) {
        for (int i = 0; i < count; i++) {
            seal(sequenceNumbers[i], aads[i], records[i]);
        }
    }

    /**
     * Opens {@code count} records, as {@link #open} does for each, and records in {@code authentic[i]}
     * whether record {@code i} verified; a record that fails never stops the others.
     *
     * @return how many records verified
     */
    default int openBatch(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            boolean[] authentic) {
        int ok = 0;
        for (int i = 0; i < count; i++) {
            int limit = records[i].limit();
            try {
                open(sequenceNumbers[i], aads[i], records[i]);
                authentic[i] = true;
                ok++;
            } catch (BadRecordMacException e) {
                records[i].limit(limit);
                authentic[i] = false;
            }
        }
        return ok;
    }

    /**
     * The record-number mask of RFC 9147 §4.2.3 for a ciphertext sample: AES-ECB of the 16-byte
     * sample under the record-number key for AES suites; for ChaCha20 the first 16 bytes of ChaCha20
     * keystream with the sample's first 4 bytes as the little-endian block counter and the other 12 as
     * the nonce. Reads 16 bytes from {@code sample} at its position (position unchanged) and writes
     * the 16-byte mask into {@code mask[0..16)}.
     */
    void recordNumberMask(ByteBuffer sample, byte[] mask);

    /**
     * Releases the working state that only speeds up use (expanded key schedules, cipher objects) of
     * a connection gone idle, keeping the keys; the next call rebuilds it. The default does nothing.
     */
    default void trim() {
    }

    /** Wipes the keys. Further use throws {@link IllegalStateException}. */
    @Override
    void close();
}
