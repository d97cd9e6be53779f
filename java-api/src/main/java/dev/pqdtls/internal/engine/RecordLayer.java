package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsException;
import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.recordlayer.EpochCipher;
import dev.pqdtls.internal.recordlayer.RecordBatchOpener;
import dev.pqdtls.internal.recordlayer.SealingSender;
import dev.pqdtls.internal.recordlayer.ReplayWindow;
import dev.pqdtls.internal.recordlayer.UnifiedHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One connection's record layer (RFC 9147 §4): DTLSPlaintext for epoch 0, DTLSCiphertext with the
 * unified header for epochs 2 and up, several records per datagram. Reading never throws for hostile
 * input: every record that does not parse, authenticate or belong to a known epoch is dropped and
 * counted (§4.5.2), and the rest of the datagram is still processed where its boundaries are known.
 */
final class RecordLayer {
    /** DTLSPlaintext header: type, legacy_record_version, epoch, 48-bit sequence number, length. */
    static final int PLAINTEXT_HEADER = 13;
    static final int DTLS12_VERSION = 0xFEFD;

    /** A record as delivered upward: its number, type and content (a view into the datagram). */
    record Record(long epoch, long sequenceNumber, int contentType, ByteBuffer content) {
    }

    /** Receives each authentic record as soon as it is opened. */
    interface RecordHandler {
        /** @return false to stop reading the rest of the datagram (the connection ended) */
        boolean onRecord(Record r) throws DtlsException;
    }

    private final EpochTable readEpochs = new EpochTable();
    private final EpochCipher.BatchResult batch = new EpochCipher.BatchResult();
    private final EpochTable writeEpochs = new EpochTable();
    private final ReplayWindow plaintextReplay = new ReplayWindow();
    private long writeEpoch;
    private long plaintextSendSequence;
    private byte[] sendCid = new byte[0];
    private int receiveCidLength;
    long dropped;
    /** Among {@link #dropped}: replayed records, and records that failed authentication. */
    long replayed;
    long failedAuthentication;
    long recordsSent;
    long recordsReceived;

    /** Installs keys to read {@code epoch}; older epochs stay readable until {@link #retireReadEpochsBelow}. */
    void installRead(EpochCipher cipher) {
        EpochCipher old = readEpochs.put(cipher);
        if (old != null) {
            old.close();
        }
    }

    /**
     * Makes {@code cipher} the current write epoch. Older write epochs stay usable for retransmitting
     * a flight until {@link #retireWriteEpochsBelow}.
     */
    void installWrite(EpochCipher cipher) {
        EpochCipher old = writeEpochs.put(cipher);
        if (old != null) {
            old.close();
        }
        writeEpoch = cipher.epoch();
    }

    /** Forgets read keys of epochs below {@code epoch} (kept briefly for reordered records, RFC 9147 §8). */
    void retireReadEpochsBelow(long epoch) {
        readEpochs.retireBelow(epoch);
    }

    /** Forgets write keys of epochs below {@code epoch} once nothing needs resending in them. */
    void retireWriteEpochsBelow(long epoch) {
        writeEpochs.retireBelow(epoch);
    }

    /** Idle connection: every epoch's cipher drops its working state (rebuilt on the next record). */
    void trim() {
        readEpochs.forEach(EpochCipher::trim);
        writeEpochs.forEach(EpochCipher::trim);
    }

    boolean canRead(long epoch) {
        return epoch == 0 || readEpochs.contains(epoch);
    }

    long writeEpoch() {
        return writeEpoch;
    }

    /** Records sent so far under the current write key (drives automatic KeyUpdate). */
    long recordsUnderCurrentWriteKey() {
        EpochCipher c = writeEpochs.get(writeEpoch);
        return c == null ? 0 : c.nextSendSequence();
    }

    /** The CID the peer asked for (sent in our records) and the length of ours (in the peer's). */
    void connectionIds(byte[] send, int receiveLength) {
        this.sendCid = send.clone();
        this.receiveCidLength = receiveLength;
    }

    byte[] sendCid() {
        return sendCid;
    }

    /** Continue epoch-0 numbering from here; a stateless server reuses the ClientHello's (RFC 9147 §5.1). */
    void plaintextSendSequence(long next) {
        plaintextSendSequence = next;
    }

    /** Bytes a record with this much content takes in {@code epoch}. */
    int overhead(long epoch) {
        if (epoch == 0) {
            return PLAINTEXT_HEADER;
        }
        EpochCipher cipher = writeEpochs.get(epoch);
        return cipher != null ? cipher.protectedLength(sendCid, 0)
                : EpochCipher.protectedLength(sendCid.length, 0, CipherSuite.TAG_LENGTH);
    }

    /**
     * Appends one record with {@code content} (position to limit) to {@code out} in {@code epoch}
     * (0 = DTLSPlaintext); returns its sequence number.
     */
    long write(long epoch, int contentType, ByteBuffer content, ByteBuffer out) {
        recordsSent++;
        if (epoch == 0) {
            long seq = plaintextSendSequence++;
            out.put((byte) contentType).putShort((short) DTLS12_VERSION).putShort((short) 0)
                    .putShort((short) (seq >>> 32)).putInt((int) seq).putShort((short) content.remaining()).put(content);
            return seq;
        }
        EpochCipher cipher = writeEpochs.get(epoch);
        if (cipher == null) {
            throw new IllegalStateException("no write keys for epoch " + epoch);
        }
        return cipher.protect(contentType, content, sendCid, out);
    }

    /**
     * Seals {@code contents} as application-data records of the current write epoch and sends them
     * through {@code sender} in one call.
     *
     * @return false if the sender cannot use this epoch's keys (then nothing was sealed or sent)
     */
    boolean writeApplicationBatch(List<ByteBuffer> contents, SealingSender sender, InetSocketAddress peer)
            throws IOException {
        EpochCipher cipher = writeEpochs.get(writeEpoch);
        if (cipher == null || !sender.canSeal(cipher.protection())) {
            return false;
        }
        long first = cipher.reserve(contents.size());
        recordsSent += contents.size();
        sender.sealAndSend(cipher.protection(), writeEpoch, sendCid, ContentType.APPLICATION_DATA, first, contents, peer);
        return true;
    }

    /**
     * Reads datagrams in order, as {@link #read} does, but opens those that are one whole record of
     * the newest read epoch together in one call first when the backend can (DESIGN §4). A record
     * that changes keys (a KeyUpdate) cannot affect the others: records of a newer epoch are skipped
     * by the batch and read after it in order, like anything else the batch leaves.
     */
    void readBatch(List<ByteBuffer> datagrams, RecordHandler sink) throws DtlsException {
        EpochCipher newest = null;
        for (int i = 0; i < readEpochs.size(); i++) {
            EpochCipher c = readEpochs.at(i);
            if (newest == null || c.epoch() > newest.epoch()) {
                newest = c;
            }
        }
        if (datagrams.size() < 2 || newest == null || !newest.unprotectBatch(datagrams, receiveCidLength, batch)) {
            for (ByteBuffer d : datagrams) {
                if (!read(d, sink)) {
                    return;
                }
            }
            return;
        }
        long epoch = newest.epoch();
        for (int i = 0; i < datagrams.size(); i++) {
            ByteBuffer d = datagrams.get(i);
            int status = batch.status[i];
            if (status == RecordBatchOpener.SKIPPED) {
                if (!read(d, sink)) {
                    return;
                }
                continue;
            }
            if (status < 0) {
                countDrop(status == RecordBatchOpener.REPLAYED, status == RecordBatchOpener.BAD_MAC);
                continue;
            }
            recordsReceived++;
            int at = d.position() + batch.contentOffsets[i];
            if (!sink.onRecord(new Record(epoch, batch.sequences[i], status,
                    d.duplicate().position(at).limit(at + batch.contentLengths[i])))) {
                return;
            }
        }
    }

    /**
     * Splits a datagram into records, opens them in place and hands each authentic one to
     * {@code sink} before opening the next: a ServerHello installs the keys that open the encrypted
     * records after it in the same datagram.
     *
     * @return false if the handler asked to stop
     */
    boolean read(ByteBuffer datagram, RecordHandler sink) throws DtlsException {
        int pos = datagram.position();
        int end = datagram.limit();
        while (pos < end) {
            int first = datagram.get(pos) & 0xFF;
            if (UnifiedHeader.matches(first)) {
                UnifiedHeader h = UnifiedHeader.parse(datagram, pos, end, receiveCidLength);
                if (h == null) {
                    dropped++;
                    return true;
                }
                if (!readCiphertext(datagram, pos, h, sink)) {
                    return false;
                }
                pos += h.recordLength();
            } else if (first == ContentType.HANDSHAKE || first == ContentType.ALERT || first == ContentType.ACK) {
                if (end - pos < PLAINTEXT_HEADER) {
                    dropped++;
                    return true;
                }
                int epoch = datagram.getShort(pos + 3) & 0xFFFF;
                long seq = (datagram.getShort(pos + 5) & 0xFFFFL) << 32 | (datagram.getInt(pos + 7) & 0xFFFF_FFFFL);
                int length = datagram.getShort(pos + 11) & 0xFFFF;
                int contentStart = pos + PLAINTEXT_HEADER;
                if (contentStart + length > end) {
                    dropped++;
                    return true;
                }
                // Only epoch 0 travels in the clear in DTLS 1.3; anything else in this form is bogus.
                if (epoch == 0 && plaintextReplay.isFresh(seq)) {
                    plaintextReplay.markAuthentic(seq);
                    recordsReceived++;
                    if (!sink.onRecord(new Record(0, seq, first,
                            datagram.duplicate().position(contentStart).limit(contentStart + length)))) {
                        return false;
                    }
                } else {
                    dropped++;
                }
                pos = contentStart + length;
            } else {
                dropped++;
                return true;
            }
        }
        return true;
    }

    private boolean readCiphertext(ByteBuffer datagram, int pos, UnifiedHeader h, RecordHandler sink) throws DtlsException {
        EpochCipher cipher = cipherForEpochBits(h.epochBits());
        if (cipher == null) {
            dropped++;
            return true;
        }
        EpochCipher.Unprotected result = cipher.unprotect(datagram, pos, h);
        if (result instanceof EpochCipher.Opened o) {
            recordsReceived++;
            return sink.onRecord(new Record(cipher.epoch(), o.sequenceNumber(), o.contentType(),
                    datagram.duplicate().position(o.contentOffset()).limit(o.contentOffset() + o.contentLength())));
        }
        countDrop(result == EpochCipher.Drop.REPLAYED, result == EpochCipher.Drop.BAD_MAC);
        return true;
    }

    private void countDrop(boolean replay, boolean badMac) {
        dropped++;
        if (replay) {
            replayed++;
        } else if (badMac) {
            failedAuthentication++;
        }
    }

    /** The newest readable epoch whose low two bits match (RFC 9147 §4.2.2). */
    private EpochCipher cipherForEpochBits(int bits) {
        EpochCipher best = null;
        for (int i = 0; i < readEpochs.size(); i++) {
            EpochCipher c = readEpochs.at(i);
            if ((c.epoch() & 3) == bits && (best == null || c.epoch() > best.epoch())) {
                best = c;
            }
        }
        return best;
    }

    /** Wipes every key. */
    void close() {
        retireWriteEpochsBelow(Long.MAX_VALUE);
        retireReadEpochsBelow(Long.MAX_VALUE);
    }

    /** The most records that failed authentication under any one read key still held. */
    long mostAuthenticationFailures() {
        long most = 0;
        for (int i = 0; i < readEpochs.size(); i++) {
            EpochCipher c = readEpochs.at(i);
            most = Math.max(most, c.authenticationFailures());
        }
        return most;
    }

    /** Epochs currently readable, for diagnostics. */
    List<Long> readEpochs() {
        return readEpochs.epochs();
    }
}
