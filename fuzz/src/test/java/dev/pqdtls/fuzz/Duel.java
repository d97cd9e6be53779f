package dev.pqdtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.internal.server.Admission;
import dev.pqdtls.internal.server.AuditLog;
import dev.pqdtls.internal.server.ClientHelloGate;
import dev.pqdtls.internal.server.ServerCounters;
import dev.pqdtls.internal.server.CookieIssuer;
import dev.pqdtls.spi.CryptoBackend;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real client and a real server (behind the admission gate, cookies on) exchanging datagrams on a
 * simulated clock, with one side under test: a {@link Script} decides what reaches it — the honest
 * peer's datagrams as sent, flipped, cut, extended or replayed, the attacker's own bytes, and time.
 * After every step both sides must be in a documented state: handshaking, connected (then with the
 * same keys as the peer and the real server certificate), closed, or failed with an alert that is not
 * an unexpected exception turned into internal_error.
 */
public final class Duel {
    public static final CryptoBackend CRYPTO = new FallbackBackend();
    public static final TestPki.Pki PKI = TestPki.quickServer();
    public static final InetSocketAddress CLIENT_ADDRESS = new InetSocketAddress("127.0.0.1", 40000);
    public static final InetSocketAddress SERVER_ADDRESS = new InetSocketAddress("127.0.0.1", 4433);
    /** A clock that never moves: cookies issued by {@link #COOKIES} stay valid for every input. */
    public static final Clock FIXED_CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    public static final java.time.Duration COOKIES_LIFETIME = java.time.Duration.ofMinutes(10);
    /** One cookie secret for the whole run, as a server has. */
    public static final CookieIssuer COOKIES = new CookieIssuer(CRYPTO, FIXED_CLOCK, COOKIES_LIFETIME);
    /** The X25519 share fits the first ClientHello (no group HRR): the cookie HRR is the only round trip. */
    static final DtlsConfig CLIENT_CONFIG = DtlsConfig.builder()
            .trustedCertificates(List.of(PKI.ca().certificate())).serverName("localhost")
            .groups(NamedGroup.X25519, NamedGroup.X25519_MLKEM768).connectionIdLength(4).build();
    static final DtlsConfig SERVER_CONFIG = DtlsConfig.builder()
            .certificate(PKI.leaf().chain(), PKI.leaf().privateKey())
            .cookiePolicy(DtlsConfig.CookiePolicy.ALWAYS).connectionIdLength(4).build();
    private static final PeerAuthenticator TRUST = PeerAuthenticator.builder()
            .trustAnchors(CLIENT_CONFIG.trustedCertificates()).build();
    private static final LocalCredentials SERVER_CREDENTIALS =
            LocalCredentials.of(SERVER_CONFIG.certificateChain(), SERVER_CONFIG.privateKey().get());

    /** A server's admission gate as a server builds it, with its own counters and limits. */
    static ClientHelloGate gate(DtlsConfig config, CookieIssuer cookies) {
        return new ClientHelloGate(config, CRYPTO, cookies, new Admission(config, 1), new ServerCounters(),
                new AuditLog(new java.net.InetSocketAddress("127.0.0.1", 4433)), (client, alert, reason) -> { });
    }

    private final boolean serverUnderTest;
    private final ClientHelloGate gate = gate(SERVER_CONFIG, COOKIES);
    private final ClientConnection client;
    private ServerConnection server;
    private long now = 1_000_000;
    private final ArrayDeque<ByteBuffer> fromClient = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> fromServer = new ArrayDeque<>();
    private ByteBuffer lastDelivered;
    /** Bytes the gate received from the client's address and sent back, before any connection. */
    private long receivedByGate;
    private long sentByGate;
    /** Every datagram each side sent, in order (for seeds). */
    final List<byte[]> clientSent = new ArrayList<>();
    final List<byte[]> serverSent = new ArrayList<>();

    private Duel(boolean serverUnderTest) {
        this.serverUnderTest = serverUnderTest;
        this.client = new ClientConnection(CLIENT_CONFIG, CRYPTO, SERVER_ADDRESS, TRUST, null, now);
        client.start(now);
        collect();
    }

    /** A client that has sent its first ClientHello; the script plays the network between it and the server. */
    public static Duel clientUnderTest() {
        return new Duel(false);
    }

    /** A server admitted by a real cookie round trip: it has the client's second ClientHello and sent its flight. */
    public static Duel serverUnderTest() {
        Duel d = new Duel(true);
        d.flushFrom(false); // ClientHello1 -> gate: stateless HelloRetryRequest with a cookie
        d.flushFrom(true);  // HelloRetryRequest -> client: ClientHello2 with the cookie
        d.flushFrom(false); // ClientHello2 -> gate: the cookie verifies, the connection is made
        assertNotNull(d.server, "the cookie round trip admitted the client");
        return d;
    }

    /** Runs the whole script, checking the invariants after every step. */
    public void run(Script script) {
        int steps = 0;
        while (script.hasNext() && steps++ < 64) {
            step(script);
            check();
        }
    }

    /** Runs the honest exchange to completion (no attacker), for seeds and sanity. */
    public boolean establish(int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            boolean moved = !fromClient.isEmpty() || !fromServer.isEmpty();
            flushFrom(false);
            flushFrom(true);
            check();
            if (client.state() == Connection.State.CONNECTED && server != null
                    && server.state() == Connection.State.CONNECTED && fromClient.isEmpty() && fromServer.isEmpty()) {
                return true;
            }
            if (!moved) {
                advance(1000);
            }
        }
        return false;
    }

    private void step(Script s) {
        ArrayDeque<ByteBuffer> peerQueue = serverUnderTest ? fromClient : fromServer;
        switch (s.next()) {
            case RAW -> deliverToVictim(ByteBuffer.wrap(s.bytes(s.u16())));
            case PEER_NEXT -> {
                ByteBuffer d = peerQueue.poll();
                if (d != null) {
                    deliverToVictim(d);
                }
            }
            case PEER_FLIP -> {
                int at = s.u16();
                int xor = s.u8();
                ByteBuffer d = peerQueue.poll();
                if (d != null && d.hasRemaining()) {
                    byte[] b = bytes(d);
                    b[at % b.length] ^= (byte) (xor == 0 ? 0xFF : xor);
                    deliverToVictim(ByteBuffer.wrap(b));
                }
            }
            case PEER_TRUNCATE -> {
                int n = s.u16();
                ByteBuffer d = peerQueue.poll();
                if (d != null) {
                    byte[] b = bytes(d);
                    deliverToVictim(ByteBuffer.wrap(Arrays.copyOf(b, b.length == 0 ? 0 : n % b.length)));
                }
            }
            case PEER_APPEND -> {
                byte[] extra = s.bytes(s.u8());
                ByteBuffer d = peerQueue.poll();
                if (d != null) {
                    byte[] b = bytes(d);
                    byte[] joined = Arrays.copyOf(b, b.length + extra.length);
                    System.arraycopy(extra, 0, joined, b.length, extra.length);
                    deliverToVictim(ByteBuffer.wrap(joined));
                }
            }
            case REPLAY -> {
                if (lastDelivered != null) {
                    deliverToVictim(ByteBuffer.wrap(bytes(lastDelivered)));
                }
            }
            case FLUSH -> flushFrom(serverUnderTest);
            case TIMER -> advance(s.u16() * 16L);
        }
    }

    private void deliverToVictim(ByteBuffer d) {
        lastDelivered = ByteBuffer.wrap(bytes(d));
        if (serverUnderTest) {
            toServer(d);
        } else {
            client.onDatagram(d, now);
        }
        collect();
    }

    /** Delivers everything one side sent so far to the other, as an honest network would. */
    private void flushFrom(boolean fromServerSide) {
        ArrayDeque<ByteBuffer> queue = fromServerSide ? fromServer : fromClient;
        while (!queue.isEmpty()) {
            ByteBuffer d = queue.poll();
            if (fromServerSide) {
                client.onDatagram(d, now);
            } else {
                toServer(d);
            }
            collect();
        }
    }

    private void toServer(ByteBuffer d) {
        if (server != null) {
            server.onDatagram(d, now);
            return;
        }
        receivedByGate += d.remaining();
        gate.onDatagram(d, CLIENT_ADDRESS, now,
                (address, t) -> {
                    assertEquals(CLIENT_ADDRESS, address);
                    server = new ServerConnection(SERVER_CONFIG, CRYPTO, address, SERVER_CREDENTIALS,
                            PeerAuthenticator.insecure(), t);
                    return server;
                },
                reply -> {
                    sentByGate += reply.remaining();
                    // RFC 9147 §5.1: before the address is proven, at most three times what arrived from it.
                    assertTrue(sentByGate <= 3 * receivedByGate, () -> "the gate answered " + receivedByGate
                            + " bytes with " + sentByGate);
                    record(reply, fromServer, serverSent);
                });
    }

    private void advance(long millis) {
        now += millis;
        client.onTimer(now);
        if (server != null) {
            server.onTimer(now);
        }
        collect();
    }

    private void collect() {
        for (ByteBuffer d = client.pollOutgoing(); d != null; d = client.pollOutgoing()) {
            record(d, fromClient, clientSent);
        }
        if (server != null) {
            for (ByteBuffer d = server.pollOutgoing(); d != null; d = server.pollOutgoing()) {
                record(d, fromServer, serverSent);
            }
        }
    }

    private static void record(ByteBuffer d, ArrayDeque<ByteBuffer> queue, List<byte[]> log) {
        assertTrue(d.remaining() <= 1200, () -> "a " + d.remaining() + "-byte datagram exceeds the MTU");
        byte[] b = bytes(d);
        if (log.size() < 256) {
            log.add(b);
        }
        if (queue.size() < 256) { // a side that keeps retransmitting into a script that never delivers
            queue.add(ByteBuffer.wrap(b));
        }
    }

    private static byte[] bytes(ByteBuffer d) {
        byte[] b = new byte[d.remaining()];
        d.duplicate().get(b);
        return b;
    }

    /** The invariants of both sides after a step. */
    private void check() {
        checkOutcome(client);
        if (server != null) {
            checkOutcome(server);
        }
        if (client.state() == Connection.State.CONNECTED) {
            assertEquals(PKI.leaf().chain().get(0), client.session().peerCertificates().get(0),
                    "a connected client authenticated the real server");
        }
        if (server != null && client.state() == Connection.State.CONNECTED && server.state() == Connection.State.CONNECTED) {
            assertArrayEquals(client.exportKeyingMaterial("EXPORTER-fuzz", new byte[0], 16),
                    server.exportKeyingMaterial("EXPORTER-fuzz", new byte[0], 16), "both sides hold the same keys");
        }
    }

    /** A connection is handshaking, connected, or ended with an alert — never by an unexpected exception. */
    static void checkOutcome(Connection c) {
        DtlsException f = c.failure();
        switch (c.state()) {
            case HANDSHAKING, CONNECTED -> assertEquals(null, f, "a live connection has no failure");
            case FAILED -> {
                assertNotNull(f, "a failed connection says why");
                assertNotNull(f.alert(), "a failed connection has an alert");
            }
            case CLOSED -> {
                if (f != null) {
                    assertNotNull(f.alert());
                }
            }
        }
        if (f != null && f.getCause() instanceof RuntimeException) {
            throw new AssertionError("connection ended by an unexpected exception (" + f.alert() + "): " + f.getMessage(),
                    f.getCause());
        }
    }

    public ClientConnection client() {
        return client;
    }

    public ServerConnection server() {
        return server;
    }
}
