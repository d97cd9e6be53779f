package dev.pqdtls.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.reliability.Ack;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Retransmission timing of RFC 9147 §5.8 on plaintext flights (no keys needed): the timer doubles from
 * its initial value, keeps a backed-off value for the next flight until a round trip is measured, and
 * an ACK of part of a flight resends only the rest, with the same fragments (§7.2).
 */
class FlightSenderTest {
    private static final long T0 = 1_000_000;
    private final DtlsConfig config = DtlsConfig.builder().mtu(1200).initialRetransmitTimeout(Duration.ofSeconds(1)).build();
    private final RecordLayer records = new RecordLayer();
    private final List<ByteBuffer> sent = new ArrayList<>();
    private final FlightSender sender = new FlightSender(config, records, sent::add);

    /** A flight of one message of {@code length} bytes (several fragments when larger than a datagram). */
    private static HandshakeFlight flight(int seq, int length) {
        HandshakeFlight f = new HandshakeFlight();
        f.add(new HandshakeFlight.Message(HandshakeType.CLIENT_HELLO, seq, new byte[length], 0));
        return f;
    }

    /** The record numbers and fragment offsets of the datagrams sent since the last call. */
    private List<long[]> drain() {
        List<long[]> out = new ArrayList<>();
        for (ByteBuffer d : sent) {
            int p = d.position();
            while (p + RecordLayer.PLAINTEXT_HEADER <= d.limit()) {
                long seq = (d.getShort(p + 5) & 0xFFFFL) << 32 | (d.getInt(p + 7) & 0xFFFF_FFFFL);
                int length = d.getShort(p + 11) & 0xFFFF;
                HandshakeFragment f = HandshakeFragment.parse(d, p + RecordLayer.PLAINTEXT_HEADER,
                        p + RecordLayer.PLAINTEXT_HEADER + length);
                out.add(new long[] {seq, f.fragmentOffset(), f.fragmentLength()});
                p += RecordLayer.PLAINTEXT_HEADER + length;
            }
        }
        sent.clear();
        return out;
    }

    @Test
    void theTimerStartsAtTheInitialValueAndDoubles() {
        sender.send(flight(0, 100), T0);
        assertEquals(1, drain().size());
        assertEquals(T0 + 1000, sender.dueMillis(T0));
        sender.onTimer(T0 + 999);
        assertTrue(sent.isEmpty(), "not before the timer expires");
        sender.onTimer(T0 + 1000);
        assertEquals(1, drain().size());
        assertEquals(T0 + 3000, sender.dueMillis(T0 + 1000), "doubled to 2 s");
        sender.onTimer(T0 + 3000);
        assertEquals(T0 + 7000, sender.dueMillis(T0 + 3000), "doubled to 4 s");
        assertEquals(2, sender.retransmissions());
    }

    @Test
    void aBackedOffValueCarriesOverUntilARoundTripIsMeasured() {
        sender.send(flight(0, 100), T0);
        sender.onTimer(T0 + 1000);
        sender.onTimer(T0 + 3000); // three copies sent; the timer is at 4 s
        sender.answered(T0 + 3010, null); // which copy was answered is unknown: no round trip
        sender.send(flight(1, 100), T0 + 3020);
        assertEquals(T0 + 3020 + 4000, sender.dueMillis(T0 + 3020), "RFC 9147 §5.8.2: the value is retained");
        sender.answered(T0 + 3050, null); // sent once: a round trip of 30 ms
        sender.send(flight(2, 100), T0 + 3060);
        assertEquals(T0 + 3060 + 1000, sender.dueMillis(T0 + 3060), "1.5 × 30 ms, floored at the initial 1 s");
    }

    @Test
    void theAnswerEchoingOneCopyGivesItsRoundTrip() {
        sender.send(flight(0, 100), T0);
        long first = drain().get(0)[0];
        sender.onTimer(T0 + 1000);
        long second = drain().get(0)[0];
        assertTrue(second != first);
        // The server's HelloRetryRequest carries the record number of the copy it answers (RFC 9147 §5.1).
        sender.answered(T0 + 1800, new Ack.RecordNumber(0, second));
        sender.send(flight(1, 100), T0 + 1900);
        assertEquals(T0 + 1900 + 1200, sender.dueMillis(T0 + 1900), "1.5 × 800 ms (the 2 s backed-off value is dropped)");
    }

    @Test
    void aLongIdleTimeStartsTheTimerOver() {
        sender.send(flight(0, 100), T0);
        sender.onTimer(T0 + 1000);
        sender.answered(T0 + 1010, null);
        sender.send(flight(1, 100), T0 + 1010 + 20_000); // 10 × the 2 s value
        assertEquals(T0 + 21_010 + 1000, sender.dueMillis(T0 + 21_010));
    }

    @Test
    void aPartialAckResendsOnlyTheRestWithTheSameFragments() {
        sender.send(flight(0, 3000), T0);
        List<long[]> first = drain();
        assertEquals(3, first.size(), "3000 bytes at MTU 1200: three fragments");
        // The peer got the first and third record: only the second fragment goes again, at once.
        assertNull(sender.acknowledge(List.of(new Ack.RecordNumber(0, first.get(0)[0]),
                new Ack.RecordNumber(0, first.get(2)[0])), T0 + 300));
        List<long[]> again = drain();
        assertEquals(1, again.size());
        assertEquals(first.get(1)[1], again.get(0)[1], "same offset");
        assertEquals(first.get(1)[2], again.get(0)[2], "same length");
        // A burst of ACKs for the same gap does not resend it again within a quarter of the timer.
        assertNull(sender.acknowledge(List.of(), T0 + 400));
        assertTrue(drain().isEmpty());
        // The timer resends only the unacknowledged fragment too.
        sender.onTimer(T0 + 300 + 1000);
        assertEquals(1, drain().size());
        // An ACK of the resent copy completes the flight; an ACK of any copy counts (§7.2).
        assertNotNull(sender.acknowledge(List.of(new Ack.RecordNumber(0, again.get(0)[0])), T0 + 1400));
        assertFalse(sender.pending());
        assertEquals(Long.MAX_VALUE, sender.dueMillis(T0 + 1400));
    }

    @Test
    void thePeersRepetitionResendsWhatItHasNotAcknowledged() {
        sender.send(flight(0, 3000), T0);
        List<long[]> first = drain();
        assertTrue(sender.onPeerRetransmission(T0 + 600));
        assertEquals(3, drain().size());
        assertTrue(sender.onPeerRetransmission(T0 + 700));
        assertTrue(drain().isEmpty(), "at most once per half initial timeout");
        sender.acknowledge(List.of(new Ack.RecordNumber(0, first.get(0)[0])), T0 + 800);
        assertEquals(2, drain().size(), "the partial ACK resends the other two at once");
        assertTrue(sender.onPeerRetransmission(T0 + 1400));
        assertEquals(2, drain().size(), "the peer still repeats itself: the unacknowledged two again");
    }
}
