package dev.pqdtls.internal.engine;

import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.reliability.Ack;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The flight this side sent last (RFC 9147 §5.6): its messages, each with the epoch it travels in,
 * fragmented to the MTU on every (re)transmission, and the record numbers used so an ACK can
 * acknowledge it (§7).
 */
final class HandshakeFlight {
    /** A handshake message of the flight. */
    record Message(int type, int messageSeq, byte[] body, long epoch) {
    }

    /** Smallest fragment worth starting in a partly filled datagram. */
    private static final int MIN_FRAGMENT = 32;

    private final List<Message> messages = new ArrayList<>();
    private final Set<Ack.RecordNumber> unacknowledged = new HashSet<>();
    private boolean needsAck;

    void add(Message m) {
        messages.add(m);
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    /** Whether the flight is retransmitted until an ACK arrives (true for final flights and KeyUpdate). */
    void expectAck(boolean value) {
        needsAck = value;
    }

    boolean expectsAck() {
        return needsAck;
    }

    List<Message> messages() {
        return messages;
    }

    /** Sends every message, fragmented into datagrams of at most {@code mtu} bytes. */
    void transmit(RecordLayer layer, int mtu, Consumer<ByteBuffer> out) {
        unacknowledged.clear();
        ByteBuffer datagram = ByteBuffer.allocate(mtu);
        for (Message m : messages) {
            int offset = 0;
            while (true) {
                int room = datagram.remaining() - layer.overhead(m.epoch()) - HandshakeFragment.HEADER_LENGTH;
                int left = m.body().length - offset;
                if (room < Math.min(MIN_FRAGMENT, left) || room <= 0) {
                    if (datagram.position() == 0) {
                        throw new IllegalStateException("MTU " + mtu + " is too small for a handshake fragment");
                    }
                    out.accept(datagram.flip());
                    datagram = ByteBuffer.allocate(mtu);
                    continue;
                }
                int n = Math.min(room, left);
                ByteBuffer fragment = ByteBuffer.allocate(HandshakeFragment.HEADER_LENGTH + n);
                HandshakeFragment.writeHeader(fragment, m.type(), m.body().length, m.messageSeq(), offset, n);
                fragment.put(m.body(), offset, n).flip();
                long seq = layer.write(m.epoch(), ContentType.HANDSHAKE, fragment, datagram);
                unacknowledged.add(new Ack.RecordNumber(m.epoch(), seq));
                offset += n;
                if (offset >= m.body().length) {
                    break;
                }
            }
        }
        if (datagram.position() > 0) {
            out.accept(datagram.flip());
        }
    }

    /** Applies an ACK; true once every record of the last transmission is acknowledged. */
    boolean acknowledge(List<Ack.RecordNumber> acked) {
        unacknowledged.removeAll(acked);
        return unacknowledged.isEmpty();
    }
}
