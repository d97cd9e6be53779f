package dev.pqdtls.hw;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.RecordProtection;
import java.nio.ByteBuffer;

/**
 * An indicative AEAD seal rate through {@link CryptoBackend#recordProtection}: one record size, a
 * short warm-up and a fraction of a second of measurement. Good enough to tell a native backend
 * from a pure-Java one and to spot a missing AES-NI; not a benchmark (that is {@code bench/}).
 */
final class AeadSpeed {
    /** A typical DTLS record on a 1280-byte-MTU path. */
    static final int RECORD_BYTES = 1200;
    /** DTLS 1.3 unified header with a 16-bit sequence number and a length (RFC 9147 §4). */
    private static final int AAD_BYTES = 5;
    /** Seals between clock reads, so reading the clock costs nothing measurable. */
    private static final int CHUNK = 16;

    private AeadSpeed() {
    }

    /**
     * Seals {@link #RECORD_BYTES}-byte records in place for {@code warmupNanos}, then for
     * {@code measureNanos}, and returns the measured rate in MB/s (10^6 bytes) of plaintext.
     */
    static double sealMBps(CryptoBackend backend, CipherSuite suite, long warmupNanos, long measureNanos) {
        byte[] key = new byte[suite.keyLength()];
        byte[] iv = new byte[CipherSuite.IV_LENGTH];
        byte[] snKey = new byte[suite.keyLength()];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
            snKey[i] = (byte) (0x80 + i);
        }
        // Direct buffers: what a DatagramChannel or a native data plane hands the record layer.
        ByteBuffer aad = ByteBuffer.allocateDirect(AAD_BYTES);
        ByteBuffer record = ByteBuffer.allocateDirect(RECORD_BYTES + CipherSuite.TAG_LENGTH);
        try (RecordProtection protection = backend.recordProtection(suite, key, iv, snKey)) {
            long seq = 0;
            long end = System.nanoTime() + warmupNanos;
            while (System.nanoTime() < end) {
                seq = sealChunk(protection, aad, record, seq);
            }
            long records = 0;
            long start = System.nanoTime();
            long now;
            do {
                seq = sealChunk(protection, aad, record, seq);
                records += CHUNK;
                now = System.nanoTime();
            } while (now - start < measureNanos);
            return (double) records * RECORD_BYTES * 1e3 / (now - start);
        }
    }

    private static long sealChunk(RecordProtection protection, ByteBuffer aad, ByteBuffer record, long seq) {
        for (int i = 0; i < CHUNK; i++) {
            record.clear().limit(RECORD_BYTES);
            protection.seal(seq++, aad, record);
        }
        return seq;
    }
}
