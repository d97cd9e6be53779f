package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.ConnectionStats;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.ffm.NativeDatagramEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end throughput over loopback: one connection, a sender thread and a receiver thread, 1200-byte
 * UDP payloads, each row for a fixed time. Rows: pqdtls ffm (GSO/GRO), pqdtls ffm without offload,
 * pqdtls fallback, raw UDP with the same batching and GSO/GRO and no crypto (the C program udp_blast),
 * wolfSSL DTLS 1.3 streaming the same way (the C program wolfssl_stream against ci/build-wolfssl.sh's
 * libwolfssl; see {@link CPrograms}), and {@code openssl speed -evp} for the suite's AEAD at 1200 B (one
 * core, no network) as the crypto ceiling. See bench/README.md.
 *
 * <p>Driven by {@link #run(Progress)} with {@link Options} ({@link BenchEntry}, the CLI's {@code bench}), or
 * by {@link #main} with system properties: {@code -Dseconds=3} (measured time per row),
 * {@code -Dwarmup=} (seconds sent before the window opens, default min(1, seconds/3)),
 * {@code -Dsuite=TLS_AES_128_GCM_SHA256}, {@code -Dgroup=X25519MLKEM768},
 * {@code -Dout=bench/results/end-to-end.md} ({@code -Dout=} to skip the files; the PNG chart goes next to it),
 * {@code -Dwolfssl.dir=~/.cache/pqdtls/wolfssl}, {@code -Drows=1,2,3,4,5,6}.
 */
public final class EndToEnd {
    static final int PAYLOAD = 1200;
    static final int BATCH = 32;
    static final int SOCKET_BUFFER = 4 << 20;
    private static final Duration POLL = Duration.ofMillis(50);

    /** Row numbers, as in the table and in {@link Options#rows()}. */
    public static final int FFM = 1;
    public static final int FFM_NO_OFFLOAD = 2;
    public static final int FALLBACK = 3;
    public static final int RAW_UDP = 4;
    public static final int WOLFSSL = 5;
    public static final int OPENSSL_SPEED = 6;
    static final List<Integer> ALL_ROWS = List.of(FFM, FFM_NO_OFFLOAD, FALLBACK, RAW_UDP, WOLFSSL, OPENSSL_SPEED);

    /**
     * What to run.
     *
     * @param seconds  measured window per row, in (0, 600] seconds
     * @param warmup   sending before the window opens, in [0, 60] seconds (absorbs the handshake's JIT)
     * @param suite    the DTLS rows' and wolfSSL's cipher suite; also the AEAD of the openssl row
     * @param group    the key-exchange group of the DTLS rows and wolfSSL
     * @param rows     row numbers to run, each 1..6 ({@link #ALL_ROWS}), run in ascending order
     * @param markdown the Markdown report to write (the PNG chart goes next to it, same base name); null: none
     * @param wolfsslDir wolfSSL's install prefix from ci/build-wolfssl.sh (include/, lib/, build/certs/)
     */
    public record Options(double seconds, double warmup, CipherSuite suite, NamedGroup group, List<Integer> rows,
            Path markdown, Path wolfsslDir) {
        public Options {
            if (!(seconds > 0 && seconds <= 600)) {
                throw new IllegalArgumentException("seconds must be in (0, 600], got " + seconds);
            }
            if (!(warmup >= 0 && warmup <= 60)) {
                throw new IllegalArgumentException("warm-up must be in [0, 60] seconds, got " + warmup);
            }
            Objects.requireNonNull(suite, "suite");
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(wolfsslDir, "wolfsslDir");
            rows = new TreeSet<>(rows).stream().toList();
            if (rows.isEmpty() || !ALL_ROWS.containsAll(rows)) {
                throw new IllegalArgumentException("rows must be among " + ALL_ROWS + ", got " + rows);
            }
        }

        /** wolfSSL where ci/build-wolfssl.sh leaves it. */
        public static Path defaultWolfsslDir() {
            return Path.of(System.getProperty("user.home"), ".cache", "pqdtls", "wolfssl");
        }

        /** "1,2,4" → [1, 2, 4]. */
        public static List<Integer> parseRows(String list) {
            return BenchArgs.parseRows(list, ALL_ROWS);
        }
    }

    /** Told about each row as it runs ({@code index} counts from 1 up to {@code count}, the rows selected). */
    public interface Progress {
        void started(int index, int count, String row);

        void finished(int index, int count, Row row);

        /** "[2/6] pqdtls ffm, udpOffload(false) … 104.2 MB/s" on {@code err}, one line per row. */
        static Progress lines(PrintWriter err) {
            return new Progress() {
                @Override
                public void started(int index, int count, String row) {
                    err.print("[" + index + "/" + count + "] " + row.replaceFirst("^\\d+\\. ", "") + " … ");
                    err.flush();
                }

                @Override
                public void finished(int index, int count, Row row) {
                    err.println(row.reason() != null ? "not measured: " + row.reason()
                            : String.format(Locale.ROOT, "%.1f MB/s", row.mbPerSecond()));
                    err.flush();
                }
            };
        }
    }

    /** One row of the table; {@code reason} non-null means not measured. */
    public record Row(String name, long sent, long delivered, long windowRecords, long windowBytes, double seconds,
            String note, String reason) {
        static Row notMeasured(String name, String reason) {
            return new Row(name, 0, 0, 0, 0, 0, null, reason);
        }

        /** The row number, the digits before the first '.' of the name (0 if there are none). */
        public int number() {
            Matcher m = Pattern.compile("^(\\d+)\\.").matcher(name);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }

        public boolean measured() {
            return reason == null;
        }

        /** Whether datagrams travelled (false for the openssl speed row: no network, no loss to speak of). */
        public boolean transfers() {
            return sent > 0 || delivered > 0;
        }

        public double mbPerSecond() {
            return seconds > 0 ? windowBytes / seconds / 1e6 : 0;
        }

        public double recordsPerSecond() {
            return seconds > 0 ? windowRecords / seconds : 0;
        }

        public double lossPercent() {
            return sent > 0 ? Math.max(0, 100.0 * (sent - delivered) / sent) : 0;
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

    private final Options options;
    private final double seconds;
    private final double warmup;
    private final CipherSuite suite;
    private final NamedGroup group;

    public EndToEnd(Options options) {
        this.options = options;
        this.seconds = options.seconds();
        this.warmup = options.warmup();
        this.suite = options.suite();
        this.group = options.group();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        double seconds = Double.parseDouble(System.getProperty("seconds", "3"));
        double warmup = Double.parseDouble(System.getProperty("warmup", Double.toString(Math.min(1.0, seconds / 3))));
        String out = System.getProperty("out", "bench/results/end-to-end.md");
        Options options = new Options(seconds, warmup,
                CipherSuite.byName(System.getProperty("suite", "TLS_AES_128_GCM_SHA256")),
                NamedGroup.byName(System.getProperty("group", "X25519MLKEM768")),
                Options.parseRows(System.getProperty("rows", "1,2,3,4,5,6")),
                out.isEmpty() ? null : Path.of(out),
                Path.of(System.getProperty("wolfssl.dir", Options.defaultWolfsslDir().toString())));
        PrintWriter err = new PrintWriter(System.err, true);
        List<Row> rows = new EndToEnd(options).run(Progress.lines(err));
        EndToEndReport report = new EndToEndReport(options, rows, Instant.now(),
                String.format(Locale.ROOT, "`-Dseconds=%s -Dwarmup=%s`", EndToEndReport.number(seconds),
                        EndToEndReport.number(warmup)));
        System.out.print(report.markdown(null));
        if (options.markdown() != null) {
            EndToEndReport.Written w = report.write(options.markdown());
            System.out.println("\nwritten to " + w.markdown().toAbsolutePath()
                    + w.chart().map(p -> " and " + p.toAbsolutePath()).orElse("") + w.chartProblem().map(p -> " (" + p + ")").orElse(""));
        }
        System.exit(0); // stray daemon threads of a failed row must not keep the JVM alive
    }

    /** Runs the selected rows one after the other (never two at once); a failing row is "not measured". */
    public List<Row> run(Progress progress) {
        List<Row> result = new ArrayList<>();
        int count = options.rows().size();
        int index = 0;
        for (int number : options.rows()) {
            String name = name(number);
            progress.started(++index, count, name);
            Row row = guard(name, () -> switch (number) {
                case FFM -> dtls(name, "ffm", true);
                case FFM_NO_OFFLOAD -> dtls(name, "ffm", false);
                case FALLBACK -> dtls(name, "fallback", true);
                case RAW_UDP -> rawUdp(name);
                case WOLFSSL -> wolfSsl(name, options.wolfsslDir());
                case OPENSSL_SPEED -> opensslSpeed(name);
                default -> throw new IllegalArgumentException("no row " + number);
            });
            progress.finished(index, count, row);
            result.add(row);
        }
        return result;
    }

    private String name(int number) {
        return number + ". " + switch (number) {
            case FFM -> "pqdtls ffm (GSO/GRO)";
            case FFM_NO_OFFLOAD -> "pqdtls ffm, udpOffload(false)";
            case FALLBACK -> "pqdtls fallback (JDK socket)";
            case RAW_UDP -> "raw UDP, C udp_blast (GSO/GRO)";
            case WOLFSSL -> "wolfSSL " + CPrograms.wolfSslVersion(options.wolfsslDir()).orElse("5.9") + " DTLS 1.3 (C driver)";
            case OPENSSL_SPEED -> "openssl speed -evp " + OpensslSpeed.cipher(suite) + ", " + PAYLOAD + " B, one core";
            default -> throw new IllegalArgumentException("no row " + number);
        };
    }

    /** A short name for the chart's axis. */
    static String shortName(Row row) {
        return switch (row.number()) {
            case FFM -> "ffm GSO/GRO";
            case FFM_NO_OFFLOAD -> "ffm no offload";
            case FALLBACK -> "fallback";
            case RAW_UDP -> "raw UDP";
            case WOLFSSL -> "wolfSSL";
            case OPENSSL_SPEED -> "openssl speed";
            default -> row.name();
        };
    }

    interface RowTask {
        Row run() throws Exception;
    }

    private static Row guard(String name, RowTask task) {
        try {
            return task.run();
        } catch (Exception | Error ex) {
            String msg = ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "");
            return Row.notMeasured(name, "failed: " + msg.replace('\n', ' ').replace('|', '/'));
        }
    }

    // ---------------------------------------------------------------- pqdtls

    Row dtls(String name, String backend, boolean offload) throws Exception {
        if (backend.equals("ffm") && NativeDatagramEngine.unavailableReason().isPresent()) {
            return Row.notMeasured(name, "native library unusable: " + NativeDatagramEngine.unavailableReason().get());
        }
        BenchCertificate cert = BenchCertificate.create();
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(List.of(cert.certificate()), cert.key())
                .cipherSuites(suite).groups(group).backend(backend).udpOffload(offload)
                .socketReceiveBufferSize(SOCKET_BUFFER).socketSendBufferSize(SOCKET_BUFFER)
                .receiveQueueCapacity(16384).handshakeTimeout(Duration.ofSeconds(20)).build();
        // The client trusts exactly the fresh certificate (as the demo does): a real chain and name check, and
        // no insecure-trust warning in the middle of the progress lines.
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(cert.certificate())).serverName("localhost")
                .cipherSuites(suite).groups(group).backend(backend).udpOffload(offload)
                .socketReceiveBufferSize(SOCKET_BUFFER).socketSendBufferSize(SOCKET_BUFFER)
                .handshakeTimeout(Duration.ofSeconds(20)).build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig)) {
            if (!server.backend().equals(backend)) {
                return Row.notMeasured(name, "server picked backend " + server.backend());
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
                Tally t = measure(sender, receiver);
                ConnectionStats cs = client.stats();
                ConnectionStats ss = serverSide.stats();
                long sent = cs.recordsSent() > 0 ? cs.recordsSent() : sentByLoop[0];
                String note = String.format(Locale.ROOT,
                        "backend %s, %s, %s, %d B app data per %d B datagram; receiver dropped %d records, "
                                + "queue-full drops %d",
                        server.backend(), serverSide.session().cipherSuite(), serverSide.session().group(),
                        size, PAYLOAD, ss.recordsDropped(), ss.datagramsDropped());
                return new Row(name, sent, t.total, t.windowCount, t.windowBytes, t.windowSeconds(), note + windowNote(t), null);
            }
        }
    }

    // ---------------------------------------------------------------- raw UDP

    /** Raw UDP with row 1's batching and GSO/GRO and no crypto: the C program udp_blast (see {@link CPrograms}). */
    Row rawUdp(String name) {
        return row(name, CPrograms.rawUdp(PAYLOAD, BATCH, true, seconds, warmup));
    }

    private Row row(String name, CPrograms.Outcome outcome) {
        return switch (outcome) {
            case CPrograms.Measured m -> new Row(name, m.sent(), m.delivered(), m.windowDatagrams(), m.windowBytes(),
                    m.windowSeconds(), m.note() + String.format(Locale.ROOT, "; %.2f s measured after %.2f s warm-up",
                            m.windowSeconds(), warmup), null);
            case CPrograms.NotMeasured n -> Row.notMeasured(name, n.reason());
        };
    }

    // ---------------------------------------------------------------- common driver

    interface Sender {
        void run(java.util.function.BooleanSupplier stop) throws Exception;
    }

    interface Receiver {
        /** Receive until {@code until} (nanoTime), or earlier once idle after {@code windowEnd}. */
        void run(Tally tally, long windowStart, long windowEnd, long until) throws Exception;
    }

    /** Runs sender and receiver on two platform threads: warm-up, then {@code seconds} measured, then drain. */
    private Tally measure(Sender sender, Receiver receiver) throws Exception {
        long start = System.nanoTime();
        long windowStart = start + (long) (warmup * 1e9);
        long windowEnd = windowStart + (long) (seconds * 1e9);
        long until = windowEnd + 1_000_000_000L; // drain at most 1 s
        Tally tally = new Tally();
        AtomicBoolean stop = new AtomicBoolean();
        Throwable[] failure = new Throwable[2];
        Thread rt = Thread.ofPlatform().name("e2e-receiver").daemon().start(() -> {
            try {
                receiver.run(tally, windowStart, windowEnd, until);
            } catch (Throwable ex) {
                failure[1] = ex;
            }
        });
        Thread st = Thread.ofPlatform().name("e2e-sender").daemon().start(() -> {
            try {
                sender.run(() -> stop.get() || System.nanoTime() >= windowEnd);
            } catch (Throwable ex) {
                failure[0] = ex;
            }
        });
        long hardDeadlineMs = (long) ((warmup + seconds) * 1000) + 5_000;
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

    private String windowNote(Tally t) {
        return String.format(Locale.ROOT, "; %.2f s measured after %.2f s warm-up", t.windowSeconds(), warmup);
    }

    // ---------------------------------------------------------------- wolfSSL

    private static String wolfSuite(CipherSuite s) {
        return switch (s) {
            case TLS_AES_128_GCM_SHA256 -> "TLS13-AES128-GCM-SHA256";
            case TLS_AES_256_GCM_SHA384 -> "TLS13-AES256-GCM-SHA384";
            case TLS_CHACHA20_POLY1305_SHA256 -> "TLS13-CHACHA20-POLY1305-SHA256";
        };
    }

    /** wolfssl_stream's group names (MLKEM768 alone is not in the ci build: that row says so). */
    static String wolfGroup(NamedGroup g) {
        return switch (g) {
            case X25519_MLKEM768 -> "X25519MLKEM768";
            case SECP256R1_MLKEM768 -> "SECP256R1MLKEM768";
            case MLKEM768 -> "MLKEM768";
            case X25519 -> "X25519";
            case SECP256R1 -> "SECP256R1";
        };
    }

    /**
     * wolfSSL DTLS 1.3 streaming one way, as rows 1–3 do: the C program wolfssl_stream against the
     * libwolfssl of ci/build-wolfssl.sh (see {@link CPrograms}), same suite, group and datagram size.
     */
    Row wolfSsl(String name, Path prefix) {
        int appBytes = PAYLOAD - (1 + 2 + 2) - 1 - CipherSuite.TAG_LENGTH; // unified header, type, tag: as ours
        return row(name, CPrograms.wolfSsl(prefix, wolfSuite(suite), wolfGroup(group), appBytes, seconds, warmup));
    }

    // ---------------------------------------------------------------- openssl speed

    /**
     * One core's {@code openssl speed -evp <cipher>} at 1200 B, in this run: the crypto ceiling for the DTLS rows
     * (a bare encrypt loop over one buffer, no per-record nonce/AAD/tag, no network). The openssl on the PATH.
     */
    Row opensslSpeed(String name) throws Exception {
        Optional<String> version = OpensslSpeed.version();
        if (version.isEmpty()) {
            return Row.notMeasured(name, "no working openssl on the PATH");
        }
        List<String> command = OpensslSpeed.command(OpensslSpeed.cipher(suite), PAYLOAD,
                (int) Math.max(1, Math.round(seconds)), false);
        Optional<OpensslSpeed.Result> r = OpensslSpeed.measure(command);
        if (r.isEmpty() || r.get().records() <= 0) {
            return Row.notMeasured(name, "could not run or parse `" + String.join(" ", command) + "`");
        }
        OpensslSpeed.Result speed = r.get();
        String note = String.format(Locale.ROOT, "`%s` (%s, the CLI's own libcrypto): %,d buffers in %.2f s of user "
                        + "CPU time, one process; a bare EVP encrypt loop over one buffer (no per-record nonce, AAD or tag), "
                        + "no network",
                String.join(" ", command), OpensslSpeed.label(version), speed.records(), speed.seconds());
        return new Row(name, 0, 0, speed.records(), speed.records() * speed.bytes(), speed.seconds(), note, null);
    }
}
