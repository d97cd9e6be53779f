package dev.pqdtls.bench.stream;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.ConnectionStats;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * One end-to-end DTLS stream over loopback: a server and a client on one backend, the client sending
 * batches of full datagrams ({@code sendBatch}) for a warm-up and then a measured window, the server
 * receiving and counting what arrives inside the window. Java 17 code, so that the bench (JDK 25) can run
 * it in-process for its own rows and in a child JVM for the JDK 17 rows ({@link #main}: one line out,
 * {@link Result#parse} back in).
 */
public final class DtlsStream {
    /** UDP payload per datagram, as every row of the bench. */
    public static final int PAYLOAD = 1200;
    public static final int BATCH = 32;
    static final int SOCKET_BUFFER = 4 << 20;
    private static final Duration POLL = Duration.ofMillis(50);
    private static final String LINE = "pqdtls-stream";

    /** What to measure. */
    public record Settings(String backend, boolean offload, CipherSuite suite, NamedGroup group, double seconds,
            double warmup) {
    }

    /** The outcome; {@code notMeasured} non-null means no figures. */
    public record Result(long sent, long delivered, long windowRecords, long windowBytes, double seconds, String note,
            String notMeasured) {
        static Result notMeasured(String reason) {
            return new Result(0, 0, 0, 0, 0, null, reason);
        }

        /** One line for a parent process to {@link #parse}. */
        public String line() {
            if (notMeasured != null) {
                return LINE + " not-measured " + notMeasured.replace('\n', ' ');
            }
            return String.format(Locale.ROOT, "%s %d %d %d %d %.6f %s", LINE, sent, delivered, windowRecords, windowBytes,
                    seconds, note.replace('\n', ' '));
        }

        /** The result a child printed with {@link #line()}, found among its output lines. */
        public static Optional<Result> parse(List<String> output) {
            for (String l : output) {
                if (l.startsWith(LINE + " not-measured ")) {
                    return Optional.of(notMeasured(l.substring((LINE + " not-measured ").length())));
                }
                if (l.startsWith(LINE + " ")) {
                    String[] f = l.split(" ", 7);
                    return Optional.of(new Result(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                            Long.parseLong(f[4]), Double.parseDouble(f[5]), f.length > 6 ? f[6] : "", null));
                }
            }
            return Optional.empty();
        }
    }

    private DtlsStream() {
    }

    /**
     * Child-process entry: {@code backend offload suite group seconds warmup}; prints one
     * {@link Result#line()} on stdout.
     */
    public static void main(String[] args) {
        Result r;
        try {
            r = run(new Settings(args[0], Boolean.parseBoolean(args[1]), CipherSuite.byName(args[2]),
                    NamedGroup.byName(args[3]), Double.parseDouble(args[4]), Double.parseDouble(args[5])));
        } catch (Exception | Error e) {
            r = Result.notMeasured("failed: " + e);
        }
        System.out.println(r.line());
        System.out.flush();
        System.exit(0); // stray daemon threads of a failed run must not keep the JVM alive
    }

    /** The arguments of {@link #main} for {@code s}. */
    public static List<String> arguments(Settings s) {
        return List.of(s.backend(), Boolean.toString(s.offload()), s.suite().name(), s.group().toString(),
                Double.toString(s.seconds()), Double.toString(s.warmup()));
    }

    /** Runs one stream in this JVM. */
    public static Result run(Settings s) throws Exception {
        Cert cert = Cert.create();
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(List.of(cert.certificate()), cert.key())
                .cipherSuites(s.suite()).groups(s.group()).backend(s.backend()).udpOffload(s.offload())
                .socketReceiveBufferSize(SOCKET_BUFFER).socketSendBufferSize(SOCKET_BUFFER)
                .receiveQueueCapacity(16384).handshakeTimeout(Duration.ofSeconds(20)).build();
        // The client trusts exactly the fresh certificate (as the demo does): a real chain and name check.
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(cert.certificate()))
                .serverName("localhost").cipherSuites(s.suite()).groups(s.group()).backend(s.backend())
                .udpOffload(s.offload()).socketReceiveBufferSize(SOCKET_BUFFER).socketSendBufferSize(SOCKET_BUFFER)
                .handshakeTimeout(Duration.ofSeconds(20)).build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig)) {
            if (!server.backend().equals(s.backend())) {
                return Result.notMeasured("server picked backend " + server.backend());
            }
            CompletableFuture<Optional<DtlsConnection>> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept(Duration.ofSeconds(25));
                } catch (IOException ex) {
                    throw new RuntimeException(ex);
                }
            });
            try (DtlsConnection client = DtlsClient.connect(server.localAddress(), clientConfig);
                    DtlsConnection serverSide = accepted.get(30, TimeUnit.SECONDS)
                            .orElseThrow(() -> new IOException("server accepted nothing within 25 s"))) {
                int size = client.maxDatagramSize();
                List<ByteBuffer> batch = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(size);
                    for (int j = 0; j < size; j++) {
                        b.put(j, (byte) (i + j));
                    }
                    batch.add(b);
                }
                long[] sentByLoop = new long[1];
                Sender sender = stop -> {
                    while (!stop.getAsBoolean()) {
                        for (ByteBuffer b : batch) {
                            b.clear();
                        }
                        client.sendBatch(batch);
                        sentByLoop[0] += BATCH;
                    }
                };
                Receiver receiver = (tally, ws, we, until) -> {
                    while (System.nanoTime() < until) {
                        Optional<byte[]> d = serverSide.receive(POLL);
                        long now = System.nanoTime();
                        if (d.isPresent()) {
                            tally.add(1, d.get().length, now, ws, we);
                        } else if (now > we) {
                            return; // sender done and nothing more within one poll
                        }
                    }
                };
                Tally t = measure(s, sender, receiver);
                ConnectionStats cs = client.stats();
                ConnectionStats ss = serverSide.stats();
                long sent = cs.recordsSent() > 0 ? cs.recordsSent() : sentByLoop[0];
                String note = String.format(Locale.ROOT,
                        "backend %s on Java %s, %s, %s, %d B app data per %d B datagram; receiver dropped %d records, "
                                + "queue-full drops %d; %.2f s measured after %.2f s warm-up",
                        server.backend(), Runtime.version().feature(), serverSide.session().cipherSuite(),
                        serverSide.session().group(), size, PAYLOAD, ss.recordsDropped(), ss.datagramsDropped(),
                        t.windowSeconds(), s.warmup());
                return new Result(sent, t.total, t.windowCount, t.windowBytes, t.windowSeconds(), note, null);
            }
        }
    }

    /** What the receiver saw: totals, plus the datagrams/bytes inside the measurement window. */
    static final class Tally {
        long total;
        long windowCount;
        long windowBytes;
        long firstNanos = -1;
        long lastNanos = -1;

        void add(long datagrams, long bytes, long now, long windowStart, long windowEnd) {
            total += datagrams;
            if (now >= windowStart && now <= windowEnd) {
                if (firstNanos < 0) {
                    firstNanos = now;
                }
                lastNanos = now;
                windowCount += datagrams;
                windowBytes += bytes;
            }
        }

        double windowSeconds() {
            return firstNanos < 0 || lastNanos <= firstNanos ? 0 : (lastNanos - firstNanos) / 1e9;
        }
    }

    interface Sender {
        void run(java.util.function.BooleanSupplier stop) throws Exception;
    }

    interface Receiver {
        /** Receive until {@code until} (nanoTime), or earlier once idle after {@code windowEnd}. */
        void run(Tally tally, long windowStart, long windowEnd, long until) throws Exception;
    }

    /** Runs sender and receiver on two platform threads: warm-up, then {@code seconds} measured, then drain. */
    private static Tally measure(Settings s, Sender sender, Receiver receiver) throws Exception {
        long start = System.nanoTime();
        long windowStart = start + (long) (s.warmup() * 1e9);
        long windowEnd = windowStart + (long) (s.seconds() * 1e9);
        long until = windowEnd + 1_000_000_000L; // drain at most 1 s
        Tally tally = new Tally();
        AtomicBoolean stop = new AtomicBoolean();
        Throwable[] failure = new Throwable[2];
        Thread rt = daemon("e2e-receiver", () -> {
            try {
                receiver.run(tally, windowStart, windowEnd, until);
            } catch (Throwable ex) {
                failure[1] = ex;
            }
        });
        Thread st = daemon("e2e-sender", () -> {
            try {
                sender.run(() -> stop.get() || System.nanoTime() >= windowEnd);
            } catch (Throwable ex) {
                failure[0] = ex;
            }
        });
        long hardDeadlineMs = (long) ((s.warmup() + s.seconds()) * 1000) + 5_000;
        st.join(hardDeadlineMs);
        stop.set(true);
        st.join(2_000);
        rt.join(hardDeadlineMs);
        if (st.isAlive() || rt.isAlive()) {
            throw new IllegalStateException("sender or receiver did not finish by its deadline");
        }
        for (Throwable f : failure) {
            if (f != null) {
                throw new IllegalStateException("worker failed: " + f, f);
            }
        }
        return tally;
    }

    private static Thread daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A throw-away self-signed ECDSA P-256 certificate for localhost, the only one the client trusts. */
    record Cert(X509Certificate certificate, PrivateKey key) {
        static Cert create() throws Exception {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = kpg.generateKeyPair();
            X500Name n = new X500Name("CN=pqdtls bench (localhost)");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(n, new BigInteger(127, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), n, kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new Cert(cert, kp.getPrivate());
        }
    }
}
