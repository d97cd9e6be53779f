package dev.pqdtls.internal.reliability;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Puts handshake messages back together from fragments that may arrive in any order, overlap or
 * repeat (RFC 9147 §5.5), and hands them out strictly in message_seq order. Memory is bounded: only
 * messages within {@link #MAX_MESSAGES_AHEAD} of the next expected one are buffered, each at most
 * the configured size, so a peer cannot make us hold unbounded state.
 */
public final class MessageReassembler {
    /** How far beyond the next expected message_seq fragments are kept rather than dropped. */
    public static final int MAX_MESSAGES_AHEAD = 8;

    private final int maxMessageLength;
    private final Map<Integer, Partial> partials = new HashMap<>();
    private final ArrayDeque<Message> ready = new ArrayDeque<>(2);
    private int nextSeq;

    /** A complete handshake message: type, message_seq and the body without any header. */
    public record Message(int msgType, int messageSeq, byte[] body) {
    }

    /** What {@link #accept} did with a fragment. */
    public enum Outcome {
        /** New bytes were stored (the message may now be complete). */
        STORED,
        /** Every byte was already held or the message was already delivered: a retransmission. */
        DUPLICATE,
        /** Too far ahead, too large, or inconsistent with earlier fragments of the same message. */
        DROPPED
    }

    /**
     * @param maxMessageLength the largest handshake message accepted, in bytes
     * @param firstSeq the message_seq expected first (0, or 1 for a client after HelloRetryRequest)
     */
    public MessageReassembler(int maxMessageLength, int firstSeq) {
        this.maxMessageLength = maxMessageLength;
        this.nextSeq = firstSeq;
    }

    /** Offers a fragment; complete messages become available through {@link #poll()}. */
    public Outcome accept(HandshakeFragment f) {
        if (f.messageSeq() < nextSeq) {
            return Outcome.DUPLICATE;
        }
        if (f.messageSeq() >= nextSeq + MAX_MESSAGES_AHEAD || f.messageLength() > maxMessageLength) {
            return Outcome.DROPPED;
        }
        Partial p = partials.get(f.messageSeq());
        if (p == null) {
            p = new Partial(f.msgType(), f.messageLength());
            partials.put(f.messageSeq(), p);
        } else if (p.msgType != f.msgType() || p.body.length != f.messageLength()) {
            return Outcome.DROPPED;
        }
        Outcome outcome = p.add(f);
        while (true) {
            Partial head = partials.get(nextSeq);
            if (head == null || !head.complete()) {
                break;
            }
            partials.remove(nextSeq);
            ready.add(new Message(head.msgType, nextSeq, head.body));
            nextSeq++;
        }
        return outcome;
    }

    /**
     * Whether a fragment continues what has arrived: part of an earlier message (a repeat), or of the
     * next expected one starting no later than where its received bytes end. Anything else is out of
     * order, a sign of loss (RFC 9147 §7.1).
     */
    public boolean inOrder(HandshakeFragment f) {
        if (f.messageSeq() != nextSeq) {
            return f.messageSeq() < nextSeq;
        }
        Partial p = partials.get(nextSeq);
        return f.fragmentOffset() <= (p == null ? 0 : p.received.nextClearBit(0));
    }

    /** The next complete message in order, if any. */
    public Optional<Message> poll() {
        return Optional.ofNullable(ready.poll());
    }

    /** The message_seq of the next message not yet delivered to {@link #poll()}'s queue. */
    public int nextSeq() {
        return nextSeq;
    }

    /** True if fragments of undelivered messages are held. */
    public boolean hasPartialMessages() {
        return !partials.isEmpty();
    }

    private static final class Partial {
        final int msgType;
        final byte[] body;
        final BitSet received;
        int receivedCount;

        Partial(int msgType, int length) {
            this.msgType = msgType;
            this.body = new byte[length];
            this.received = new BitSet(length);
        }

        Outcome add(HandshakeFragment f) {
            int from = f.fragmentOffset();
            int to = from + f.fragmentLength();
            int before = receivedCount;
            ByteBuffer src = f.source();
            for (int i = received.nextClearBit(from); i < to; i = received.nextClearBit(i + 1)) {
                body[i] = src.get(f.bodyOffset() + i - from);
                received.set(i);
                receivedCount++;
            }
            return receivedCount > before || (f.fragmentLength() == 0 && body.length == 0) ? Outcome.STORED
                    : Outcome.DUPLICATE;
        }

        boolean complete() {
            return receivedCount == body.length;
        }
    }
}
