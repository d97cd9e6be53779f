package dev.pqdtls.spi;

import java.nio.ByteBuffer;

/**
 * An incremental hash whose current value can be read at any point without ending it, as the TLS
 * 1.3 transcript needs (RFC 8446 §4.4.1). Not thread-safe.
 */
public interface TranscriptHash {

    HashAlgorithm algorithm();

    /** Hashes the bytes between position and limit and advances the position to the limit. */
    void update(ByteBuffer data);

    /** Hashes {@code data[offset, offset+length)}. */
    default void update(byte[] data, int offset, int length) {
        update(ByteBuffer.wrap(data, offset, length));
    }

    /** The hash of everything so far; the hash keeps accepting input afterwards. */
    byte[] current();

    /** An independent copy in the same state. */
    TranscriptHash copy();
}
