package dev.pqdtls.ffm;

import static dev.pqdtls.ffm.ServerEventsTest.WAIT;
import static dev.pqdtls.ffm.ServerEventsTest.client;
import static dev.pqdtls.ffm.ServerEventsTest.loopback;
import static dev.pqdtls.ffm.ServerEventsTest.roundTrip;
import static dev.pqdtls.ffm.ServerEventsTest.serverConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.ReconnectPolicy;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.testing.UdpRelay;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Admission limits on the wire, graceful shutdown and client reconnection, on both backends. */
@Timeout(90)
class OperatingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ffm", "fallback"})
    void connectionsPerSourceRefuseTheThirdFromOneAddressOnly(String backend) throws Exception {
        RecordingListener events = new RecordingListener();
        try (DtlsServer server = DtlsServer.bind(loopback(), serverConfig(backend).maxConnectionsPerSource(2).build(), events);
                UdpRelay elsewhere = new UdpRelay(server.localAddress(), InetAddress.getByName("127.0.0.2"))) {
            List<DtlsConnection> held = new ArrayList<>();
            held.add(DtlsClient.connect(server.localAddress(), client(backend).build()));
            held.add(DtlsClient.connect(server.localAddress(), client(backend).build()));
            DtlsException refused = assertThrows(DtlsException.class, () -> DtlsClient.connect(server.localAddress(),
                    client(backend).handshakeTimeout(Duration.ofMillis(1500)).build()));
            assertTrue(refused.getMessage().contains("did not complete"), "no answer at all: " + refused.getMessage());
            ServerMetrics m = server.metrics();
            assertTrue(m.admissionRejections().get(ServerMetrics.Limit.CONNECTIONS_PER_SOURCE) >= 1, m.summary());
            assertEquals(2, m.handshakesStarted(), m.summary());
            try (DtlsConnection other = DtlsClient.connect(elsewhere.clientSide(), client(backend).build())) {
                assertEquals("from 127.0.0.2", roundTrip(other, "from 127.0.0.2"));
            }
            held.forEach(DtlsConnection::close);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ffm", "fallback"})
    void gracefulShutdownDeliversEverythingSentThenCloseNotify(String backend) throws Exception {
        int count = 50;
        DtlsServer server = DtlsServer.bind(loopback(), serverConfig(backend).build());
        try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client(backend).build())) {
            DtlsConnection s = server.accept(WAIT).orElseThrow();
            for (int i = 0; i < count; i++) {
                s.send(("d" + i).getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(s.keyUpdate(false), "a KeyUpdate in flight when the shutdown begins");
            server.close(Duration.ofSeconds(5));
            assertEquals(1, s.stats().keyUpdates(), "the drain waited for its ACK");
            for (int i = 0; i < count; i++) {
                assertEquals("d" + i, new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
            }
            DtlsException end = assertThrows(DtlsException.class, () -> c.receive(WAIT));
            assertEquals(DtlsAlert.CLOSE_NOTIFY, end.alert(), end.getMessage());
            assertTrue(end.fromPeer(), end.getMessage());
            assertThrows(DtlsException.class, () -> server.accept(Duration.ZERO), "closed servers accept nothing");
        }
    }

    /** Records reconnection events. */
    private static final class Attempts implements ReconnectPolicy.Listener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void onDisconnected(DtlsException cause) {
            events.add("disconnected " + cause.alert());
        }

        @Override
        public void onAttempt(int attempt, Duration delay) {
            events.add("attempt " + attempt);
        }

        @Override
        public void onAttemptFailed(int attempt, Exception failure) {
            events.add("failed " + attempt);
        }

        @Override
        public void onReconnected(int attempt, SessionInfo session) {
            events.add("reconnected " + attempt);
        }

        @Override
        public void onGaveUp(int attempts, Exception lastFailure) {
            events.add("gave up after " + attempts);
        }

        String next() throws InterruptedException {
            String e = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no reconnect event within " + WAIT);
            }
            return e;
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ffm", "fallback"})
    void aClientReconnectsWithBackoffAfterTheServerClosedAndGivesUpWithinItsBudget(String backend) throws Exception {
        Attempts attempts = new Attempts();
        ReconnectPolicy policy = ReconnectPolicy.attempts(3).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200),
                Duration.ofSeconds(20)).withListener(attempts);
        DtlsServer first = DtlsServer.bind(loopback(), serverConfig(backend).build(), new RecordingListener());
        int port = first.localAddress().getPort();
        try (DtlsConnection c = DtlsClient.connect(first.localAddress(), client(backend).reconnect(policy).build())) {
            assertEquals("before", roundTrip(c, "before"));
            first.close(); // close_notify: the client reconnects
            assertEquals("disconnected CLOSE_NOTIFY", attempts.next());
            // The same port again; attempts made before it is up fail (port unreachable) and are retried.
            try (DtlsServer second = DtlsServer.bind(new java.net.InetSocketAddress("127.0.0.1", port),
                    serverConfig(backend).build(), new RecordingListener())) {
                String e;
                do {
                    e = attempts.next();
                } while (e.startsWith("attempt") || e.startsWith("failed"));
                assertTrue(e.startsWith("reconnected"), e);
                assertEquals("after", roundTrip(c, "after"));
                assertTrue(c.isOpen());
            }
            assertEquals("disconnected CLOSE_NOTIFY", attempts.next());
            List<String> rest = new ArrayList<>();
            for (String e = attempts.next(); ; e = attempts.next()) {
                rest.add(e);
                if (e.startsWith("gave up")) {
                    break;
                }
            }
            assertEquals(List.of("attempt 1", "failed 1", "attempt 2", "failed 2", "attempt 3", "failed 3",
                    "gave up after 3"), rest);
            DtlsException end = assertThrows(DtlsException.class, () -> c.receive(WAIT));
            assertTrue(end.getMessage().contains("not re-established after 3 attempt(s)"), end.getMessage());
            assertFalse(c.isOpen());
        }
    }
}
