package dev.pqdtls.bench;

import java.nio.ByteBuffer;

/**
 * One AEAD record-protection implementation under test, reduced to what the benchmark drives: seal
 * and open in place (the {@link dev.pqdtls.spi.RecordProtection} contract: the tag is appended after
 * the limit on seal and removed on open), singly and in batches. Each implementation chooses the
 * buffers it is fastest with through {@link #allocate}.
 */
interface RecordAead extends AutoCloseable {

    /** Short name used as the JMH {@code impl} parameter. */
    String name();

    /** A buffer of {@code capacity} bytes in the memory this implementation is meant to work on. */
    ByteBuffer allocate(int capacity);

    void seal(long sequenceNumber, ByteBuffer aad, ByteBuffer record);

    /** True if the tag verified; the plaintext then lies between position and the new limit. */
    boolean open(long sequenceNumber, ByteBuffer aad, ByteBuffer record);

    default void sealBatch(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count) {
        for (int i = 0; i < count; i++) {
            seal(sequenceNumbers[i], aads[i], records[i]);
        }
    }

    /** Returns how many records verified. */
    default int openBatch(long[] sequenceNumbers, ByteBuffer[] aads, ByteBuffer[] records, int count,
            boolean[] authentic) {
        int ok = 0;
        for (int i = 0; i < count; i++) {
            authentic[i] = open(sequenceNumbers[i], aads[i], records[i]);
            if (authentic[i]) {
                ok++;
            }
        }
        return ok;
    }

    @Override
    void close();
}
