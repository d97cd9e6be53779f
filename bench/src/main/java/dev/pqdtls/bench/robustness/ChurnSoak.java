package dev.pqdtls.bench.robustness;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.DtlsServerListener;
import dev.pqdtls.SelfSignedCertificate;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.backend.BackendSelector;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.spi.CryptoBackend;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A pqdtls server under churn for a while: clients that complete a handshake, exchange a datagram and
 * close; clients that return the cookie, so the server does its key exchange and signs its flight, and
 * then vanish (half-open connections that wait out the handshake timeout); and clients whose second
 * ClientHello has one bit flipped. Memory is sampled along the way; once the load stops and the
 * handshake timeout has passed, the heap after a collection, malloc's in-use bytes and the backend's
 * live native contexts must be back where they started (the resident set is shown, not judged: freed
 * memory stays mapped).
 *
 * <p>Half-open and mutated handshakes come from many loopback addresses (127.88.x.y), as from many
 * clients, so the per-source admission limits do not hide them; the server-wide caps still apply and
 * their refusals are counted.
 */
public final class ChurnSoak {
    /**
     * @param duration how long the load runs
     * @param handshakeTimeout the server's: after the load, memory is measured once it has passed
     * @param sampleEvery how often memory is sampled during the load
     * @param backend the pqdtls backend
     */
    public record Options(Duration duration, Duration handshakeTimeout, Duration sampleEvery, String backend) {
    }

    /** One sample: seconds since the load started, the server's connections, the process's memory. */
    public record Sample(double seconds, int handshaking, int established, MemorySample memory) {
    }

    /**
     * @param completed handshakes completed, echoed and closed
     * @param abandoned handshakes abandoned after the cookie (the server answered them)
     * @param mutated second ClientHellos sent with a flipped bit
     * @param failures unexpected failures of completing clients (first few)
     */
    public record Result(Options options, long completed, long abandoned, long mutated, List<String> failures,
            MemorySample before, List<Sample> samples, MemorySample after, ServerMetrics metrics) {
        public int peakHandshaking() {
            return samples.stream().mapToInt(Sample::handshaking).max().orElse(0);
        }
    }

    private static final int SOURCES = 500;
    private final Options options;

    public ChurnSoak(Options options) {
        this.options = options;
    }

    public Result run(Consumer<String> progress) throws IOException, InterruptedException {
        CryptoBackend backend = BackendSelector.select(Optional.of(options.backend())).backend();
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(cert.chain(), cert.privateKey()).backend(options.backend())
                .handshakeTimeout(options.handshakeTimeout()).build();
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(cert.certificate())).serverName("localhost")
                .backend(options.backend()).handshakeTimeout(Duration.ofSeconds(20)).build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig,
                new DtlsServerListener() {
                    @Override
                    public void onDatagram(DtlsConnection connection, byte[] datagram) {
                        try {
                            connection.send(datagram);
                        } catch (IOException | RuntimeException e) {
                            // the client sees no echo and counts a failure
                        }
                    }
                })) {
            Load load = new Load(server, backend, clientConfig);
            // Warm-up: the same load for a few seconds, then its half-open connections time out; the
            // baseline is taken after, so class loading, JIT and pools are in it.
            load.run(Duration.ofSeconds(3), () -> { }, 0);
            awaitHandshakeTimeout(server);
            MemorySample before = MemorySample.settled(backend);
            progress.accept("baseline: " + before.summary());
            List<Sample> samples = new ArrayList<>();
            long start = System.nanoTime();
            load.reset();
            load.run(options.duration(), () -> {
                MemorySample memory = MemorySample.now(backend);
                ServerMetrics m = server.metrics();
                Sample sample = new Sample((System.nanoTime() - start) / 1e9, m.handshaking(), m.established(), memory);
                samples.add(sample);
                progress.accept(String.format(java.util.Locale.ROOT, "%4.0f s: handshaking %d, established %d, %s",
                        sample.seconds(), sample.handshaking(), sample.established(), sample.memory().summary()));
            }, options.sampleEvery().toNanos());
            awaitHandshakeTimeout(server);
            MemorySample after = MemorySample.settled(backend);
            progress.accept("after the handshake timeout: " + after.summary());
            return new Result(options, load.completed.get(), load.abandoned.get(), load.mutated.get(),
                    load.failures.subList(0, Math.min(5, load.failures.size())), before, samples, after, server.metrics());
        }
    }

    /** Waits the handshake timeout and a bit, until no handshake is left (at most twice the timeout). */
    private void awaitHandshakeTimeout(DtlsServer server) throws InterruptedException {
        long timeout = options.handshakeTimeout().toNanos();
        TimeUnit.NANOSECONDS.sleep(timeout); // what is measured is the state once this time has passed
        long deadline = System.nanoTime() + timeout;
        while (server.metrics().handshaking() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100); // the server's timer wheel ends them on its own schedule
        }
    }

    /** The three kinds of clients, each on its own thread, until told to stop. */
    private static final class Load {
        private final DtlsServer server;
        private final CryptoBackend backend;
        private final DtlsConfig clientConfig;
        private final DtlsConfig rawConfig = DtlsConfig.builder().build();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong abandoned = new AtomicLong();
        final AtomicLong mutated = new AtomicLong();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong nextSource = new AtomicLong();

        Load(DtlsServer server, CryptoBackend backend, DtlsConfig clientConfig) {
            this.server = server;
            this.backend = backend;
            this.clientConfig = clientConfig;
        }

        void reset() {
            completed.set(0);
            abandoned.set(0);
            mutated.set(0);
            failures.clear();
        }

        /** Runs the load for {@code duration}, calling {@code sampler} every {@code sampleNanos} (0: never). */
        void run(Duration duration, Runnable sampler, long sampleNanos) throws InterruptedException, IOException {
            long end = System.nanoTime() + duration.toNanos();
            ExecutorService workers = Executors.newFixedThreadPool(3, r -> {
                Thread t = new Thread(r, "churn-soak-client");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<?>> running = List.of(
                        workers.submit(() -> loop(end, this::completeOne)),
                        workers.submit(() -> loop(end, () -> halfOpen(false))),
                        workers.submit(() -> loop(end, () -> halfOpen(true))));
                long nextSample = sampleNanos > 0 ? System.nanoTime() + sampleNanos : Long.MAX_VALUE;
                while (System.nanoTime() < end) {
                    long wait = Math.min(end, nextSample) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // the load runs on its own threads meanwhile
                    }
                    if (System.nanoTime() >= nextSample && System.nanoTime() < end) {
                        sampler.run();
                        nextSample += sampleNanos;
                    }
                }
                for (Future<?> f : running) {
                    f.get();
                }
            } catch (ExecutionException e) {
                throw new IOException("a soak client broke: " + e.getCause(), e.getCause());
            } finally {
                workers.shutdownNow();
            }
            if (sampleNanos > 0) {
                sampler.run();
            }
        }

        private interface Step {
            void run() throws IOException;
        }

        private static Void loop(long endNanos, Step step) throws IOException {
            while (System.nanoTime() < endNanos) {
                step.run();
            }
            return null;
        }

        private void completeOne() {
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), clientConfig)) {
                c.send(new byte[] {7});
                if (c.receive(Duration.ofSeconds(10)).isPresent()) {
                    completed.incrementAndGet();
                } else {
                    failures.add("no echo within 10 s");
                }
            } catch (IOException | RuntimeException e) {
                failures.add(String.valueOf(e.getMessage()));
            }
        }

        /**
         * A client that returns the cookie with its key share, so the server works and answers, and then
         * vanishes; with {@code mutate}, one bit of its second ClientHello is flipped first.
         */
        private void halfOpen(boolean mutate) throws IOException {
            long n = nextSource.getAndIncrement();
            InetAddress source = InetAddress.getByAddress(new byte[] {127, 88, (byte) (n % SOURCES / 250 + 1),
                    (byte) (n % SOURCES % 250 + 1)});
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
                socket.setSoTimeout(2000);
                long now = System.nanoTime() / 1_000_000;
                ClientConnection c = new ClientConnection(rawConfig, backend, server.localAddress(), PeerAuthenticator.insecure(),
                        null, now);
                try {
                    c.start(now);
                    sendAll(socket, c, null);
                    byte[] buf = new byte[65535];
                    DatagramPacket hrr = new DatagramPacket(buf, buf.length);
                    socket.receive(hrr);
                    c.onDatagram(ByteBuffer.wrap(buf, 0, hrr.getLength()), System.nanoTime() / 1_000_000);
                    sendAll(socket, c, mutate ? new Random(n) : null);
                    (mutate ? mutated : abandoned).incrementAndGet();
                    socket.setSoTimeout(300); // a mutated one may get no answer at all
                    socket.receive(new DatagramPacket(buf, buf.length)); // the server's answer: it did the work
                } catch (SocketTimeoutException e) {
                    // no answer (a mutated cookie, a refused admission): nothing more to do
                } finally {
                    c.close(); // frees the client's key; its close_notify is never sent
                }
            }
        }

        /** Sends what the client has queued; with {@code mutate}, one random bit of one datagram flipped. */
        private void sendAll(DatagramSocket socket, ClientConnection c, Random mutate) throws IOException {
            List<byte[]> out = new ArrayList<>();
            for (ByteBuffer d = c.pollOutgoing(); d != null; d = c.pollOutgoing()) {
                byte[] b = new byte[d.remaining()];
                d.get(b);
                out.add(b);
            }
            if (mutate != null && !out.isEmpty()) {
                byte[] victim = out.get(mutate.nextInt(out.size()));
                int at = 13 + mutate.nextInt(victim.length - 13); // the record's content, not its header
                victim[at] ^= (byte) (1 << mutate.nextInt(8));
            }
            for (byte[] b : out) {
                socket.send(new DatagramPacket(b, b.length, server.localAddress()));
            }
        }
    }
}
