package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.DtlsServerListener;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.auth.TestPki;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Timers from the wheel under many connections: idle timeouts fire for every quiet connection and
 * never for a busy one, and time-based KeyUpdates happen on every connection that carries traffic.
 * Order and completion are asserted, never wall-clock precision.
 */
@Timeout(240)
class RuntimeTimersTest {
    private static final TestPki.Pki PKI = TestPki.quickServer();

    private static DtlsConfig.Builder client(String backend) {
        return DtlsConfig.builder().trustedCertificates(List.of(PKI.ca().certificate())).serverName("localhost")
                .backend(backend).groups(NamedGroup.X25519).idleTimeout(Duration.ofMinutes(5));
    }

    /**
     * Echoes everything; the first byte of a datagram names the client that sent it. Records which
     * server-side connections carried data, their KeyUpdates, and which closed and why.
     */
    private static final class Echo implements DtlsServerListener {
        final Set<DtlsConnection> busy = ConcurrentHashMap.newKeySet();
        final Set<DtlsConnection> closed = ConcurrentHashMap.newKeySet();
        final List<String> reasons = new CopyOnWriteArrayList<>();
        final AtomicLongArray keyUpdates = new AtomicLongArray(256);
        volatile CountDownLatch closes;

        @Override
        public void onDatagram(DtlsConnection c, byte[] d) {
            busy.add(c);
            keyUpdates.set(d[0] & 0xFF, c.stats().keyUpdates());
            try {
                c.send(d);
            } catch (Exception e) {
                // closed meanwhile
            }
        }

        @Override
        public void onClosed(DtlsConnection c, DtlsException reason) {
            closed.add(c);
            reasons.add(reason.alert() + " " + reason.getMessage());
            closes.countDown();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ffm", "fallback"})
    void idleTimeoutsFireForEveryQuietConnectionAndNeverForABusyOne(String backend) throws Exception {
        int quiet = 60;
        int busy = 10;
        Echo echo = new Echo();
        echo.closes = new CountDownLatch(quiet);
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), DtlsConfig.builder()
                .certificate(PKI.leaf().chain(), PKI.leaf().privateKey()).backend(backend).eventLoops(2)
                .idleTimeout(Duration.ofSeconds(2)).build(), echo)) {
            List<DtlsConnection> busyConnections = new ArrayList<>();
            for (int i = 0; i < busy; i++) {
                busyConnections.add(DtlsClient.connect(server.localAddress(), client(backend).build()));
            }
            AtomicBoolean keepBusy = new AtomicBoolean(true);
            CountDownLatch allBusy = new CountDownLatch(busy);
            List<Thread> pingers = new ArrayList<>();
            for (DtlsConnection c : busyConnections) {
                Thread t = new Thread(() -> {
                    try {
                        boolean first = true;
                        while (keepBusy.get()) { // ping-pong: each echo sends the next datagram
                            c.send(new byte[] {1});
                            if (c.receive(Duration.ofSeconds(5)).isPresent() && first) {
                                first = false;
                                allBusy.countDown();
                            }
                        }
                    } catch (Exception e) {
                        // closed at the end
                    }
                });
                t.setDaemon(true);
                t.start();
                pingers.add(t);
            }
            assertTrue(allBusy.await(60, TimeUnit.SECONDS), "every busy connection echoes");
            List<DtlsConnection> quietConnections = new ArrayList<>();
            for (int i = 0; i < quiet; i++) {
                quietConnections.add(DtlsClient.connect(server.localAddress(), client(backend).build()));
            }
            assertTrue(echo.closes.await(120, TimeUnit.SECONDS), "every quiet connection idled out: "
                    + (quiet - echo.closes.getCount()) + " of " + quiet);
            Set<DtlsConnection> closedBusy = new java.util.HashSet<>(echo.closed);
            closedBusy.retainAll(echo.busy);
            assertEquals(Set.of(), closedBusy, "no busy connection idled out while it carried traffic");
            assertTrue(echo.reasons.stream().allMatch(r -> r.startsWith(DtlsAlert.CLOSE_NOTIFY + " ") && r.contains("idle")),
                    echo.reasons.toString());
            // Now the busy ones go quiet: they idle out too.
            echo.closes = new CountDownLatch(busy);
            keepBusy.set(false);
            for (Thread t : pingers) {
                t.join(10_000);
            }
            assertTrue(echo.closes.await(60, TimeUnit.SECONDS), "the formerly busy connections idled out");
            assertEquals(0, server.connectionCount());
            quietConnections.forEach(DtlsConnection::close);
            busyConnections.forEach(DtlsConnection::close);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ffm", "fallback"})
    void timeBasedKeyUpdatesHappenOnEveryConnectionThatCarriesTraffic(String backend) throws Exception {
        int clients = 20;
        Echo echo = new Echo();
        echo.closes = new CountDownLatch(clients);
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), DtlsConfig.builder()
                .certificate(PKI.leaf().chain(), PKI.leaf().privateKey()).backend(backend)
                .keyUpdateAfterTime(Duration.ofSeconds(1)).build(), echo)) {
            List<DtlsConnection> connections = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                connections.add(DtlsClient.connect(server.localAddress(), client(backend).build()));
            }
            // Round trips until the server side of each connection has rekeyed on its own timer.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (int i = 0; i < clients; i++) {
                DtlsConnection c = connections.get(i);
                while (echo.keyUpdates.get(i) == 0) {
                    assertTrue(System.nanoTime() < deadline, "connection " + i + ": no time-based KeyUpdate");
                    c.send(new byte[] {(byte) i});
                    assertTrue(c.receive(Duration.ofSeconds(10)).isPresent(), "echo across the KeyUpdate");
                }
            }
            connections.forEach(DtlsConnection::close);
            assertTrue(echo.closes.await(60, TimeUnit.SECONDS));
        }
    }
}
