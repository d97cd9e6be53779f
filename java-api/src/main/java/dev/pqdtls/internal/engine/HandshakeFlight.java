package dev.pqdtls.internal.engine;

import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.reliability.Ack;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The flight this side sent last (RFC 9147 §5.6): its messages, each with the epoch it travels in, cut
 * into fragments that fit the MTU when first sent, and which of those fragments an ACK has covered
 * (§7.2). A retransmission sends only the fragments not yet acknowledged, with the same bytes and
 * boundaries as before, packed into as few datagrams as they fit; each record's number is remembered
 * with its fragment, so an ACK of any transmission counts.
 */
final class HandshakeFlight {
    /** A handshake message of the flight. */
    record Message(int type, int messageSeq, byte[] body, long epoch) {
    }

    /** A piece of one message, carried whole in one record: the unit an ACK acknowledges. */
    private record Fragment(Message message, int offset, int length) {
    }

    /** A record we sent: which fragment it carried, and when. */
    private record Sent(int fragment, long atMillis) {
    }

    /** Smallest fragment worth starting in a partly filled datagram. */
    private static final int MIN_FRAGMENT = 32;

    private final List<Message> messages = new ArrayList<>();
    private final List<Fragment> fragments = new ArrayList<>();
    private final BitSet acknowledged = new BitSet();
    /** Which fragment each record we sent carried, and when, over every transmission. */
    private final Map<Ack.RecordNumber, Sent> sent = new HashMap<>();
    private int transmissions;
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

    /**
     * Sends every fragment not yet acknowledged, in datagrams of at most {@code mtu} bytes; the first
     * call cuts the messages into fragments, filling each datagram before starting the next.
     */
    void transmit(RecordLayer layer, int mtu, Consumer<ByteBuffer> out, long nowMillis) {
        transmissions++;
        if (fragments.isEmpty()) {
            cut(layer, mtu);
        }
        ByteBuffer datagram = ByteBuffer.allocate(mtu);
        for (int i = acknowledged.nextClearBit(0); i < fragments.size(); i = acknowledged.nextClearBit(i + 1)) {
            Fragment f = fragments.get(i);
            if (datagram.remaining() < layer.overhead(f.message().epoch()) + HandshakeFragment.HEADER_LENGTH + f.length()) {
                out.accept(datagram.flip());
                datagram = ByteBuffer.allocate(mtu);
            }
            Message m = f.message();
            ByteBuffer content = ByteBuffer.allocate(HandshakeFragment.HEADER_LENGTH + f.length());
            HandshakeFragment.writeHeader(content, m.type(), m.body().length, m.messageSeq(), f.offset(), f.length());
            content.put(m.body(), f.offset(), f.length()).flip();
            long seq = layer.write(m.epoch(), ContentType.HANDSHAKE, content, datagram);
            sent.put(new Ack.RecordNumber(m.epoch(), seq), new Sent(i, nowMillis));
        }
        if (datagram.position() > 0) {
            out.accept(datagram.flip());
        }
    }

    /** Cuts the messages into fragments as they first fill datagrams of {@code mtu} bytes. */
    private void cut(RecordLayer layer, int mtu) {
        int room = mtu;
        for (Message m : messages) {
            int offset = 0;
            do {
                int space = room - layer.overhead(m.epoch()) - HandshakeFragment.HEADER_LENGTH;
                int left = m.body().length - offset;
                if (space < Math.min(MIN_FRAGMENT, left) || space <= 0) {
                    if (room == mtu) {
                        throw new IllegalStateException("MTU " + mtu + " is too small for a handshake fragment");
                    }
                    room = mtu; // the datagram is full: the next fragment starts another
                    continue;
                }
                int n = Math.min(space, left);
                fragments.add(new Fragment(m, offset, n));
                room -= layer.overhead(m.epoch()) + HandshakeFragment.HEADER_LENGTH + n;
                offset += n;
            } while (offset < m.body().length);
        }
    }

    /**
     * Applies an ACK (RFC 9147 §7.2: a record counts as acknowledged if it appears in any ACK); returns
     * how many fragments it newly acknowledged.
     */
    int acknowledge(Collection<Ack.RecordNumber> acked) {
        int before = acknowledged.cardinality();
        for (Ack.RecordNumber r : acked) {
            Sent s = sent.get(r);
            if (s != null) {
                acknowledged.set(s.fragment());
            }
        }
        return acknowledged.cardinality() - before;
    }

    /** Whether every fragment has been acknowledged (only once sent). */
    boolean complete() {
        return !fragments.isEmpty() && acknowledged.cardinality() == fragments.size();
    }

    /** How many times the flight (or its unacknowledged part) has been sent. */
    int transmissions() {
        return transmissions;
    }

    /** When we sent the record {@code r} of this flight, or -1 if it is not one of ours. */
    long sentAtMillis(Ack.RecordNumber r) {
        Sent s = sent.get(r);
        return s == null ? -1 : s.atMillis();
    }
}
