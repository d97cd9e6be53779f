package dev.pqdtls.internal.recordlayer;

import dev.pqdtls.spi.RecordProtection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A transport that seals records and sends them in the same native call (DESIGN §4): it builds the
 * unified header (CID, 16-bit sequence number, length), seals, encrypts the record numbers and sends
 * one datagram per record with sendmmsg or UDP GSO.
 */
public interface SealingSender {

    /** Whether {@link #sealAndSend} can work with this protection (its keys live where the sender is). */
    boolean canSeal(RecordProtection protection);

    /**
     * Seals each content buffer (position to limit; positions are not moved) as one record of
     * {@code contentType} in {@code epoch}, numbered from {@code firstSequence}, and sends each as one
     * datagram to {@code peer}.
     *
     * @throws dev.pqdtls.SendBufferFullException if the socket's send buffer stayed full: the records
     *     after {@code datagramsSent()} were sealed but not sent
     * @throws IOException if the socket failed; the records count as sent (and lost), as UDP allows
     */
    void sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
            List<ByteBuffer> contents, InetSocketAddress peer) throws IOException;
}
