package dev.pqdtls.bench.robustness;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.DtlsServerListener;
import dev.pqdtls.SelfSignedCertificate;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.internal.backend.BackendSelector;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.testing.SpoofedClientHellos;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pqdtls server (default configuration: a cookie for every first ClientHello) under a flood of
 * ClientHellos from many spoofed addresses ({@link SpoofedClientHellos}) while legitimate clients
 * connect. What it shows: the legitimate clients still complete; the server creates no connection and
 * does no key exchange for the spoofed addresses (its handshakes-started count is the legitimate
 * clients', its heap and native memory stay flat); and the bytes it sends the spoofed addresses, counted
 * at their sockets, stay within 3× what they sent it (RFC 9147 §5.1).
 */
public final class HelloFlood {
    /**
     * @param duration how long the flood lasts
     * @param addresses spoofed source addresses
     * @param hellosPerSecond the flood's target rate
     * @param legitimateClients clients that connect (a handshake and one echoed datagram) during the flood
     * @param backend the pqdtls backend of the server and the clients
     */
    public record Options(Duration duration, int addresses, int hellosPerSecond, int legitimateClients, String backend) {
    }

    /**
     * @param flood what the spoofed addresses sent and received
     * @param seconds how long the flood ran
     * @param legitimateCompleted legitimate clients that completed and got their echo
     * @param legitimateFailures why the others did not (first few)
     * @param peakConnections most connections the server held at once (sampled)
     * @param before memory before the flood (after a warm-up)
     * @param during memory at the flood's end, before the legitimate connections closed
     * @param after memory once the flood and the clients are gone
     * @param handshakesStarted connections the server created during the flood (the warm-up's not counted)
     * @param cookiesIssued HelloRetryRequests with a cookie the server sent during the flood
     * @param metrics the server's counters at the end, the warm-up included
     */
    public record Result(Options options, SpoofedClientHellos.Counts flood, double seconds, int legitimateCompleted,
            List<String> legitimateFailures, int peakConnections, MemorySample before, MemorySample during,
            MemorySample after, long handshakesStarted, long cookiesIssued, ServerMetrics metrics) {
        public double achievedRate() {
            return flood.sent() / seconds;
        }

        public double legitimateRate() {
            return (double) legitimateCompleted / options.legitimateClients();
        }
    }

    private final Options options;

    public HelloFlood(Options options) {
        this.options = options;
    }

    public Result run() throws IOException, InterruptedException {
        CryptoBackend backend = BackendSelector.select(Optional.of(options.backend())).backend();
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(cert.chain(), cert.privateKey()).backend(options.backend())
                .build();
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(cert.certificate())).serverName("localhost")
                .backend(options.backend()).handshakeTimeout(Duration.ofSeconds(20)).build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig,
                new DtlsServerListener() {
                    @Override
                    public void onDatagram(DtlsConnection connection, byte[] datagram) {
                        try {
                            connection.send(datagram); // echo: the client knows the server completed
                        } catch (IOException | RuntimeException e) {
                            // the client sees no echo and counts a failure
                        }
                    }
                })) {
            // Warm-up, not counted: a client and two seconds of flood, so that class loading and the JIT's
            // own (transient, malloc'ed) memory are in the baseline, not in the flood's figures.
            legitimate(server, clientConfig);
            try (SpoofedClientHellos warmUp = new SpoofedClientHellos(server.localAddress(), options.addresses(),
                    options.hellosPerSecond())) {
                TimeUnit.SECONDS.sleep(2);
            }
            MemorySample before = MemorySample.settled(backend);
            long startedBefore = server.metrics().handshakesStarted();
            long cookiesBefore = server.metrics().cookiesIssued();
            List<String> failures = new ArrayList<>();
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            long start = System.nanoTime();
            SpoofedClientHellos.Counts counts;
            MemorySample during;
            double seconds;
            List<DtlsConnection> open = java.util.Collections.synchronizedList(new ArrayList<>());
            try (SpoofedClientHellos flood = new SpoofedClientHellos(server.localAddress(), options.addresses(),
                    options.hellosPerSecond())) {
                ExecutorService lanes = Executors.newFixedThreadPool(4, r -> {
                    Thread t = new Thread(r, "flood-legitimate-client");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    List<Future<?>> clients = new ArrayList<>();
                    long spacing = options.duration().toNanos() / options.legitimateClients();
                    for (int i = 0; i < options.legitimateClients(); i++) {
                        long due = start + i * spacing;
                        clients.add(lanes.submit(() -> {
                            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime())); // spread over the flood
                            Optional<String> problem = connect(server, clientConfig, open);
                            peak.accumulateAndGet(server.connectionCount(), Math::max);
                            if (problem.isEmpty()) {
                                completed.incrementAndGet();
                            } else {
                                synchronized (failures) {
                                    failures.add(problem.get());
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : clients) {
                        f.get();
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException("a legitimate client broke: " + e.getCause(), e.getCause());
                } finally {
                    lanes.shutdownNow();
                }
                long left = start + options.duration().toNanos() - System.nanoTime();
                TimeUnit.NANOSECONDS.sleep(Math.max(0, left)); // the flood runs its full duration
                flood.stopSending();
                long stopped = System.nanoTime();
                during = MemorySample.now(backend);
                // Late answers still count: the sockets keep reading until the server has caught up.
                awaitQuiet(flood);
                counts = flood.counts();
                seconds = (stopped - start) / 1e9;
            }
            open.forEach(DtlsConnection::close);
            awaitNoConnections(server);
            MemorySample after = MemorySample.settled(backend);
            ServerMetrics m = server.metrics();
            return new Result(options, counts, seconds, completed.get(), failures.subList(0, Math.min(5, failures.size())),
                    peak.get(), before, during, after, m.handshakesStarted() - startedBefore, m.cookiesIssued() - cookiesBefore, m);
        }
    }

    private static void legitimate(DtlsServer server, DtlsConfig config) throws IOException {
        List<DtlsConnection> open = new ArrayList<>();
        Optional<String> problem = connect(server, config, open);
        open.forEach(DtlsConnection::close);
        if (problem.isPresent()) {
            throw new IOException("the warm-up client failed without a flood: " + problem.get());
        }
    }

    /** A handshake and one echoed datagram; the connection stays open (in {@code open}) until the end. */
    private static Optional<String> connect(DtlsServer server, DtlsConfig config, List<DtlsConnection> open) {
        try {
            DtlsConnection c = DtlsClient.connect(server.localAddress(), config);
            open.add(c);
            c.send(new byte[] {1, 2, 3});
            if (c.receive(Duration.ofSeconds(10)).isEmpty()) {
                return Optional.of("no echo within 10 s");
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    /** Waits (at most 10 s) until the spoofed sockets have received nothing for 300 ms. */
    private static void awaitQuiet(SpoofedClientHellos flood) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long seen = -1;
        while (System.nanoTime() < deadline) {
            long received = flood.counts().received();
            if (received == seen) {
                return;
            }
            seen = received;
            TimeUnit.MILLISECONDS.sleep(300); // polling counters: the server gives no signal that it is done
        }
    }

    private static void awaitNoConnections(DtlsServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20); // close_notify is processed on the server's loop thread
        }
    }
}
