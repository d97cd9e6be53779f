package dev.pqdtls.internal.recordlayer;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A {@link dev.pqdtls.spi.RecordProtection} that also opens whole DTLSCiphertext records of its epoch
 * in batches, in one native call (DESIGN §4): header parsing, record-number decryption, sequence
 * reconstruction, the replay check, AEAD and the window update, exactly as {@link EpochCipher#unprotect}
 * does them one by one.
 */
public interface RecordBatchOpener {
    /** Not one whole record of this epoch (or not a direct buffer): the caller processes it itself. */
    int SKIPPED = -1;
    int REPLAYED = -2;
    int BAD_MAC = -3;
    int TOO_SHORT = -4;
    int NO_CONTENT_TYPE = -5;

    /**
     * Opens, in place, every datagram that is exactly one record with these epoch bits (a CID, if
     * present, is {@code cidLength} bytes). {@code window} is {highest, seen} of the epoch's
     * {@link ReplayWindow} and the records that did not open since its last authentic one (the
     * resynchronisation of {@link EpochCipher#unprotect}), and is advanced. For datagram i, {@code status[i]} is the content type
     * (&gt; 0) of an authentic record, whose content lies at {@code contentOffsets[i]} (from the
     * buffer's position) for {@code contentLengths[i]} bytes with sequence number {@code sequences[i]};
     * otherwise one of the negative outcomes above.
     */
    void openRecords(int epochBits, int cidLength, long[] window, List<ByteBuffer> datagrams, int[] status,
            long[] sequences, int[] contentOffsets, int[] contentLengths);
}
