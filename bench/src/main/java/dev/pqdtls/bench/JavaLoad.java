package dev.pqdtls.bench;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SessionInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Java load generator of the handshake benchmark's last row: {@code threads} platform threads in this JVM,
 * each looping one-off {@link DtlsClient#connect} (its own socket and event-loop thread per connection, the
 * handshake with the cookie round trip), optionally one echoed record, and close. Counts what completes
 * inside the window, as wolfssl_clients does. Kinds: full (certificate; the client keeps no tickets, or its
 * later connections would resume), resumed (each thread a configuration, so a session cache, of its own, and
 * always one echo: the server sends its ticket before the echo, so every connection after a thread's first
 * offers the ticket of the one before it) and psk (the benchmark's external PSK, no trust anchors: a server
 * that answers with a certificate fails the handshake).
 */
final class JavaLoad {
    private static final byte[] PING = "pqdtls-hs-bench".getBytes(StandardCharsets.US_ASCII);

    /** Called by the timing thread when the window opens and closes (to read the server's CPU). */
    interface Window {
        void opened() throws IOException;

        void closed() throws IOException;
    }

    record Result(long handshakes, long pskUsed, double seconds, long p50Micros, long p99Micros, long retransmissions, long failures,
            double cpuMs, String backend) {
    }

    /** What one thread saw inside the window. */
    private static final class Tally {
        long handshakes;
        long pskUsed;
        long retransmissions;
        long failures;
        long[] latencies = new long[1024];

        void latency(long nanos) {
            if (handshakes == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[(int) handshakes++] = nanos;
        }
    }

    private JavaLoad() {
    }

    static Result run(int port, Path trustedPem, NamedGroup group, HandshakeKind kind, int threads, boolean echo,
            double warmup, double seconds, Window window) throws Exception {
        DtlsConfig.Builder b = DtlsConfig.builder().groups(group).handshakeTimeout(Duration.ofSeconds(10))
                .sessionTickets(false);
        switch (kind) {
            case FULL -> b.trustedCertificates(trustedPem).serverName("localhost");
            case PSK -> b.preSharedKeys(HandshakeKind.preSharedKey());
            case RESUMED -> b.trustedCertificates(trustedPem).serverName("localhost").sessionTickets(true);
        }
        DtlsConfig shared = b.build();
        boolean resume = kind == HandshakeKind.RESUMED;
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        String backend;
        try (DtlsClient probe = DtlsClient.create(shared)) {
            backend = probe.backend(); // the one the one-off connections pick too
        }
        if (backend.equals("ffm")) {
            backend += ", libcrypto " + dev.pqdtls.ffm.Libcrypto.version();
        }
        long start = System.nanoTime();
        long open = start + (long) (warmup * 1e9);
        long close = open + (long) (seconds * 1e9);
        Tally[] tallies = new Tally[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Tally tally = tallies[t] = new Tally();
            workers.add(Thread.ofPlatform().name("bench-java-client-" + t).daemon().start(() -> {
                try {
                    loop(server, resume ? b.build() : shared, echo || resume, open, close, tally);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        long self = ProcessHandle.current().pid();
        sleepUntil(open);
        window.opened();
        double cpu0 = ProcStats.cpuMillis(self);
        sleepUntil(close);
        double cpu1 = ProcStats.cpuMillis(self);
        window.closed();
        for (Thread w : workers) {
            w.join(Duration.ofSeconds(30));
            if (w.isAlive()) {
                throw new IllegalStateException(w.getName() + " did not finish 30 s after the window");
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a client thread failed: " + failure.get(), failure.get());
        }
        long handshakes = 0;
        long pskUsed = 0;
        long retransmissions = 0;
        long failures = 0;
        long[] all = new long[0];
        for (Tally t : tallies) {
            handshakes += t.handshakes;
            pskUsed += t.pskUsed;
            retransmissions += t.retransmissions;
            failures += t.failures;
            int from = all.length;
            all = Arrays.copyOf(all, from + (int) t.handshakes);
            System.arraycopy(t.latencies, 0, all, from, (int) t.handshakes);
        }
        Arrays.sort(all);
        return new Result(handshakes, pskUsed, seconds, quantileMicros(all, 0.5), quantileMicros(all, 0.99), retransmissions,
                failures, cpu1 - cpu0, backend);
    }

    private static void loop(InetSocketAddress server, DtlsConfig config, boolean echo, long open, long close,
            Tally tally) {
        for (long now = System.nanoTime(); now < close; now = System.nanoTime()) {
            long t0 = System.nanoTime();
            boolean counted = false;
            try (DtlsConnection c = DtlsClient.connect(server, config)) {
                long t1 = System.nanoTime();
                counted = t1 >= open && t1 < close;
                if (echo) {
                    c.send(PING);
                    Optional<byte[]> back = c.receive(Duration.ofSeconds(2));
                    if (back.isEmpty() || !Arrays.equals(back.get(), PING)) {
                        throw new IOException("no echo within 2 s");
                    }
                }
                if (counted) {
                    tally.latency(t1 - t0);
                    if (c.session().authentication() != SessionInfo.Authentication.CERTIFICATE) {
                        tally.pskUsed++;
                    }
                    tally.retransmissions += c.stats().retransmissions();
                }
            } catch (IOException e) {
                long t = System.nanoTime();
                if (t >= open && t < close) {
                    tally.failures++;
                }
            }
        }
    }

    /** Nearest-rank quantile of sorted nanoseconds, in microseconds (0 without samples), as wolfssl_clients computes it. */
    static long quantileMicros(long[] sortedNanos, double q) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sortedNanos.length);
        rank = Math.max(1, Math.min(sortedNanos.length, rank));
        return sortedNanos[rank - 1] / 1000;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }
}
