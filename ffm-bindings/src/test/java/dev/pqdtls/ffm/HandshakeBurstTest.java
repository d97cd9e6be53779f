package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.fallback.auth.TestPki;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Many handshakes at once against one server over loopback: every one completes and no datagram is
 * lost on the way (no flight is ever sent twice). The retransmission timeout is long, so a slow
 * machine only slows the test down; only a lost datagram can make a flight go out twice. All clients
 * share 127.0.0.1 but stand for many sources, so the per-source handshake rate is off (with it, a fast
 * machine's burst outruns the source's token bucket and the refused ClientHellos are resent).
 */
@Timeout(300)
class HandshakeBurstTest {
    private static final TestPki.Pki PKI = TestPki.quickServer();

    @ParameterizedTest(name = "{0} server, {1} clients")
    @CsvSource({"ffm,256", "fallback,128"})
    void aBurstOfHandshakesLosesNothing(String backend, int clients) throws Exception {
        Duration rto = Duration.ofSeconds(20);
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(PKI.leaf().chain(), PKI.leaf().privateKey())
                .backend(backend).initialRetransmitTimeout(rto).handshakeTimeout(Duration.ofSeconds(240))
                .handshakesPerSecondPerSource(0)
                .build(); // the default server receive buffer (4 MiB) must hold the burst
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(PKI.ca().certificate()))
                .serverName("localhost").backend(backend).initialRetransmitTimeout(rto)
                .handshakeTimeout(Duration.ofSeconds(240)).build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), serverConfig)) {
            Thread acceptor = new Thread(() -> {
                try {
                    for (int i = 0; i < clients; i++) {
                        DtlsConnection c = server.accept(Duration.ofSeconds(240)).orElseThrow();
                        Thread echo = new Thread(() -> {
                            try {
                                c.send(c.receive());
                            } catch (Exception ignored) {
                                // the client closes
                            }
                        });
                        echo.setDaemon(true);
                        echo.start();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    start.await();
                    try (DtlsConnection c = DtlsClient.connect(server.localAddress(), clientConfig)) {
                        c.send(("hello " + n).getBytes(StandardCharsets.UTF_8));
                        String echo = new String(c.receive(Duration.ofSeconds(60)).orElseThrow(), StandardCharsets.UTF_8);
                        assertEquals("hello " + n, echo);
                        return c.stats().retransmissions();
                    }
                }));
            }
            start.countDown();
            long retransmissions = 0;
            for (Future<Long> r : results) {
                retransmissions += r.get(280, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(0, server.metrics().admissionRejectionsTotal(), () -> "refused: " + server.metrics().summary());
            assertEquals(0, retransmissions, "flights sent twice by the " + clients + " clients: a datagram was lost");
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest(name = "{0} server")
    @CsvSource({"ffm", "fallback"})
    void dataKeepsFlowingDuringABurstOfHandshakes(String backend) throws Exception {
        int burst = 96;
        int pings = 300;
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(PKI.leaf().chain(), PKI.leaf().privateKey())
                .backend(backend).eventLoops(1).handshakesPerSecondPerSource(0)
                .build(); // one loop: data and handshakes share it
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(PKI.ca().certificate()))
                .serverName("localhost").backend(backend).handshakeTimeout(Duration.ofSeconds(240)).build();
        CountDownLatch accepted = new CountDownLatch(burst + 1);
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), serverConfig)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        DtlsConnection c = server.accept(Duration.ofSeconds(240)).orElseThrow();
                        accepted.countDown();
                        Thread echo = new Thread(() -> {
                            try {
                                while (true) {
                                    c.send(c.receive());
                                }
                            } catch (Exception closed) {
                                // the client closes
                            }
                        });
                        echo.setDaemon(true);
                        echo.start();
                    }
                } catch (Exception e) {
                    // the server closes
                }
            }, "acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            try (DtlsConnection flowing = DtlsClient.connect(server.localAddress(), clientConfig)) {
                ExecutorService pool = Executors.newFixedThreadPool(burst);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> handshakes = new ArrayList<>();
                for (int i = 0; i < burst; i++) {
                    handshakes.add(pool.submit(() -> {
                        start.await();
                        DtlsClient.connect(server.localAddress(), clientConfig).close();
                        return null;
                    }));
                }
                start.countDown();
                // While the burst runs, every ping of the established connection comes back.
                int answered = 0;
                for (int i = 0; i < pings; i++) {
                    flowing.send(("ping " + i).getBytes(StandardCharsets.UTF_8));
                    var pong = flowing.receive(Duration.ofSeconds(30));
                    assertTrue(pong.isPresent(), "ping " + i + " came back during the burst");
                    assertEquals("ping " + i, new String(pong.get(), StandardCharsets.UTF_8));
                    answered++;
                }
                for (Future<?> h : handshakes) {
                    h.get(280, TimeUnit.SECONDS);
                }
                pool.shutdown();
                assertEquals(pings, answered);
                assertEquals(0, flowing.stats().datagramsDropped());
                // Each burst client closes as soon as it is connected, so its Finished and close_notify
                // often reach the server together: the connection is still handed to accept().
                assertTrue(accepted.await(60, TimeUnit.SECONDS), () -> accepted.getCount()
                        + " connections completed by their clients never reached accept(): " + server.metrics().summary());
                assertEquals(0, server.metrics().handshakesFailedTotal(), () -> server.metrics().summary());
            }
        }
    }
}
