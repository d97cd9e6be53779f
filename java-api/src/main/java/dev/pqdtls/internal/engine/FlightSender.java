package dev.pqdtls.internal.engine;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.internal.reliability.Ack;
import dev.pqdtls.internal.reliability.RetransmitTimer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * Our outstanding flight and its retransmission timer (RFC 9147 §5.8): sent, sent again when the
 * timer expires or the peer repeats itself, forgotten once the peer answers or acknowledges it.
 */
final class FlightSender {
    private final DtlsConfig config;
    private final RecordLayer records;
    private final Consumer<ByteBuffer> out;
    private final RetransmitTimer timer;
    private HandshakeFlight flight;
    private long lastTransmitMillis = Long.MIN_VALUE / 2;
    private long retransmissions;

    FlightSender(DtlsConfig config, RecordLayer records, Consumer<ByteBuffer> out) {
        this.config = config;
        this.records = records;
        this.out = out;
        this.timer = new RetransmitTimer(config.initialRetransmitTimeout());
    }

    /** Sends a flight and keeps it for retransmission, replacing the previous one. */
    void send(HandshakeFlight f, long nowMillis) {
        flight = f;
        timer.stop();
        transmit(nowMillis);
    }

    boolean pending() {
        return flight != null;
    }

    /** The peer answered the flight (its reply implies receipt), unless the flight waits for an ACK. */
    void answered() {
        if (flight != null && !flight.expectsAck()) {
            forget();
        }
    }

    /**
     * Applies an ACK; returns the flight if the ACK completed it (it is then forgotten), else null.
     */
    HandshakeFlight acknowledge(List<Ack.RecordNumber> acked) {
        if (flight == null || !flight.acknowledge(acked)) {
            return null;
        }
        HandshakeFlight done = flight;
        forget();
        return done;
    }

    /** Resends the flight if its timer expired. */
    void onTimer(long nowMillis) {
        if (flight != null && timer.expire(nowMillis)) {
            retransmissions++;
            transmit(nowMillis);
        }
    }

    /**
     * The peer repeated its flight, so ours was probably lost (RFC 9147 §5.8.1): resend it, at most
     * once per half initial timeout. Returns false when there is no flight to resend.
     */
    boolean onPeerRetransmission(long nowMillis) {
        if (flight == null) {
            return false;
        }
        if (nowMillis - lastTransmitMillis >= config.initialRetransmitTimeout().toMillis() / 2) {
            retransmissions++;
            transmit(nowMillis);
        }
        return true;
    }

    /** When the timer fires next, or Long.MAX_VALUE when it is stopped. */
    long dueMillis(long nowMillis) {
        long remaining = timer.remaining(nowMillis);
        return remaining == Long.MAX_VALUE ? Long.MAX_VALUE : nowMillis + remaining;
    }

    int timerExpiries() {
        return timer.expiries();
    }

    long retransmissions() {
        return retransmissions;
    }

    void forget() {
        flight = null;
        timer.stop();
    }

    private void transmit(long nowMillis) {
        flight.transmit(records, config.mtu(), out);
        lastTransmitMillis = nowMillis;
        timer.arm(nowMillis);
    }
}
