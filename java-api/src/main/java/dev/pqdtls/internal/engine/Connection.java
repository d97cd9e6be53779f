package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.ConnectionStats;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.internal.auth.CertificateRejectedException;
import dev.pqdtls.internal.auth.CertificateTypes;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.handshake.KeySchedule;
import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.recordlayer.EpochCipher;
import dev.pqdtls.internal.recordlayer.SealingSender;
import dev.pqdtls.internal.reliability.Ack;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import dev.pqdtls.internal.reliability.MessageReassembler;
import dev.pqdtls.internal.text.Display;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.spi.CryptoBackend;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One DTLS 1.3 association, without I/O: datagrams and clock ticks go in, datagrams and application
 * data come out. This keeps the protocol deterministic and testable over any transport, including
 * lossy ones. The role-specific handshake lives in {@link ClientConnection} and
 * {@link ServerConnection}; this class owns records, reliability (flights, timers, ACKs),
 * application data, KeyUpdate, alerts and closing. Not thread-safe: the I/O layer serialises calls.
 */
public abstract class Connection {
    /** Lifecycle of the association. */
    public enum State { HANDSHAKING, CONNECTED, CLOSED, FAILED }

    /** Largest handshake message accepted (certificate chains included). */
    static final int MAX_HANDSHAKE_MESSAGE = 64 * 1024;
    /** Epoch of the handshake traffic keys and of the first application traffic keys (RFC 9147 §6.1). */
    static final long HANDSHAKE_EPOCH = 2;
    /** 0-RTT data travels in epoch 1 (RFC 9147 §6.1). */
    static final long EARLY_EPOCH = 1;
    static final long APPLICATION_EPOCH = TrafficKeys.FIRST_EPOCH;
    /**
     * An established connection without traffic for this long releases its ciphers' working state
     * (kilobytes of key schedules per direction), keeping only keys: an idle connection then costs a
     * few hundred bytes of native memory, and waking it costs one key expansion.
     */
    public static final long TRIM_AFTER_MILLIS = 10_000;
    /**
     * How long a server still answers a client's resent final flight with an ACK after the handshake
     * (RFC 9147 §5.8.1: "for at least twice the default MSL", 2 × 2 minutes per RFC 793): a client
     * whose copy of our ACK was lost (wolfSSL's waits for it before it reports the handshake done)
     * resends its Finished at doubling intervals; the handshake read keys stay this long.
     */
    public static final long FINAL_FLIGHT_REACK_MILLIS = 240_000;

    protected final DtlsConfig config;
    protected final CryptoBackend crypto;
    protected final InetSocketAddress peer;
    protected final RecordLayer records = new RecordLayer();
    protected final Transcript transcript;
    protected MessageReassembler reassembler = new MessageReassembler(MAX_HANDSHAKE_MESSAGE, 0);
    protected CipherSuite suite;
    protected NamedGroup group;
    protected KeySchedule schedule;
    protected boolean helloRetried;
    protected boolean connectionIds;
    protected List<X509Certificate> peerCertificates = List.of();
    /** 0-RTT: bytes a server still takes (negative: none accepted), and what it received. */
    private long earlyDataRoom = -1;
    private boolean earlyDataAccepted;
    private List<byte[]> earlyData = List.of();
    /** How the peer was authenticated (set when a PSK is chosen). */
    protected SessionInfo.Authentication authentication = SessionInfo.Authentication.CERTIFICATE;
    /** The peer's raw public key (RFC 7250) when it sent one instead of certificates; else null. */
    protected java.security.PublicKey peerRawPublicKey;
    /** Which certificate type each side presents (RFC 7250); X.509 both ways unless negotiated. */
    protected CertificateTypes.Choice certificateTypes = CertificateTypes.Choice.DEFAULT;

    private final boolean client;
    // Small to start: an idle connection holds both empty; they grow under traffic.
    private final ArrayDeque<ByteBuffer> outgoing = new ArrayDeque<>(2);
    private final InboundQueue inbound;
    private final FlightSender flights;
    private final PeerFlightAcks acks = new PeerFlightAcks();
    /** The handshake record being processed (its number may echo one of our ClientHello's, RFC 9147 §5.1). */
    private Ack.RecordNumber handshakeRecord;
    /** A gap in the peer's flight showed in the datagrams being processed: ACK once they all are (§7.1). */
    private boolean ackGap;
    private State state = State.HANDSHAKING;
    /** Set when the handshake completed; stays set when the connection then closes or fails. */
    private boolean handshakeCompleted;
    private int nextSendSeq;
    private final long handshakeDeadline;
    private long lastReceiveMillis;
    /** When a server drops the handshake read keys it kept for a resent client Finished. */
    private long handshakeReadKeysUntil = Long.MAX_VALUE;
    /** Last record sent or received, and whether the ciphers have been trimmed since. */
    private long lastActivityMillis;
    private boolean trimmed;
    private DtlsException failure;
    private final TrafficKeys keys;
    private long applicationBytesSent;
    private long applicationBytesReceived;
    private long datagramsDropped;
    /** Why the connection ended when it was not the peer's doing, for the audit log (null otherwise). */
    private Ending ending;

    protected Connection(boolean client, DtlsConfig config, CryptoBackend crypto, InetSocketAddress peer, long nowMillis) {
        this.client = client;
        this.config = config;
        this.crypto = crypto;
        this.peer = peer;
        this.transcript = new Transcript(crypto);
        this.keys = new TrafficKeys(config, records);
        this.flights = new FlightSender(config, records, outgoing::add);
        this.inbound = new InboundQueue(config.receiveQueueCapacity());
        this.handshakeDeadline = nowMillis + config.handshakeTimeout().toMillis();
        this.lastReceiveMillis = nowMillis;
    }

    // --- inputs ------------------------------------------------------------------------------

    /** Processes one received datagram. Hostile content is dropped and counted; failures end the association. */
    public final void onDatagram(ByteBuffer datagram, long nowMillis) {
        onDatagrams(List.of(datagram), nowMillis);
    }

    /**
     * Processes received datagrams in order, opening a batch of them in one native call where the
     * backend can; otherwise as {@link #onDatagram} for each.
     */
    public final void onDatagrams(List<ByteBuffer> datagrams, long nowMillis) {
        if (state == State.CLOSED || state == State.FAILED) {
            return;
        }
        try {
            records.readBatch(datagrams, r -> {
                lastReceiveMillis = nowMillis;
                active(nowMillis);
                onRecord(r, nowMillis);
                return state != State.CLOSED && state != State.FAILED;
            });
            if (ackGap && state == State.HANDSHAKING && !acks.isEmpty()) {
                sendAck(acks.sorted()); // part of the peer's flight is missing: say what arrived (§7.1)
            }
            ackGap = false;
            checkIntegrityLimit(nowMillis);
        } catch (DtlsException e) {
            abort(e);
        } catch (RuntimeException e) {
            // A bug or an unexpected library failure must end this association cleanly, not leave
            // it half-updated; the message names the cause for the logs.
            abort(new DtlsException(DtlsAlert.INTERNAL_ERROR, false, "internal error: " + e, e));
        }
    }

    /**
     * RFC 9147 §4.5.3: too many forgeries under one key end the connection; halfway there, ask for
     * fresh keys both ways (update_requested), which retires the attacked key.
     */
    private void checkIntegrityLimit(long nowMillis) throws DtlsException {
        long failures = keys.mostAuthenticationFailures();
        long limit = keys.integrityLimit();
        if (failures >= limit) {
            ending = Ending.AEAD_INTEGRITY_LIMIT;
            throw fatal(DtlsAlert.INTERNAL_ERROR, failures + " records failed authentication under one key, the limit "
                    + "for this AEAD (RFC 9147 §4.5.3); connection closed");
        }
        if (failures >= limit / 2 && state == State.CONNECTED) {
            startKeyUpdate(true, nowMillis); // no-op while one is in flight
        }
    }

    /** Retransmits, times out and starts scheduled KeyUpdates; call when {@link #nextTimerMillis} passes. */
    public final void onTimer(long nowMillis) {
        if (state == State.CLOSED || state == State.FAILED) {
            return;
        }
        if (state == State.HANDSHAKING && nowMillis >= handshakeDeadline) {
            abort(new DtlsException(DtlsAlert.HANDSHAKE_FAILURE, false, "handshake with " + Display.address(peer)
                    + " did not complete within " + Display.duration(config.handshakeTimeout()) + " ("
                    + flights.retransmissions() + " retransmissions); is the peer reachable?"));
            return;
        }
        if (state == State.CONNECTED && nowMillis - lastReceiveMillis >= config.idleTimeout().toMillis()) {
            ending = Ending.IDLE_TIMEOUT;
            abort(new DtlsException(DtlsAlert.CLOSE_NOTIFY, false, "no authentic record from " + Display.address(peer) + " for "
                    + Display.duration(config.idleTimeout()) + "; connection closed as idle"));
            return;
        }
        if (nowMillis >= handshakeReadKeysUntil) {
            records.retireReadEpochsBelow(APPLICATION_EPOCH);
            handshakeReadKeysUntil = Long.MAX_VALUE;
        }
        flights.onTimer(nowMillis);
        if (state == State.HANDSHAKING && nowMillis >= acks.dueMillis() && acks.timerFired(nowMillis)) {
            sendAck(acks.sorted()); // the peer's flight is still incomplete: tell it what we have (§7.1)
        }
        if (state == State.CONNECTED && keys.updateDue(nowMillis)) {
            startKeyUpdate(false, nowMillis);
        }
        if (state == State.CONNECTED && !trimmed && !flights.pending() && nowMillis >= trimDueMillis()) {
            records.trim();
            inbound.trim();
            trimmed = true;
        }
    }

    private long trimDueMillis() {
        return lastActivityMillis + TRIM_AFTER_MILLIS;
    }

    /** A record went out or came in: the ciphers are (or will be, lazily) in use again. */
    private void active(long nowMillis) {
        lastActivityMillis = nowMillis;
        trimmed = false;
    }

    /** When {@link #onTimer} next has work, in the same clock as the inputs. */
    public final long nextTimerMillis(long nowMillis) {
        if (state == State.CLOSED || state == State.FAILED) {
            return Long.MAX_VALUE;
        }
        long next = flights.dueMillis(nowMillis);
        if (state == State.HANDSHAKING) {
            next = Math.min(next, Math.min(handshakeDeadline, acks.dueMillis()));
        } else if (state == State.CONNECTED) {
            next = Math.min(next, lastReceiveMillis + config.idleTimeout().toMillis());
            next = Math.min(next, keys.timeDueMillis());
            next = Math.min(next, handshakeReadKeysUntil);
            if (!trimmed) {
                next = Math.min(next, flights.pending() ? next : trimDueMillis());
            }
        }
        return next;
    }

    // --- outputs -----------------------------------------------------------------------------

    /** The next datagram to send to {@link #peer()}, or null. */
    public final ByteBuffer pollOutgoing() {
        return outgoing.poll();
    }

    /** The next received application datagram, or null. */
    public final byte[] pollApplicationData() {
        return inbound.poll();
    }

    /** The length of the next received application datagram, or -1 if none waits. */
    public final int nextApplicationDataLength() {
        return inbound.peekLength();
    }

    /**
     * Moves the next received application datagram into {@code into} (cleared, filled, flipped), with
     * no allocation; one must wait ({@link #nextApplicationDataLength}) and fit {@code into}'s capacity.
     */
    public final void pollApplicationData(ByteBuffer into) {
        inbound.pollInto(into);
    }

    public final State state() {
        return state;
    }

    /**
     * Whether the handshake ever completed, even if the connection has ended since: a peer's Finished,
     * data and close_notify may all arrive in one batch.
     */
    public final boolean handshakeCompleted() {
        return handshakeCompleted;
    }

    /** Why the association failed or was closed by the peer, if it did. */
    public final DtlsException failure() {
        return failure;
    }

    public final InetSocketAddress peer() {
        return peer;
    }

    /** Largest application datagram {@link #send} accepts. */
    public final int maxApplicationData() {
        return config.mtu() - records.overhead(Math.max(APPLICATION_EPOCH, records.writeEpoch()));
    }

    /**
     * Protects one application datagram into one record.
     *
     * @throws IllegalStateException if the handshake is not complete or the connection is closed
     * @throws IllegalArgumentException if the data exceeds {@link #maxApplicationData()}
     */
    public final void send(ByteBuffer data, long nowMillis) {
        long bytes = checkSendable(List.of(data));
        queueApplicationRecord(data);
        applicationSent(bytes, nowMillis);
    }

    /**
     * Protects application datagrams, one record each, and sends them straight through
     * {@code sender} in one call when it can seal with this epoch's keys (the fused native path);
     * otherwise queues them as {@link #send} does. Nothing is sent unless every datagram fits.
     * Buffer positions are not moved.
     *
     * @return whether {@code sender} sent them (else they wait in {@link #pollOutgoing})
     * @throws java.io.IOException if the sender's socket failed (the records count as sent and lost)
     */
    public final boolean sendBatch(List<ByteBuffer> data, long nowMillis, SealingSender sender) throws java.io.IOException {
        long bytes = checkSendable(data);
        boolean fused = sender != null && records.writeApplicationBatch(data, sender, peer);
        if (!fused) {
            for (ByteBuffer d : data) {
                queueApplicationRecord(d.duplicate());
            }
        }
        applicationSent(bytes, nowMillis);
        return fused;
    }

    /** Protects 0-RTT datagrams into epoch-1 records (the caller installed its write keys). */
    protected final void queueEarlyData(List<ByteBuffer> data) {
        for (ByteBuffer d : data) {
            queueApplicationRecord(d.duplicate());
        }
    }

    /** Protects one checked application datagram into one record for {@link #pollOutgoing}. */
    private void queueApplicationRecord(ByteBuffer data) {
        ByteBuffer out = ByteBuffer.allocate(config.mtu());
        records.write(records.writeEpoch(), ContentType.APPLICATION_DATA, data, out);
        outgoing.add(out.flip());
    }

    /**
     * Checks state, sizes and the write key's usage limit before anything is sent; returns the total
     * bytes. A key past its usage limit must not protect more (RFC 9147 §4.5.3): the connection ends.
     */
    private long checkSendable(List<ByteBuffer> data) {
        String exhausted = state == State.CONNECTED ? keys.usageLimitReached(data.size()) : null;
        if (exhausted != null) {
            ending = Ending.AEAD_USAGE_LIMIT;
            abort(fatal(DtlsAlert.INTERNAL_ERROR, exhausted + " (" + Display.address(peer) + "); connection closed"));
        }
        if (state != State.CONNECTED) {
            throw new IllegalStateException("cannot send: connection is " + state
                    + (failure != null ? " (" + failure.getMessage() + ")" : ""));
        }
        long total = 0;
        for (ByteBuffer d : data) {
            int n = d.remaining();
            if (n > maxApplicationData()) {
                throw new IllegalArgumentException("datagram of " + n + " bytes exceeds the " + maxApplicationData()
                        + " bytes that fit one record at MTU " + config.mtu() + "; split it or raise DtlsConfig.mtu");
            }
            total += n;
        }
        return total;
    }

    /** Counts sent application data and starts a KeyUpdate once the current key has protected enough. */
    private void applicationSent(long bytes, long nowMillis) {
        applicationBytesSent += bytes;
        active(nowMillis);
        if (keys.updateDue(nowMillis)) {
            startKeyUpdate(false, nowMillis);
        }
    }

    /**
     * Starts a KeyUpdate (RFC 9147 §8): the sender switches keys once the peer ACKs it.
     *
     * @return false if one is already in progress or the connection is not established
     */
    public final boolean startKeyUpdate(boolean requestPeerUpdate, long nowMillis) {
        if (state != State.CONNECTED || !keys.beginUpdate()) {
            return false;
        }
        HandshakeFlight f = new HandshakeFlight();
        f.add(newMessage(HandshakeType.KEY_UPDATE, new byte[] {(byte) (requestPeerUpdate ? 1 : 0)}, records.writeEpoch()));
        f.expectAck(true);
        sendFlight(f, nowMillis);
        return true;
    }

    /** Sends close_notify and wipes the keys. */
    public final void close() {
        if (state == State.CONNECTED || state == State.HANDSHAKING) {
            sendAlert(DtlsAlert.CLOSE_NOTIFY);
        }
        if (state != State.FAILED) {
            state = State.CLOSED;
        }
        wipe();
    }

    /** The connection ID the peer puts in records to us, once negotiated (empty when none is in use). */
    public abstract byte[] ownConnectionId();

    /** RFC 8446 §7.5 exporter; available once the handshake is complete. */
    public abstract byte[] exportKeyingMaterial(String label, byte[] context, int length);

    /** What was negotiated; null before the handshake completes. */
    public final SessionInfo session() {
        if (suite == null || state == State.HANDSHAKING) {
            return null;
        }
        return new SessionInfo("DTLSv1.3", suite, group, crypto.name(), peer, peerCertificates, helloRetried, connectionIds,
                authentication, peerRawPublicKey);
    }

    public final ConnectionStats stats() {
        return new ConnectionStats(records.recordsSent, records.recordsReceived, applicationBytesSent,
                applicationBytesReceived, records.dropped, datagramsDropped, flights.retransmissions(), keys.updates());
    }

    /** Endings the operator's audit log tells apart from ordinary failures. */
    public enum Ending { IDLE_TIMEOUT, AEAD_USAGE_LIMIT, AEAD_INTEGRITY_LIMIT }

    /** Set when the connection ended for one of the {@link Ending} reasons; null otherwise. */
    public final Ending ending() {
        return ending;
    }

    /** Whether a flight of ours (handshake or KeyUpdate) still waits for the peer's answer or ACK. */
    public final boolean flightPending() {
        return flights.pending();
    }

    // Running totals for the server's metrics: plain reads, no allocation (caller holds the lock).

    /** Authentic records of any type. */
    public final long recordsReceived() {
        return records.recordsReceived;
    }

    /** Records dropped for any reason, {@link #recordsReplayed} and {@link #recordsFailedAuthentication} included. */
    public final long recordsDropped() {
        return records.dropped;
    }

    public final long recordsReplayed() {
        return records.replayed;
    }

    public final long recordsFailedAuthentication() {
        return records.failedAuthentication;
    }

    /** Application datagrams dropped because the receive queue was full. */
    public final long datagramsDropped() {
        return datagramsDropped;
    }

    /** KeyUpdates completed in either direction. */
    public final long keyUpdates() {
        return keys.updates() + keys.peerUpdates();
    }

    // --- for the role subclasses -------------------------------------------------------------

    /** Handles a complete handshake message that arrived (last fragment) in {@code epoch}. */
    protected abstract void onHandshakeMessage(int type, byte[] body, long epoch, long nowMillis) throws DtlsException;

    /** Whether a handshake fragment of this type may arrive in plaintext now. */
    protected abstract boolean acceptsPlaintext(int msgType);

    /** A new outgoing message with the next message_seq. */
    protected final HandshakeFlight.Message newMessage(int type, byte[] body, long epoch) {
        return new HandshakeFlight.Message(type, nextSendSeq++, body, epoch);
    }

    /** Continues message_seq numbering from {@code seq} (a stateless server resuming after its HRR). */
    protected final void nextSendSeq(int seq) {
        nextSendSeq = seq;
    }

    /**
     * Sends a flight and keeps it for retransmission until answered or acknowledged. A handshake flight
     * answers the peer's, which needs no ACK of its own (RFC 9147 §7.1); a post-handshake one (our
     * KeyUpdate) acknowledges nothing, not even a KeyUpdate it answers.
     */
    protected final void sendFlight(HandshakeFlight f, long nowMillis) {
        if (state == State.HANDSHAKING) {
            acks.ourFlightSent(reassembler.nextSeq());
        }
        flights.send(f, nowMillis);
    }

    /** The peer answered our last flight: stop retransmitting it. */
    protected final void flightAnswered(long nowMillis) {
        flights.answered(nowMillis, client ? handshakeRecord : null);
    }

    /** Acknowledges the records of the peer's flight (complete, or post-handshake messages) received so far. */
    protected final void acknowledgePeerFlight() {
        if (!acks.isEmpty()) {
            sendAck(acks.take());
        }
    }

    /** The epoch's record protection with derived keys, which are wiped once handed over. */
    protected final EpochCipher epochCipher(long epoch, KeySchedule.TrafficKeys trafficKeys) {
        return new EpochCipher(epoch, schedule.recordProtection(trafficKeys));
    }

    /** Installs the first application traffic keys and marks the connection established. */
    protected final void established(KeySchedule.Traffic.Pair application, long nowMillis) {
        keys.install(schedule, client ? application.client() : application.server(),
                client ? application.server() : application.client(), nowMillis);
        state = State.CONNECTED;
        handshakeCompleted = true;
        if (!client) {
            // The client's Finished answered our whole flight: the handshake write keys can go. Its
            // read keys stay while the client may still resend Finished because our ACK was lost.
            records.retireWriteEpochsBelow(APPLICATION_EPOCH);
            handshakeReadKeysUntil = nowMillis + finalFlightReackMillis(config);
            // The client sent its 0-RTT data before Finished: later epoch-1 records are dropped.
            records.retireReadEpochsBelow(HANDSHAKE_EPOCH);
            earlyDataRoom = -1;
        }
        // Handshake-only state goes now: the transcript's hash context and the master secret (the
        // traffic and exporter secrets derived from it are held where they are used).
        transcript.release();
        schedule.destroy();
        // Post-handshake messages (KeyUpdate) are small: a fresh reassembler drops the handshake's tables.
        reassembler = new MessageReassembler(MAX_HANDSHAKE_MESSAGE, reassembler.nextSeq());
    }

    /** How long after its handshake a server still re-ACKs a resent client Finished (and keeps the keys to read it). */
    public static long finalFlightReackMillis(DtlsConfig config) {
        return Math.max(FINAL_FLIGHT_REACK_MILLIS, config.handshakeTimeout().toMillis());
    }

    /** Ends the handshake with a fatal alert (for failures found outside {@link #onDatagram}). */
    protected final void failHandshake(DtlsException e) {
        abort(e);
    }

    protected static DtlsException fatal(DtlsAlert alert, String message) {
        return new DtlsException(alert, false, message);
    }

    /** Requires the next handshake message to be {@code expected}, arriving in {@code expectedEpoch}. */
    protected static int expect(int type, int expected, long epoch, long expectedEpoch) throws DtlsException {
        if (type != expected || epoch != expectedEpoch) {
            throw fatal(DtlsAlert.UNEXPECTED_MESSAGE, "expected handshake message " + expected + " in epoch "
                    + expectedEpoch + " but got " + type + " in epoch " + epoch);
        }
        return type;
    }

    /** The fatal error for a rejected peer certificate, carrying the authenticator's alert. */
    protected static DtlsException rejected(String peerRole, CertificateRejectedException e) {
        return new DtlsException(DtlsAlert.byCode(e.alert()).orElse(DtlsAlert.BAD_CERTIFICATE), false,
                peerRole + " certificate rejected: " + e.getMessage(), e);
    }

    /** The key the peer's CertificateVerify must verify with: its raw key or its end-entity certificate's. */
    protected final java.security.PublicKey peerKey() {
        return peerRawPublicKey != null ? peerRawPublicKey : peerCertificates.get(0).getPublicKey();
    }

    protected static DtlsException decodeError(DecodeException e) {
        return new DtlsException(DtlsAlert.DECODE_ERROR, false, "malformed handshake message: " + e.getMessage(), e);
    }

    // --- internals ---------------------------------------------------------------------------

    private void onRecord(RecordLayer.Record r, long nowMillis) throws DtlsException {
        switch (r.contentType()) {
            case ContentType.HANDSHAKE -> onHandshakeRecord(r, nowMillis);
            case ContentType.ACK -> onAck(r, nowMillis);
            case ContentType.ALERT -> onAlert(r);
            case ContentType.APPLICATION_DATA -> onApplicationData(r);
            default -> records.dropped++;
        }
    }

    private void onHandshakeRecord(RecordLayer.Record r, long nowMillis) throws DtlsException {
        ByteBuffer c = r.content();
        int pos = c.position();
        boolean retransmitted = false;
        boolean postHandshake = r.epoch() >= APPLICATION_EPOCH;
        boolean ofPeerFlight = false; // carries part of the peer's current flight
        boolean kept = true; // every fragment was processed or buffered: the record may be ACKed (§7)
        boolean outOfOrder = false;
        while (pos < c.limit()) {
            HandshakeFragment f = HandshakeFragment.parse(c, pos, c.limit());
            if (f == null) {
                records.dropped++;
                return;
            }
            pos += f.encodedLength();
            boolean hello = f.msgType() == HandshakeType.CLIENT_HELLO || f.msgType() == HandshakeType.SERVER_HELLO;
            if (r.epoch() == 0 ? !hello : hello) {
                records.dropped++; // hellos travel only in epoch 0, everything else only encrypted
                kept = false;
                continue;
            }
            if (f.messageSeq() < reassembler.nextSeq()) {
                retransmitted = true;
                ofPeerFlight |= acks.ofCurrentFlight(f.messageSeq());
                continue;
            }
            if (r.epoch() == 0 && !acceptsPlaintext(f.msgType())) {
                records.dropped++;
                kept = false;
                continue;
            }
            outOfOrder |= !reassembler.inOrder(f);
            if (reassembler.accept(f) == MessageReassembler.Outcome.DROPPED) {
                kept = false;
            } else {
                ofPeerFlight = true;
            }
        }
        // Post-handshake messages are ACKed record by record, repeats included; so is a client's final
        // flight resent after the handshake (§5.8.1); during the handshake, the peer's current flight.
        handshakeRecord = new Ack.RecordNumber(r.epoch(), r.sequenceNumber());
        boolean finalFlightAgain = state == State.CONNECTED && !client && !postHandshake;
        if (postHandshake || finalFlightAgain || (ofPeerFlight && kept && state == State.HANDSHAKING)) {
            acks.add(handshakeRecord);
        }
        if (retransmitted) {
            onPeerRetransmission(postHandshake, nowMillis);
        }
        for (var m = reassembler.poll(); m.isPresent(); m = reassembler.poll()) {
            if (m.get().msgType() == HandshakeType.KEY_UPDATE || m.get().msgType() == HandshakeType.NEW_SESSION_TICKET) {
                onPostHandshakeMessage(m.get().msgType(), m.get().messageSeq(), m.get().body(), r.epoch(), nowMillis);
            } else {
                onHandshakeMessage(m.get().msgType(), m.get().body(), r.epoch(), nowMillis);
            }
        }
        if (postHandshake) {
            acknowledgePeerFlight();
        } else if (state == State.HANDSHAKING) {
            ackGap |= acks.partialFlight(nowMillis, flights.timeoutMillis(), outOfOrder);
        }
    }

    /**
     * The peer sent again something we already processed (RFC 9147 §5.8.1): during the handshake our
     * answer was probably lost, so resend our flight; a client resending its final flight after the
     * handshake lost our ACK, so ACK it again; a server resending its flight lost our Finished.
     * Post-handshake repeats are ACKed with the rest of their record.
     */
    private void onPeerRetransmission(boolean postHandshake, long nowMillis) {
        if (postHandshake) {
            return;
        }
        if (state == State.CONNECTED && !client) {
            acknowledgePeerFlight();
        } else {
            flights.onPeerRetransmission(nowMillis);
        }
    }

    private void onPostHandshakeMessage(int type, int seq, byte[] body, long epoch, long nowMillis) throws DtlsException {
        if (state != State.CONNECTED || epoch < APPLICATION_EPOCH) {
            throw fatal(DtlsAlert.UNEXPECTED_MESSAGE, "post-handshake message " + type + " before the handshake completed");
        }
        if (type == HandshakeType.NEW_SESSION_TICKET) {
            onNewSessionTicket(body);
            return;
        }
        if (body.length != 1 || (body[0] & 0xFF) > 1) {
            throw fatal(DtlsAlert.DECODE_ERROR, "KeyUpdate body must be one byte 0 or 1");
        }
        keys.peerUpdated(epoch);
        if (body[0] == 1) {
            startKeyUpdate(false, nowMillis);
        }
    }

    private void onAck(RecordLayer.Record r, long nowMillis) {
        byte[] body = new byte[r.content().remaining()];
        r.content().get(body);
        List<Ack.RecordNumber> acked;
        try {
            acked = Ack.parse(body);
        } catch (DecodeException e) {
            records.dropped++;
            return;
        }
        // An ACK travels in an epoch at least that of the records it lists (RFC 9147 §7): in plaintext
        // only an empty one, from a peer that got records of our flight it cannot decrypt yet (§7.1,
        // wolfSSL sends it when our ServerHello was lost); it only hastens the resending of the flight.
        if (r.epoch() == 0 && (!acked.isEmpty() || state != State.HANDSHAKING)) {
            records.dropped++;
            return;
        }
        HandshakeFlight done = flights.acknowledge(acked, nowMillis);
        if (done == null) {
            return;
        }
        int first = done.messages().get(0).type();
        if (first == HandshakeType.KEY_UPDATE) {
            keys.updateAcknowledged(nowMillis);
        } else if (done.expectsAck() && first != HandshakeType.NEW_SESSION_TICKET) {
            onFinalFlightAcknowledged(); // an ACK of any other whole flight only ends its retransmission
        }
    }

    /** Our final handshake flight was acknowledged: handshake-epoch keys can go. */
    protected void onFinalFlightAcknowledged() {
        records.retireWriteEpochsBelow(APPLICATION_EPOCH);
        records.retireReadEpochsBelow(APPLICATION_EPOCH);
    }

    private void onAlert(RecordLayer.Record r) throws DtlsException {
        ByteBuffer c = r.content();
        if (c.remaining() != 2) {
            records.dropped++;
            return;
        }
        if (r.epoch() == 0 && state != State.HANDSHAKING) {
            // An unauthenticated alert, close_notify included, cannot end an established association:
            // anyone who knows the addresses could forge it.
            records.dropped++;
            return;
        }
        int description = c.get(c.position() + 1) & 0xFF;
        DtlsAlert alert = DtlsAlert.byCode(description).orElse(DtlsAlert.INTERNAL_ERROR);
        if (r.epoch() == 0 && state != State.HANDSHAKING) {
            // An unauthenticated alert, close_notify included, cannot end an established association:
            // anyone who knows the addresses could send one.
            records.dropped++;
            return;
        }
        if (alert == DtlsAlert.CLOSE_NOTIFY) {
            failure = new DtlsException(alert, true, "peer " + Display.address(peer) + " closed the connection");
            state = State.CLOSED;
            wipe();
            return;
        }
        failure = new DtlsException(alert, true, "peer " + Display.address(peer) + " sent alert " + alert + " ("
                + description + ")" + (state == State.HANDSHAKING ? refusalHint(alert) : ""));
        state = State.FAILED;
        wipe();
    }

    private void onApplicationData(RecordLayer.Record r) throws DtlsException {
        if (r.epoch() == EARLY_EPOCH && !client) {
            onEarlyData(r.content());
            return;
        }
        if (state != State.CONNECTED || r.epoch() < APPLICATION_EPOCH) {
            records.dropped++;
            return;
        }
        if (!inbound.offer(r.content())) {
            datagramsDropped++; // the application did not keep up: receiveQueueCapacity
            return;
        }
        applicationBytesReceived += r.content().remaining();
    }

    /**
     * 0-RTT data. Records the server could not read (it refused early data) never get here; more than
     * the ticket allows ends the handshake with unexpected_message (RFC 8446 §4.2.10), and once the
     * handshake is over late early records are dropped and counted.
     */
    private void onEarlyData(ByteBuffer content) throws DtlsException {
        if (earlyDataRoom < 0) {
            records.dropped++;
            return;
        }
        if (earlyDataRoom < content.remaining()) {
            throw fatal(DtlsAlert.UNEXPECTED_MESSAGE, "the client sent more 0-RTT data than its ticket allows");
        }
        earlyDataRoom -= content.remaining();
        byte[] copy = new byte[content.remaining()];
        content.get(copy);
        if (earlyData.isEmpty()) {
            earlyData = new ArrayList<>();
        }
        earlyData.add(copy);
    }

    /** A server takes up to {@code bytes} of 0-RTT data, in epoch 1 (whose keys the caller installed). */
    protected final void acceptEarlyData(long bytes) {
        earlyDataRoom = bytes;
        earlyDataAccepted = true;
    }

    /** Whether the 0-RTT data was accepted: a client learns it from EncryptedExtensions. */
    public final boolean earlyDataAccepted() {
        return earlyDataAccepted;
    }

    protected final void earlyDataAccepted(boolean accepted) {
        earlyDataAccepted = accepted;
    }

    /** The 0-RTT data received so far, which an attacker may have replayed; taken once. */
    public final List<byte[]> takeEarlyData() {
        List<byte[]> taken = earlyData;
        earlyData = List.of();
        return taken;
    }

    /** An ACK in our newest write epoch (RFC 9147 §7: at least that of every record it lists). */
    private void sendAck(List<Ack.RecordNumber> acked) {
        long epoch = records.writeEpoch();
        if (epoch < HANDSHAKE_EPOCH) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(config.mtu());
        records.write(epoch, ContentType.ACK, ByteBuffer.wrap(Ack.encode(acked)), out);
        outgoing.add(out.flip());
    }

    private void sendAlert(DtlsAlert alert) {
        try {
            ByteBuffer out = ByteBuffer.allocate(64);
            records.write(records.writeEpoch(), ContentType.ALERT, ByteBuffer.wrap(new byte[] {2, (byte) alert.code()}), out);
            outgoing.add(out.flip());
        } catch (RuntimeException e) {
            // no keys left to send it with; the peer times out instead
        }
    }

    private void abort(DtlsException e) {
        failure = e;
        if (!e.fromPeer()) {
            sendAlert(e.alert());
        }
        state = State.FAILED;
        wipe();
    }

    private void wipe() {
        flights.forget();
        records.close();
        keys.wipe();
        if (schedule != null) {
            schedule.destroy();
        }
        releaseHandshakeState();
    }

    /**
     * A NewSessionTicket (RFC 8446 §4.6.1) arrived after the handshake; it has been ACKed already
     * (RFC 9147 §5.8.4). Only a client may receive one.
     */
    protected void onNewSessionTicket(byte[] body) throws DtlsException {
        throw fatal(DtlsAlert.UNEXPECTED_MESSAGE, "a client sent a NewSessionTicket");
    }

    /** Frees what the role keeps for a handshake that ended unfinished (a native key, for one). */
    protected void releaseHandshakeState() {
    }

    /** What to add to a fatal alert received during the handshake, to say what to change. */
    protected String refusalHint(DtlsAlert alert) {
        return "";
    }

    /** True for the client side. */
    protected final boolean isClient() {
        return client;
    }
}
