package dev.pqdtls.bench.robustness;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.DtlsServerListener;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SelfSignedCertificate;
import dev.pqdtls.internal.auth.Pem;
import dev.pqdtls.interop.WolfSslPeer;
import dev.pqdtls.testing.ImpairmentRelay;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Handshakes through an {@link ImpairmentRelay} (loss, duplication, reordering both ways), one
 * direction at a time: pqdtls and wolfSSL 5.9 (its example programs, as processes) as client and as
 * server, wolfSSL against itself as the reference. A handshake counts as completed when the client
 * knows the server accepted it within the deadline: a wolfSSL client prints that its handshake is done
 * only once the server acknowledged its Finished; a pqdtls client is done once it has sent Finished
 * (RFC 8446), so for it the server side must also report completion. The time is the client's, from
 * its start to its report (process start included for wolfSSL: a few milliseconds).
 *
 * <p>Handshakes run {@link Options#lanes()} at a time, each through its own relay (its own seed, so
 * its own loss pattern) to a fresh wolfSSL server process or to one shared pqdtls server.
 */
public final class LossyHandshakes {
    /** Who is client and who is server. */
    public enum Direction {
        PQDTLS_TO_PQDTLS("pqdtls → pqdtls", false, false),
        PQDTLS_TO_WOLFSSL("pqdtls → wolfSSL", false, true),
        WOLFSSL_TO_PQDTLS("wolfSSL → pqdtls", true, false),
        WOLFSSL_TO_WOLFSSL("wolfSSL → wolfSSL (reference)", true, true);

        final String label;
        final boolean wolfClient;
        final boolean wolfServer;

        Direction(String label, boolean wolfClient, boolean wolfServer) {
            this.label = label;
            this.wolfClient = wolfClient;
            this.wolfServer = wolfServer;
        }

        public String label() {
            return label;
        }

        public boolean needsWolfSsl() {
            return wolfClient || wolfServer;
        }
    }

    /**
     * @param handshakes how many per direction
     * @param lanes how many at a time
     * @param impairment what each direction of each relay suffers
     * @param deadline a handshake not completed by then counts as failed
     * @param seed the first relay's seed (handshake i uses seed + i)
     * @param backend the pqdtls backend
     * @param traceSlowerThan a handshake that fails or takes longer keeps the relay's trace (null: none)
     */
    public record Options(int handshakes, int lanes, ImpairmentRelay.Impairment impairment, Duration deadline, long seed,
            String backend, Duration traceSlowerThan) {
    }

    /** One handshake: completed or not, the client's time, why not, and the relay's trace if it was kept. */
    public record Attempt(int index, boolean completed, double seconds, String failure, String trace) {
        Attempt withTrace(String text) {
            return new Attempt(index, completed, seconds, failure, text);
        }
    }

    /** A direction's attempts. */
    public record Result(Direction direction, List<Attempt> attempts) {
        public long completed() {
            return attempts.stream().filter(Attempt::completed).count();
        }

        /** Median client time of the completed handshakes, in seconds (NaN when none completed). */
        public double medianSeconds() {
            return Stats.median(attempts.stream().filter(Attempt::completed).mapToDouble(Attempt::seconds).toArray());
        }

        /** 90th percentile of the completed handshakes' time. */
        public double p90Seconds() {
            return Stats.percentile(attempts.stream().filter(Attempt::completed).mapToDouble(Attempt::seconds).toArray(), 0.9);
        }

        public List<Attempt> failures() {
            return attempts.stream().filter(a -> !a.completed()).toList();
        }
    }

    private static final NamedGroup GROUP = NamedGroup.X25519_MLKEM768;
    private final Options options;

    public LossyHandshakes(Options options) {
        this.options = options;
    }

    /** Runs one direction; {@code progress} hears of each finished handshake (any thread). */
    public Result run(Direction direction, Consumer<Attempt> progress) throws IOException, InterruptedException {
        if (direction.needsWolfSsl() && WolfSslPeer.unavailableReason().isPresent()) {
            throw new IllegalStateException(WolfSslPeer.unavailableReason().get());
        }
        try (PqdtlsServer server = direction.wolfServer ? null : new PqdtlsServer(options)) {
            DtlsConfig clientConfig = direction.wolfClient ? null : pqdtlsClientConfig(direction.wolfServer, server);
            // One clean handshake first, not counted: class loading and JIT would otherwise count as loss.
            Attempt warmUp = attempt(direction, -1, ImpairmentRelay.Impairment.none(), server, clientConfig);
            if (!warmUp.completed()) {
                throw new IOException("the warm-up handshake without loss failed: " + warmUp.failure());
            }
            ExecutorService lanes = Executors.newFixedThreadPool(options.lanes(), r -> {
                Thread t = new Thread(r, "lossy-handshake");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<Attempt>> running = new ArrayList<>();
                for (int i = 0; i < options.handshakes(); i++) {
                    int index = i;
                    running.add(lanes.submit(() -> {
                        Attempt a = attempt(direction, index, options.impairment(), server, clientConfig);
                        progress.accept(a);
                        return a;
                    }));
                }
                List<Attempt> attempts = new ArrayList<>();
                for (Future<Attempt> f : running) {
                    try {
                        attempts.add(f.get());
                    } catch (ExecutionException e) {
                        throw new IOException("a handshake attempt broke: " + e.getCause(), e.getCause());
                    }
                }
                return new Result(direction, attempts);
            } finally {
                lanes.shutdownNow();
            }
        }
    }

    private Attempt attempt(Direction d, int index, ImpairmentRelay.Impairment impairment, PqdtlsServer pqdtlsServer,
            DtlsConfig clientConfig) throws IOException {
        long seed = options.seed() + index;
        WolfSslPeer wolfServer = null;
        InetSocketAddress serverAddress;
        if (d.wolfServer) {
            int port = WolfSslPeer.freeUdpPort();
            wolfServer = WolfSslPeer.startServer("-u", "-v", "4", "-p", Integer.toString(port), "-d", "--pqc", "X25519MLKEM768");
            serverAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        } else {
            serverAddress = pqdtlsServer.address();
        }
        try (WolfSslPeer closeServer = wolfServer;
                ImpairmentRelay relay = new ImpairmentRelay(serverAddress, impairment, impairment, seed,
                        InetAddress.getLoopbackAddress())) {
            if (options.traceSlowerThan() != null) {
                relay.trace();
            }
            Attempt a = attemptThrough(relay, d, index, closeServer, pqdtlsServer, clientConfig);
            boolean keep = options.traceSlowerThan() != null
                    && (!a.completed() || a.seconds() > options.traceSlowerThan().toNanos() / 1e9);
            return keep ? a.withTrace(relay.traceText()) : a;
        }
    }

    private Attempt attemptThrough(ImpairmentRelay relay, Direction d, int index, WolfSslPeer wolfServer,
            PqdtlsServer pqdtlsServer, DtlsConfig clientConfig) throws IOException {
        long start = System.nanoTime();
        if (d.wolfClient) {
            try (WolfSslPeer client = WolfSslPeer.startClient("-u", "-v", "4", "-h", "127.0.0.1", "-p",
                    Integer.toString(relay.clientSide().getPort()), "-d", "--pqc", "X25519MLKEM768")) {
                client.awaitOutput(WolfSslPeer.HANDSHAKE_DONE, options.deadline());
                return new Attempt(index, true, seconds(start), null, null);
            } catch (AssertionError e) {
                return failed(index, start, "wolfSSL client: " + firstLine(e.getMessage()));
            }
        }
        long deadline = start + options.deadline().toNanos();
        try (DtlsConnection c = DtlsClient.connect(relay.clientSide(), clientConfig)) {
            double clientSeconds = seconds(start);
            if (d.wolfServer) {
                wolfServer.awaitOutput(WolfSslPeer.HANDSHAKE_DONE, remaining(deadline));
            } else {
                pqdtlsServer.awaitCompleted(relay, remaining(deadline));
            }
            return new Attempt(index, true, clientSeconds, null, null);
        } catch (IOException | RuntimeException e) {
            return failed(index, start, "pqdtls client: " + firstLine(String.valueOf(e.getMessage())));
        } catch (AssertionError e) {
            return failed(index, start, "wolfSSL server: " + firstLine(e.getMessage()));
        } catch (TimeoutException e) {
            return failed(index, start, "pqdtls server: no completed handshake by the deadline although the client completed");
        }
    }

    private static Attempt failed(int index, long startNanos, String why) {
        return new Attempt(index, false, seconds(startNanos), why, null);
    }

    private DtlsConfig pqdtlsClientConfig(boolean wolfServer, PqdtlsServer server) throws IOException {
        DtlsConfig.Builder b = DtlsConfig.builder().groups(GROUP).backend(options.backend()).handshakeTimeout(options.deadline());
        if (wolfServer) {
            Path ca = WolfSslPeer.buildDir().orElseThrow().resolve("certs/ca-cert.pem");
            b.trustedCertificates(Pem.certificates(ca));
        } else {
            b.trustedCertificates(List.of(server.certificate.certificate())).serverName("localhost");
        }
        return b.build();
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime()));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /** One pqdtls server for all handshakes of a direction; it notes which client addresses completed. */
    private static final class PqdtlsServer implements AutoCloseable {
        final SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
        private final Map<InetSocketAddress, CompletableFuture<Void>> completed = new ConcurrentHashMap<>();
        private final DtlsServer server;

        PqdtlsServer(Options options) throws IOException {
            DtlsConfig config = DtlsConfig.builder().certificate(certificate.chain(), certificate.privateKey())
                    .groups(GROUP).backend(options.backend()).handshakeTimeout(options.deadline())
                    .handshakesPerSecondPerSource(10_000).handshakeBurstPerSource(10_000).build();
            server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config, new DtlsServerListener() {
                @Override
                public void onConnected(DtlsConnection connection) {
                    // Left open: a client still waiting for the ACK of its Finished resends it to this connection.
                    done(connection.session().peer()).complete(null);
                }
            });
        }

        InetSocketAddress address() {
            return server.localAddress();
        }

        private CompletableFuture<Void> done(InetSocketAddress client) {
            return completed.computeIfAbsent(client, k -> new CompletableFuture<>());
        }

        /** Waits until the server completed the handshake of the client behind {@code relay}. */
        void awaitCompleted(ImpairmentRelay relay, Duration timeout) throws TimeoutException {
            Optional<InetSocketAddress> seen = relay.addressesSeenByServer().stream().findFirst();
            if (seen.isEmpty()) {
                throw new TimeoutException();
            }
            try {
                done(seen.get()).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TimeoutException();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            server.close(Duration.ZERO);
        }
    }
}
