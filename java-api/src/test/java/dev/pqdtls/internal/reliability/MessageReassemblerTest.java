package dev.pqdtls.internal.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class MessageReassemblerTest {
    private static final int CLIENT_HELLO = 1;

    /** Encodes fragments of {@code body} at the given [offset, length) pairs. */
    private static List<HandshakeFragment> fragments(int type, int seq, byte[] body, int... offsetsAndLengths) {
        List<HandshakeFragment> out = new ArrayList<>();
        for (int i = 0; i < offsetsAndLengths.length; i += 2) {
            int off = offsetsAndLengths[i];
            int len = offsetsAndLengths[i + 1];
            ByteBuffer b = ByteBuffer.allocate(HandshakeFragment.HEADER_LENGTH + len);
            HandshakeFragment.writeHeader(b, type, body.length, seq, off, len);
            b.put(body, off, len);
            out.add(HandshakeFragment.parse(b, 0, b.limit()));
        }
        return out;
    }

    private static byte[] body(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @RepeatedTest(20)
    void anyOrderWithOverlapAndDuplicatesGivesTheMessageOnce() {
        byte[] hello = body(1500);
        List<HandshakeFragment> parts = new ArrayList<>(fragments(CLIENT_HELLO, 0, hello,
                0, 500, 400, 600, 1000, 500, 0, 1500, 900, 10));
        parts.addAll(fragments(CLIENT_HELLO, 0, hello, 400, 600));
        Collections.shuffle(parts);
        MessageReassembler r = new MessageReassembler(1 << 16, 0);
        for (HandshakeFragment f : parts) {
            r.accept(f);
        }
        MessageReassembler.Message m = r.poll().orElseThrow();
        assertEquals(CLIENT_HELLO, m.msgType());
        assertArrayEquals(hello, m.body());
        assertTrue(r.poll().isEmpty(), "delivered exactly once");
        assertEquals(1, r.nextSeq());
    }

    @Test
    void laterMessagesWaitForEarlierOnes() {
        MessageReassembler r = new MessageReassembler(1 << 16, 0);
        byte[] b0 = body(100);
        byte[] b1 = body(50);
        r.accept(fragments(2, 1, b1, 0, 50).get(0));
        assertTrue(r.poll().isEmpty(), "seq 1 must not be delivered before seq 0");
        assertTrue(r.hasPartialMessages());
        r.accept(fragments(8, 0, b0, 0, 100).get(0));
        assertEquals(0, r.poll().orElseThrow().messageSeq());
        assertEquals(1, r.poll().orElseThrow().messageSeq());
        assertFalse(r.hasPartialMessages());
    }

    @Test
    void retransmissionsAndHostileFragmentsAreNotStored() {
        MessageReassembler r = new MessageReassembler(1000, 0);
        byte[] b = body(10);
        assertEquals(MessageReassembler.Outcome.STORED, r.accept(fragments(1, 0, b, 0, 10).get(0)));
        assertEquals(MessageReassembler.Outcome.DUPLICATE, r.accept(fragments(1, 0, b, 0, 10).get(0)));
        assertEquals(MessageReassembler.Outcome.DROPPED, r.accept(fragments(1, 1, body(1001), 0, 5).get(0)),
                "larger than the configured maximum");
        assertEquals(MessageReassembler.Outcome.DROPPED,
                r.accept(fragments(1, 1 + MessageReassembler.MAX_MESSAGES_AHEAD, b, 0, 5).get(0)), "too far ahead");
        r.accept(fragments(2, 1, body(20), 0, 5).get(0));
        assertEquals(MessageReassembler.Outcome.DROPPED, r.accept(fragments(3, 1, body(20), 5, 5).get(0)),
                "type differs from earlier fragments");
        assertEquals(MessageReassembler.Outcome.DROPPED, r.accept(fragments(2, 1, body(21), 5, 5).get(0)),
                "length differs from earlier fragments");
    }

    @Test
    void malformedFragmentHeadersParseToNull() {
        ByteBuffer b = ByteBuffer.allocate(20);
        HandshakeFragment.writeHeader(b, 1, 10, 0, 8, 5);
        assertNull(HandshakeFragment.parse(b, 0, 20), "fragment runs past the message length");
        b.clear();
        HandshakeFragment.writeHeader(b, 1, 100, 0, 0, 50);
        assertNull(HandshakeFragment.parse(b, 0, 20), "fragment runs past the record");
        assertNull(HandshakeFragment.parse(b, 0, 11), "header truncated");
    }
}
