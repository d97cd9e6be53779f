package dev.pqdtls.internal.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.internal.wire.DecodeException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AckAndTimerTest {

    @Test
    void ackRoundTripsFullWidthNumbers() throws DecodeException {
        List<Ack.RecordNumber> acks = List.of(new Ack.RecordNumber(2, 0), new Ack.RecordNumber(3, 0xFFFF_FFFF_FFFFL),
                new Ack.RecordNumber(0x1_0000_0001L, 7));
        assertEquals(acks, Ack.parse(Ack.encode(acks)));
        assertEquals(List.of(), Ack.parse(Ack.encode(List.of())));
        assertThrows(DecodeException.class, () -> Ack.parse(new byte[] {0, 8, 0, 0, 0, 0, 0, 0, 0, 1}));
    }

    @Test
    void timerDoublesUpToSixtySecondsKeepsItsValueWhenStoppedAndResets() {
        RetransmitTimer t = new RetransmitTimer(Duration.ofMillis(400));
        assertFalse(t.expire(0), "not armed");
        t.arm(1000);
        assertEquals(400, t.remaining(1000));
        assertFalse(t.expire(1399));
        assertTrue(t.expire(1400));
        assertEquals(800, t.currentMillis());
        assertEquals(1, t.expiries());
        long now = 1400;
        for (int i = 0; i < 20; i++) {
            now += 60_000;
            assertTrue(t.expire(now));
        }
        assertEquals(60_000, t.currentMillis(), "capped at 60 s (RFC 9147 §5.8.2)");
        t.stop();
        assertFalse(t.armed());
        assertEquals(60_000, t.currentMillis(), "a backed-off value outlives the flight (RFC 9147 §5.8.2)");
        t.reset();
        assertEquals(400, t.currentMillis());
        assertThrows(IllegalArgumentException.class, () -> new RetransmitTimer(Duration.ZERO));
    }
}
