package dev.pqdtls.bench.stream;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.ConnectionStats;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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

    /**
     * At most this many records sealed and not yet taken by the receiving application: the sender waits
     * beyond it, as an application with flow control would, instead of sealing records that the
     * receiver's socket buffer would drop (UDP has no backpressure across the wire).
     */
    public static final int WINDOW = 4096;

    /**
     * What to measure.
     *
     * @param batchReceive receive with {@code receive(List<ByteBuffer>, Duration)} into reused buffers
     *     (else one {@code byte[]} per datagram)
     * @param connections  parallel connections, each with its own client, sender and receiver; the
     *     server gets as many event loops
     */
    public record Settings(String backend, boolean offload, CipherSuite suite, NamedGroup group, double seconds,
            double warmup, boolean batchReceive, int connections) {
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
                    NamedGroup.byName(args[3]), Double.parseDouble(args[4]), Double.parseDouble(args[5]),
                    Boolean.parseBoolean(args[6]), Integer.parseInt(args[7])));
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
                Double.toString(s.seconds()), Double.toString(s.warmup()), Boolean.toString(s.batchReceive()),
                Integer.toString(s.connections()));
    }

    /** Runs one stream (or {@code connections} in parallel) in this JVM. */
    public static Result run(Settings s) throws Exception {
        // A throw-away certificate for localhost, the only one the client trusts.
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        int n = s.connections();
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(cert.chain(), cert.privateKey())
                .cipherSuites(s.suite()).groups(s.group()).backend(s.backend()).udpOffload(s.offload())
                .socketReceiveBufferSize(SOCKET_BUFFER).socketSendBufferSize(SOCKET_BUFFER).eventLoops(n)
                .receiveQueueCapacity(16384).handshakeTimeout(Duration.ofSeconds(20)).build();
        // The client trusts exactly the fresh certificate (as the demo does): a real chain and name check.
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(cert.chain())
                .serverName("localhost").cipherSuites(s.suite()).groups(s.group()).backend(s.backend())
                .udpOffload(s.offload()).socketReceiveBufferSize(SOCKET_BUFFER).socketSendBufferSize(SOCKET_BUFFER)
                .handshakeTimeout(Duration.ofSeconds(20)).build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig)) {
            if (!server.backend().equals(s.backend())) {
                return Result.notMeasured("server picked backend " + server.backend());
            }
            List<DtlsConnection> clients = new ArrayList<>();
            List<DtlsConnection> serverSides = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    clients.add(DtlsClient.connect(server.localAddress(), clientConfig));
                    serverSides.add(server.accept(Duration.ofSeconds(25))
                            .orElseThrow(() -> new IOException("server accepted nothing within 25 s")));
                }
                List<Sender> senders = new ArrayList<>();
                List<Receiver> receivers = new ArrayList<>();
                AtomicLong[] taken = new AtomicLong[n];
                long[][] sentByLoop = new long[n][1];
                for (int i = 0; i < n; i++) {
                    taken[i] = new AtomicLong();
                    senders.add(sender(clients.get(i), sentByLoop[i], taken[i]));
                    receivers.add(s.batchReceive() ? batchReceiver(serverSides.get(i), taken[i])
                            : arrayReceiver(serverSides.get(i), taken[i]));
                }
                Tally t = measure(s, senders, receivers);
                long sent = 0;
                long dropped = 0;
                long queueFull = 0;
                for (int i = 0; i < n; i++) {
                    ConnectionStats cs = clients.get(i).stats();
                    ConnectionStats ss = serverSides.get(i).stats();
                    sent += cs.recordsSent() > 0 ? cs.recordsSent() : sentByLoop[i][0];
                    dropped += ss.recordsDropped();
                    queueFull += ss.datagramsDropped();
                }
                DtlsConnection first = serverSides.get(0);
                String note = String.format(Locale.ROOT,
                        "backend %s on Java %s, %s, %s, %d B app data per %d B datagram, %s; %s; sender window %d "
                                + "records; receiver dropped %d records, queue-full drops %d; %.2f s measured after %.2f s warm-up",
                        server.backend(), Runtime.version().feature(), first.session().cipherSuite(),
                        first.session().group(), clients.get(0).maxDatagramSize(), PAYLOAD,
                        n == 1 ? "one connection" : n + " connections on " + n + " server loops",
                        s.batchReceive() ? "batch receive into reused buffers" : "one byte[] per receive",
                        WINDOW, dropped, queueFull, t.windowSeconds(), s.warmup());
                return new Result(sent, t.total, t.windowCount, t.windowBytes, t.windowSeconds(), note, null);
            } finally {
                for (DtlsConnection c : serverSides) {
                    c.close();
                }
                for (DtlsConnection c : clients) {
                    c.close();
                }
            }
        }
    }

    /** Sends batches of full datagrams, keeping at most {@link #WINDOW} records beyond what the receiver took. */
    private static Sender sender(DtlsConnection client, long[] sentByLoop, AtomicLong taken) {
        int size = client.maxDatagramSize();
        List<ByteBuffer> batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(size);
            for (int j = 0; j < size; j++) {
                b.put(j, (byte) (i + j));
            }
            batch.add(b);
        }
        return stop -> {
            while (!stop.getAsBoolean()) {
                if (sentByLoop[0] - taken.get() > WINDOW) {
                    Thread.onSpinWait();
                    Thread.yield();
                    continue;
                }
                for (ByteBuffer b : batch) {
                    b.clear();
                }
                client.sendBatch(batch);
                sentByLoop[0] += BATCH;
            }
        };
    }

    private static Receiver arrayReceiver(DtlsConnection serverSide, AtomicLong taken) {
        return (tally, ws, we, until) -> {
            while (System.nanoTime() < until) {
                Optional<byte[]> d = serverSide.receive(POLL);
                long now = System.nanoTime();
                if (d.isPresent()) {
                    taken.incrementAndGet();
                    tally.add(1, d.get().length, now, ws, we);
                } else if (now > we) {
                    return; // sender done and nothing more within one poll
                }
            }
        };
    }

    private static Receiver batchReceiver(DtlsConnection serverSide, AtomicLong taken) {
        List<ByteBuffer> into = new ArrayList<>();
        for (int i = 0; i < 4 * BATCH; i++) {
            into.add(ByteBuffer.allocateDirect(serverSide.maxDatagramSize()));
        }
        return (tally, ws, we, until) -> {
            while (System.nanoTime() < until) {
                int n = serverSide.receive(into, POLL);
                long now = System.nanoTime();
                if (n > 0) {
                    long bytes = 0;
                    for (int i = 0; i < n; i++) {
                        bytes += into.get(i).remaining();
                    }
                    taken.addAndGet(n);
                    tally.add(n, bytes, now, ws, we);
                } else if (now > we) {
                    return;
                }
            }
        };
    }

    /** What the receiver saw: totals, plus the datagrams/bytes inside the measurement window. */
    static final class Tally {
        long total;
        long windowCount;
        long windowBytes;
        long firstNanos = -1;
        long lastNanos = -1;

        synchronized void add(long datagrams, long bytes, long now, long windowStart, long windowEnd) {
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

    /**
     * Runs each sender and receiver on a platform thread of its own: warm-up, then {@code seconds}
     * measured, then drain. One tally for all (the aggregate).
     */
    private static Tally measure(Settings s, List<Sender> senders, List<Receiver> receivers) throws Exception {
        long start = System.nanoTime();
        long windowStart = start + (long) (s.warmup() * 1e9);
        long windowEnd = windowStart + (long) (s.seconds() * 1e9);
        long until = windowEnd + 1_000_000_000L; // drain at most 1 s
        Tally tally = new Tally();
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> receiving = new ArrayList<>();
        List<Thread> sending = new ArrayList<>();
        for (int i = 0; i < senders.size(); i++) {
            Receiver receiver = receivers.get(i);
            Sender sender = senders.get(i);
            receiving.add(daemon("e2e-receiver-" + i, () -> {
                try {
                    receiver.run(tally, windowStart, windowEnd, until);
                } catch (Throwable ex) {
                    failures.add(ex);
                }
            }));
            sending.add(daemon("e2e-sender-" + i, () -> {
                try {
                    sender.run(() -> stop.get() || System.nanoTime() >= windowEnd);
                } catch (Throwable ex) {
                    failures.add(ex);
                }
            }));
        }
        long hardDeadlineMs = (long) ((s.warmup() + s.seconds()) * 1000) + 5_000;
        for (Thread st : sending) {
            st.join(hardDeadlineMs);
        }
        stop.set(true);
        for (Thread st : sending) {
            st.join(2_000);
        }
        for (Thread rt : receiving) {
            rt.join(hardDeadlineMs);
        }
        for (Thread t : sending) {
            if (t.isAlive()) {
                throw new IllegalStateException("a sender did not finish by its deadline");
            }
        }
        for (Thread t : receiving) {
            if (t.isAlive()) {
                throw new IllegalStateException("a receiver did not finish by its deadline");
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("worker failed: " + failures.get(0), failures.get(0));
        }
        return tally;
    }

    private static Thread daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
