package dev.pqdtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pqdtls.internal.reliability.Ack;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import dev.pqdtls.internal.reliability.MessageReassembler;
import dev.pqdtls.internal.wire.DecodeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Handshake fragments and their reassembly (RFC 9147 §5.2, §5.5), and the ACK codec (§7).
 * Reassembly is checked against a model: fragments may come in any order, overlap and repeat; a
 * message is delivered once, in message_seq order, with every byte as the first fragment to cover it
 * said, and its type and length as its first accepted fragment said. Memory stays within the
 * documented bound (a few messages ahead, each at most the configured size).
 */
class ReliabilityFuzzTest {
    private static final int MAX_MESSAGE = 64 * 1024;

    static Stream<Arguments> fragmentSeeds() {
        List<Arguments> seeds = new ArrayList<>();
        List<byte[]> client = Seeds.clientDatagrams();
        List<byte[]> server = Seeds.serverDatagrams();
        seeds.add(Seeds.named("real ClientHello1 fragments", withFirstSeq(0, recordContent(client.get(0)))));
        seeds.add(Seeds.named("real HelloRetryRequest fragments", withFirstSeq(0, recordContent(server.get(0)))));
        seeds.add(Seeds.named("three fragments out of order, overlapping", withFirstSeq(1, threeFragments())));
        return seeds.stream();
    }

    /**
     * The first byte is the first message_seq expected (0–3), the rest a record's content: handshake
     * fragments back to back, as {@code Connection} reads them.
     */
    @MethodSource("fragmentSeeds")
    @FuzzTest(maxDuration = "10m")
    void reassembly(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        int firstSeq = input[0] & 3;
        byte[] capped = Bounds.cap(input, Bounds.MAX_DATAGRAM);
        ByteBuffer content = ByteBuffer.wrap(capped, 1, capped.length - 1);
        // A few messages ahead at most MAX_MESSAGE each: the reassembler's own documented bound.
        long held = (long) MessageReassembler.MAX_MESSAGES_AHEAD * (MAX_MESSAGE + MAX_MESSAGE / 8 + 256);
        Bounds.allocation(held + (1 << 20), 64, input.length, () -> {
            MessageReassembler r = new MessageReassembler(MAX_MESSAGE, firstSeq);
            Model model = new Model(firstSeq);
            int pos = content.position();
            while (pos < content.limit()) {
                HandshakeFragment f = HandshakeFragment.parse(content, pos, content.limit());
                if (f == null) {
                    break;
                }
                assertTrue(f.fragmentOffset() + (long) f.fragmentLength() <= f.messageLength(), "fragment inside its message");
                assertTrue(f.bodyOffset() + f.fragmentLength() <= content.limit(), "fragment inside the record");
                pos += f.encodedLength();
                MessageReassembler.Outcome outcome = r.accept(f);
                assertEquals(model.accept(f, content), outcome, "outcome of " + f);
                for (var m = r.poll(); m.isPresent(); m = r.poll()) {
                    model.delivered(m.get());
                }
            }
            assertEquals(model.nextSeq, r.nextSeq());
        });
    }

    /** What the reassembler must do, written the plain way: a byte map per message_seq. */
    private static final class Model {
        final Map<Integer, int[]> typeAndLength = new HashMap<>();
        final Map<Integer, Map<Integer, Byte>> bytes = new HashMap<>();
        int nextSeq;

        Model(int firstSeq) {
            nextSeq = firstSeq;
        }

        MessageReassembler.Outcome accept(HandshakeFragment f, ByteBuffer content) {
            int seq = f.messageSeq();
            if (seq < nextSeq) {
                return MessageReassembler.Outcome.DUPLICATE;
            }
            if (seq >= nextSeq + MessageReassembler.MAX_MESSAGES_AHEAD || f.messageLength() > MAX_MESSAGE) {
                return MessageReassembler.Outcome.DROPPED;
            }
            int[] tl = typeAndLength.computeIfAbsent(seq, s -> new int[] {f.msgType(), f.messageLength()});
            if (tl[0] != f.msgType() || tl[1] != f.messageLength()) {
                return MessageReassembler.Outcome.DROPPED;
            }
            Map<Integer, Byte> held = bytes.computeIfAbsent(seq, s -> new HashMap<>());
            int before = held.size();
            for (int i = 0; i < f.fragmentLength(); i++) {
                held.putIfAbsent(f.fragmentOffset() + i, content.get(f.bodyOffset() + i));
            }
            return held.size() > before || f.messageLength() == 0 ? MessageReassembler.Outcome.STORED
                    : MessageReassembler.Outcome.DUPLICATE;
        }

        void delivered(MessageReassembler.Message m) {
            assertEquals(nextSeq, m.messageSeq(), "messages come out in message_seq order, none skipped");
            int[] tl = typeAndLength.remove(m.messageSeq());
            Map<Integer, Byte> held = bytes.remove(m.messageSeq());
            assertEquals(tl[0], m.msgType());
            assertEquals(tl[1], m.body().length);
            assertEquals(m.body().length, held.size(), "delivered only when every byte arrived");
            for (int i = 0; i < m.body().length; i++) {
                assertEquals(held.get(i), m.body()[i], "byte " + i + " is the first fragment's");
            }
            nextSeq++;
        }
    }

    static Stream<Arguments> ackSeeds() {
        return Stream.of(
                Seeds.named("ACK of a handshake flight", Ack.encode(List.of(new Ack.RecordNumber(2, 0),
                        new Ack.RecordNumber(2, 1), new Ack.RecordNumber(3, 0)))),
                Seeds.named("empty ACK", Ack.encode(List.of())));
    }

    @MethodSource("ackSeeds")
    @FuzzTest(maxDuration = "10m")
    void ack(byte[] input) throws Exception {
        byte[] body = Bounds.cap(input, Bounds.MAX_DATAGRAM);
        Bounds.allocation(1 << 20, 16, body.length, () -> {
            try {
                List<Ack.RecordNumber> records = Ack.parse(body);
                assertArrayEquals(body, Ack.encode(records), "an ACK re-encodes to its input");
            } catch (DecodeException e) {
                // malformed ACKs are dropped and counted by the connection
            }
        });
    }

    private static byte[] recordContent(byte[] plaintextDatagram) {
        int length = (plaintextDatagram[11] & 0xFF) << 8 | (plaintextDatagram[12] & 0xFF);
        return java.util.Arrays.copyOfRange(plaintextDatagram, 13, 13 + length);
    }

    private static byte[] withFirstSeq(int seq, byte[] content) {
        byte[] out = new byte[content.length + 1];
        out[0] = (byte) seq;
        System.arraycopy(content, 0, out, 1, content.length);
        return out;
    }

    /** A 40-byte message 1 in three overlapping fragments, last first, then message 2 whole. */
    private static byte[] threeFragments() {
        byte[] body = new byte[40];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        ByteBuffer out = ByteBuffer.allocate(5 * 12 + 40 + 24 + 16 + 8);
        fragment(out, 11, 1, body, 24, 16);
        fragment(out, 11, 1, body, 0, 16);
        fragment(out, 11, 1, body, 8, 24);
        fragment(out, 15, 2, new byte[8], 0, 8);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    private static void fragment(ByteBuffer out, int type, int seq, byte[] body, int offset, int length) {
        HandshakeFragment.writeHeader(out, type, body.length, seq, offset, length);
        out.put(body, offset, length);
    }
}
