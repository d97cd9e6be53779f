package dev.pqdtls.internal.engine;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.internal.reliability.Ack;
import dev.pqdtls.internal.reliability.RetransmitTimer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * Our outstanding flight and its retransmission timer (RFC 9147 §5.8): sent, sent again when the timer
 * expires, when the peer repeats itself or when an ACK covers only part of it (then only the rest), and
 * forgotten once the peer answers it or acknowledges all of it.
 *
 * <p>The timer starts at the configured initial value and doubles on each expiry; its value carries over
 * to the next flight until a flight's round trip is measured without ambiguity (§5.8.2), then becomes
 * 1.5 times that round trip: when the flight went out once, when an ACK names the records it
 * acknowledges, or when the peer's answer carries the record number of the copy it answers (a server's
 * HelloRetryRequest or ServerHello echoes the ClientHello's, §5.1).
 */
final class FlightSender {
    private final DtlsConfig config;
    private final RecordLayer records;
    private final Consumer<ByteBuffer> out;
    private final RetransmitTimer timer;
    private HandshakeFlight flight;
    private long lastTransmitMillis = Long.MIN_VALUE / 2;
    private long lastDoneMillis = Long.MIN_VALUE / 2;
    private long lastPartialResendMillis = Long.MIN_VALUE / 2;
    private long retransmissions;

    FlightSender(DtlsConfig config, RecordLayer records, Consumer<ByteBuffer> out) {
        this.config = config;
        this.records = records;
        this.out = out;
        this.timer = new RetransmitTimer(config.initialRetransmitTimeout());
    }

    /** Sends a flight and keeps it for retransmission, replacing the previous one. */
    void send(HandshakeFlight f, long nowMillis) {
        // RFC 9147 §5.8.2: after idling ten times the current timer value, start over from the initial one.
        if (flight == null && nowMillis - lastDoneMillis >= 10 * timer.currentMillis()) {
            timer.reset();
        }
        flight = f;
        lastPartialResendMillis = Long.MIN_VALUE / 2;
        timer.stop();
        transmit(nowMillis);
    }

    boolean pending() {
        return flight != null;
    }

    /**
     * The peer answered the flight (its reply implies receipt), unless the flight waits for an ACK.
     * {@code echo}, if not null, is the epoch-0 record number of a server's answer, which is that of
     * the ClientHello it answers.
     */
    void answered(long nowMillis, Ack.RecordNumber echo) {
        if (flight == null || flight.expectsAck()) {
            return;
        }
        long echoed = echo != null && echo.epoch() == 0 ? flight.sentAtMillis(echo) : -1;
        done(nowMillis, echoed >= 0 ? nowMillis - echoed : roundTripIfSentOnce(nowMillis));
    }

    /**
     * Applies an ACK; returns the flight if the ACK completed it (it is then forgotten). An ACK that
     * leaves part of the flight unacknowledged makes us resend that part at once (RFC 9147 §7.2), at
     * most once per quarter of the timer: several ACKs may report the same gap.
     */
    HandshakeFlight acknowledge(List<Ack.RecordNumber> acked, long nowMillis) {
        if (flight == null) {
            return null;
        }
        flight.acknowledge(acked);
        if (flight.complete()) {
            HandshakeFlight done = flight;
            long newest = -1;
            for (Ack.RecordNumber r : acked) {
                newest = Math.max(newest, flight.sentAtMillis(r));
            }
            done(nowMillis, newest >= 0 ? nowMillis - newest : -1);
            return done;
        }
        if (nowMillis - lastPartialResendMillis >= timer.currentMillis() / 4) {
            lastPartialResendMillis = nowMillis;
            retransmissions++;
            transmit(nowMillis);
        }
        return null;
    }

    /** Resends the flight (what of it is unacknowledged) if its timer expired, doubling the timer. */
    void onTimer(long nowMillis) {
        if (flight != null && timer.expire(nowMillis)) {
            retransmissions++;
            transmit(nowMillis);
        }
    }

    /**
     * The peer repeated its flight, so ours was probably lost (RFC 9147 §5.8.1): resend what of it the
     * peer has not acknowledged, at most once per half initial timeout. Returns false when there is no
     * flight to resend.
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

    /** The retransmission timer's current value (the peer's flights are ACKed on a quarter of it, §7.1). */
    long timeoutMillis() {
        return timer.currentMillis();
    }

    /** Every retransmission so far: on timeout, on the peer's repetition, after a partial ACK. */
    long retransmissions() {
        return retransmissions;
    }

    void forget() {
        flight = null;
        timer.stop();
    }

    /** The flight got through; with a measured round trip ({@code >= 0}) the timer adapts to it (§5.8.2). */
    private void done(long nowMillis, long roundTripMillis) {
        if (roundTripMillis >= 0) {
            timer.adjustToRoundTrip(roundTripMillis);
        }
        lastDoneMillis = nowMillis;
        forget();
    }

    private long roundTripIfSentOnce(long nowMillis) {
        return flight.transmissions() == 1 ? nowMillis - lastTransmitMillis : -1;
    }

    private void transmit(long nowMillis) {
        flight.transmit(records, config.mtu(), out, nowMillis);
        lastTransmitMillis = nowMillis;
        timer.arm(nowMillis);
    }
}
