package dev.pqdtls.nativeabi.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.PreSharedKey;
import dev.pqdtls.ReconnectPolicy;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.SessionCache;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.SessionTicket;
import dev.pqdtls.TicketKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Session resumption and external PSKs through the real runtime (sockets, event loops, the stateless
 * cookie exchange), where the engine tests exchange datagrams in memory.
 */
@Timeout(120)
public abstract class SessionRuntimeSuite extends NativeBackendSuite {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The sessions of one connection as each side saw it. */
    private record Sessions(SessionInfo client, SessionInfo server) {
    }

    /**
     * Connects, exchanges a datagram each way and closes. The reply also shows that the client has read
     * the server's ticket: the server sends it before anything the application sends.
     */
    private static Sessions connectOnce(DtlsServer server, InetSocketAddress to, DtlsConfig config) throws Exception {
        try (DtlsConnection c = DtlsClient.connect(to, config)) {
            DtlsConnection s = server.accept(WAIT).orElseThrow(() -> new AssertionError("the server accepted nothing"));
            try {
                c.send("ping".getBytes(StandardCharsets.UTF_8));
                assertEquals("ping", new String(s.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
                s.send("pong".getBytes(StandardCharsets.UTF_8));
                assertEquals("pong", new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
                return new Sessions(c.session(), s.session());
            } finally {
                s.close();
            }
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * A client cache that files every ticket under one name, as for servers behind one address: the
     * default cache keys tickets by the server's name and port, and these test servers have ports of
     * their own.
     */
    private static SessionCache oneAddress() {
        SessionCache tickets = SessionCache.inMemory(1);
        return new SessionCache() {
            @Override
            public void put(String server, SessionTicket ticket) {
                tickets.put("the-service", ticket);
            }

            @Override
            public Optional<SessionTicket> take(String server, long nowMillis) {
                return tickets.take("the-service", nowMillis);
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void resumptionsPassTheStatelessCookieAndOpenTicketsSealedOnTheOtherLoop(String backend) throws Exception {
        // Each connection comes from a new port, which SO_REUSEPORT hashes to either loop: with ten, a
        // ticket sealed on one loop is offered to the other with probability 511/512.
        int connections = 10;
        DtlsConfig config = client(backend).build();
        try (DtlsServer server = server(backend, DtlsConfig.builder().eventLoops(2))) {
            assertEquals(DtlsConfig.CookiePolicy.ALWAYS, DtlsConfig.builder().build().cookiePolicy());
            for (int i = 0; i < connections; i++) {
                Sessions s = connectOnce(server, server.localAddress(), config);
                boolean resumed = i > 0;
                assertEquals(resumed, s.client().resumed(), "connection " + i + ": " + s.client().summary());
                assertEquals(resumed, s.server().resumed(), "connection " + i + ": " + s.server().summary());
                // The binder covers the rebuilt transcript: message_hash of the first ClientHello, the
                // HelloRetryRequest with the cookie, then the second ClientHello (RFC 8446 §4.4.1).
                assertTrue(s.client().helloRetryRequest(), "every connection passed the cookie exchange");
                assertEquals(NamedGroup.X25519_MLKEM768, s.client().group(), "psk_dhe_ke: the hybrid exchange still runs");
                assertEquals(PKI.leaf().chain().get(0), s.client().peerCertificates().get(0),
                        "the certificate verified when the first ticket was issued");
            }
            ServerMetrics m = server.metrics();
            assertEquals(connections, m.handshakesCompleted(), m::summary);
            assertEquals(connections - 1, m.handshakesResumed(), m::summary);
            assertEquals(connections, m.cookiesVerified(), m::summary);
            assertTrue(m.summary().contains(" resumed=" + (connections - 1) + " "), m.summary());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void serversSharingTicketKeysResumeEachOthersSessionsAndOthersDoNot(String backend) throws Exception {
        byte[] shared = random(TicketKeys.KEY_LENGTH);
        DtlsConfig.Builder fleet = DtlsConfig.builder().ticketKeys(TicketKeys.of(List.of(shared)));
        // The same key id (0) as the fleet's, another secret: the ticket fails authentication there.
        DtlsConfig.Builder stranger = DtlsConfig.builder().ticketKeys(TicketKeys.of(List.of(random(TicketKeys.KEY_LENGTH))));
        DtlsConfig config = client(backend).sessionCache(oneAddress()).build();
        try (DtlsServer a = server(backend, fleet); DtlsServer b = server(backend, fleet);
                DtlsServer other = server(backend, stranger)) {
            assertFalse(connectOnce(a, a.localAddress(), config).client().resumed(), "the first connection is full");
            assertTrue(connectOnce(b, b.localAddress(), config).server().resumed(), "b opened a's ticket");
            assertTrue(connectOnce(a, a.localAddress(), config).server().resumed(), "a opened b's ticket");
            Sessions full = connectOnce(other, other.localAddress(), config);
            assertFalse(full.server().resumed(), "another server's keys open nothing: a full handshake");
            assertEquals(SessionInfo.Authentication.CERTIFICATE, full.client().authentication());
            assertEquals(0, other.metrics().handshakesFailedTotal(), "an unopenable ticket is no failure");
            // And the full handshake left a ticket of its own, which its server opens.
            assertTrue(connectOnce(other, other.localAddress(), config).server().resumed());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void aReconnectingClientResumesAfterTheServerClosedItsConnection(String backend) throws Exception {
        BlockingQueue<SessionInfo> reconnected = new LinkedBlockingQueue<>();
        ReconnectPolicy policy = ReconnectPolicy.attempts(5)
                .withBackoff(Duration.ofMillis(10), Duration.ofMillis(200), Duration.ofSeconds(30))
                .withListener(new ReconnectPolicy.Listener() {
                    @Override
                    public void onReconnected(int attempt, SessionInfo session) {
                        reconnected.add(session);
                    }
                });
        try (DtlsServer server = server(backend, DtlsConfig.builder());
                DtlsConnection c = DtlsClient.connect(server.localAddress(), client(backend).reconnect(policy).build())) {
            DtlsConnection first = server.accept(WAIT).orElseThrow();
            c.send("before".getBytes(StandardCharsets.UTF_8));
            assertEquals("before", new String(first.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
            first.send("ack".getBytes(StandardCharsets.UTF_8));
            assertEquals("ack", new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8)); // the ticket came first
            assertFalse(c.session().resumed());
            first.close(); // close_notify: the client reconnects

            SessionInfo again = reconnected.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(again != null && again.resumed(), "the reconnection resumed: " + again);
            DtlsConnection second = server.accept(WAIT).orElseThrow();
            assertTrue(second.session().resumed(), second.session().summary());
            // The connection object carries on over the resumed session.
            assertTrue(c.session().resumed(), c.session().summary());
            c.send("after".getBytes(StandardCharsets.UTF_8));
            assertEquals("after", new String(second.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
            assertEquals(1, server.metrics().handshakesResumed(), server.metrics()::summary);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void aPskOnlyServerServesClientsWithTheKeyAndRefusesOthers(String backend) throws Exception {
        PreSharedKey key = PreSharedKey.of("device-17", random(32));
        DtlsConfig serverConfig = DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-3", random(32)), key)
                .backend(resolve(backend)).build();
        assertTrue(serverConfig.certificateChain().isEmpty(), "no certificate at all");
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), serverConfig)) {
            DtlsConfig device = DtlsConfig.builder().preSharedKeys(key).backend(resolve(backend))
                    .initialRetransmitTimeout(Duration.ofMillis(200)).build();
            Sessions first = connectOnce(server, server.localAddress(), device);
            assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY, first.client().authentication());
            assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY, first.server().authentication());
            assertTrue(first.client().peerCertificates().isEmpty());
            assertTrue(first.client().helloRetryRequest(), "through the cookie exchange");
            // A PSK session gets a ticket too, offered before the key next time.
            assertTrue(connectOnce(server, server.localAddress(), device).client().resumed());

            DtlsException refused = assertThrows(DtlsException.class,
                    () -> DtlsClient.connect(server.localAddress(), client(backend).build()));
            assertEquals(DtlsAlert.HANDSHAKE_FAILURE, refused.alert(), refused.getMessage());
            DtlsConfig wrongKey = DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", random(32)))
                    .backend(resolve(backend)).initialRetransmitTimeout(Duration.ofMillis(200)).build();
            DtlsException badBinder = assertThrows(DtlsException.class,
                    () -> DtlsClient.connect(server.localAddress(), wrongKey));
            assertEquals(DtlsAlert.DECRYPT_ERROR, badBinder.alert(), badBinder.getMessage());
            ServerMetrics m = server.metrics();
            assertEquals(2, m.handshakesCompleted(), m::summary);
            assertEquals(1, m.handshakesResumed(), m::summary);
        }
    }

    /**
     * 0-RTT through the runtime, on two loops without the cookie exchange (which would rule it out):
     * the first connection's early data goes after the handshake, each later one rides its
     * (fragmented, hybrid) ClientHello and reaches the server application through takeEarlyData, not
     * receive.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void earlyDataRidesTheClientHelloOfEveryResumption(String backend) throws Exception {
        DtlsConfig config = client(backend).build();
        try (DtlsServer server = server(backend, DtlsConfig.builder().eventLoops(2)
                .cookiePolicy(DtlsConfig.CookiePolicy.NEVER).maxEarlyData(4096))) {
            for (int i = 0; i < 4; i++) {
                byte[] request = ("request " + i).getBytes(StandardCharsets.UTF_8);
                try (DtlsConnection c = DtlsClient.connect(server.localAddress(), config, List.of(request))) {
                    DtlsConnection s = server.accept(WAIT).orElseThrow(() -> new AssertionError("nothing accepted"));
                    try {
                        boolean early = i > 0;
                        assertEquals(early, c.earlyDataAccepted(), "connection " + i);
                        assertEquals(early, s.earlyDataAccepted(), "connection " + i);
                        List<byte[]> took = s.takeEarlyData();
                        byte[] got = early ? (took.isEmpty() ? null : took.get(0)) : s.receive(WAIT).orElseThrow();
                        assertEquals("request " + i, got == null ? null : new String(got, StandardCharsets.UTF_8),
                                "connection " + i + (early ? ": 0-RTT" : ": after the handshake"));
                        c.send("ping".getBytes(StandardCharsets.UTF_8));
                        assertEquals("ping", new String(s.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8),
                                "nothing else before it: early data is not repeated as ordinary data");
                        s.send("pong".getBytes(StandardCharsets.UTF_8));
                        assertEquals("pong", new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
                    } finally {
                        s.close();
                    }
                }
            }
        }
    }
}
