package dev.pqdtls.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class InboundQueueTest {

    @Test
    void behavesLikeAQueueOfCopiesThroughWrapsAndGrowth() {
        Random random = new Random(42);
        InboundQueue q = new InboundQueue(500);
        ArrayDeque<byte[]> model = new ArrayDeque<>();
        ByteBuffer into = ByteBuffer.allocateDirect(3000);
        for (int step = 0; step < 20_000; step++) {
            if (random.nextInt(100) < 55) {
                byte[] d = new byte[random.nextInt(3000)];
                random.nextBytes(d);
                ByteBuffer src = ByteBuffer.allocate(d.length + 8).position(4);
                src.put(d).flip().position(4);
                boolean taken = q.offer(src);
                assertEquals(model.size() < 500, taken, "only a full queue refuses");
                assertEquals(4, src.position(), "the content is read, not consumed");
                if (taken) {
                    model.add(d);
                }
            } else if (random.nextBoolean()) {
                byte[] expected = model.poll();
                assertArrayEquals(expected, q.poll());
            } else if (!model.isEmpty()) {
                byte[] expected = model.poll();
                assertEquals(expected.length, q.peekLength());
                q.pollInto(into);
                byte[] got = new byte[into.remaining()];
                into.get(got);
                assertArrayEquals(expected, got);
            }
            assertEquals(model.size(), q.size());
        }
    }

    @Test
    void anEmptyQueueGivesItsStorageBackAndStillWorks() {
        InboundQueue q = new InboundQueue(4);
        assertTrue(q.offer(ByteBuffer.wrap(new byte[0])));
        assertTrue(q.offer(ByteBuffer.wrap(new byte[] {1, 2})));
        q.trim(); // not empty: kept
        assertEquals(0, q.poll().length);
        assertArrayEquals(new byte[] {1, 2}, q.poll());
        assertNull(q.poll());
        assertEquals(-1, q.peekLength());
        q.trim();
        assertTrue(q.offer(ByteBuffer.wrap(new byte[] {3})));
        for (int i = 0; i < 3; i++) {
            assertTrue(q.offer(ByteBuffer.wrap(new byte[] {4})));
        }
        assertFalse(q.offer(ByteBuffer.wrap(new byte[] {5})), "capacity 4");
        assertArrayEquals(new byte[] {3}, q.poll());
    }
}
