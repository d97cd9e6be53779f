package dev.pqdtls.bench;

import dev.pqdtls.NamedGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Memory per idle connection on a pqdtls server ({@link BenchServer} in a JVM of its own, with Native Memory
 * Tracking): the C {@code wolfssl_clients} in hold mode opens {@link Options#connections()} DTLS connections
 * (one socket each, spread over loopback source addresses) and keeps them idle; the server's live heap (after
 * a full GC), NMT categories, malloc'd bytes and resident set are read before, with all connections held,
 * after a churn phase (connect, a few datagrams, close) and after closing them all. See bench/README.md,
 * "Connections".
 */
public final class ConnectionBench {
    public static final int SHORT_CONNECTIONS = 10_000;
    public static final int FULL_CONNECTIONS = 100_000;
    public static final double SHORT_CHURN = 5;
    public static final double FULL_CHURN = 20;
    /** Warm-up before the baseline: rounds of churn until the server has done some handshakes (a cold JVM is slow). */
    static final double WARMUP = 5;
    static final int WARMUP_HANDSHAKES = 200;
    static final int WARMUP_ROUNDS = 4;
    static final int DEFAULT_CLIENTS = 32;
    private static final Duration FILL_RATE_FLOOR = Duration.ofMillis(100); // a handshake may take this long, at the worst
    /** Slack for the holder's answers beyond the work asked of it. */
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** Connections one holder process keeps: below the open-files hard limit of 20,000. */
    static final long HOLDER_CONNECTIONS = 19_000;

    /** Past the server's handshake-key linger (its 30 s handshake timeout) and idle trim (10 s). */
    static final Duration IDLE = Duration.ofSeconds(45);

    /** How long a snapshot waits for the server's connection count to settle (abandoned handshakes time out later). */
    private static final Duration SNAPSHOT_WAIT = Duration.ofSeconds(10);

    /**
     * What to run.
     *
     * @param connections idle connections to hold, in [1, 2,000,000]
     * @param clients     handshakes in flight while filling and churning, in [1, 4096]
     * @param churnSeconds the churn phase, in (0, 600]
     * @param datagrams   16-byte records each churn connection sends before closing, in [0, 1000]
     * @param group       the key-exchange group the clients offer
     * @param backend     the server's backend (null: the library's choice)
     * @param libcrypto   the server's libcrypto ({@code -Dpqdtls.libcrypto.path}; null: the system's)
     * @param loops       the server's event loops, in [1, 256]
     * @param markdown    the report (a PNG chart next to it)
     * @param wolfsslDir  ci/build-wolfssl.sh's install prefix (the C clients link it)
     */
    public record Options(int connections, int clients, double churnSeconds, int datagrams, NamedGroup group,
            String backend, Path libcrypto, int loops, Path markdown, Path wolfsslDir) {
        public Options {
            if (connections < 1 || connections > 2_000_000) {
                throw new IllegalArgumentException("connections must be in [1, 2000000], got " + connections);
            }
            if (clients < 1 || clients > 4096) {
                throw new IllegalArgumentException("clients must be in [1, 4096], got " + clients);
            }
            if (!(churnSeconds > 0 && churnSeconds <= 600)) {
                throw new IllegalArgumentException("churn seconds must be in (0, 600], got " + churnSeconds);
            }
            if (datagrams < 0 || datagrams > 1000) {
                throw new IllegalArgumentException("datagrams must be in [0, 1000], got " + datagrams);
            }
            if (backend != null && !backend.equals("ffm") && !backend.equals("fallback")) {
                throw new IllegalArgumentException("backend must be ffm or fallback, got " + backend);
            }
            if (loops < 1 || loops > 256) {
                throw new IllegalArgumentException("loops must be in [1, 256], got " + loops);
            }
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(markdown, "markdown");
            Objects.requireNonNull(wolfsslDir, "wolfsslDir");
        }
    }

    /** The holder's account of a fill or churn phase (its {@code filled}/{@code churned} line). */
    record Phase(long handshakes, double seconds, long retransmissions, long failures, long p50Micros, long p99Micros,
            String extra) {
        double handshakesPerSecond() {
            return seconds > 0 ? handshakes / seconds : 0;
        }
    }

    /**
     * A run: the server's {@code listening} words, the snapshots (baseline, held, after churn, after closing),
     * the fill and churn phases, and what the holder lost (held connections the server ended).
     */
    record Result(KeyValues server, List<JvmMemory.Snapshot> snapshots, Phase fill, Phase churn, long lost) {
        JvmMemory.Snapshot baseline() {
            return snapshots.get(0);
        }

        JvmMemory.Snapshot held() {
            return snapshots.get(1);
        }
    }

    /** Told about each step as it runs. */
    interface Progress {
        void step(String what);

        void done(String result);
    }

    private final Options options;

    public ConnectionBench(Options options) {
        this.options = options;
    }

    public Result run(Progress progress) throws Exception {
        Path work = Files.createTempDirectory("pqdtls-bench-connections-");
        try {
            BenchCertificate.PemFiles pem = BenchCertificate.create().writePem(work);
            Path holderExe = CPrograms.wolfSslProgram(options.wolfsslDir(), CPrograms.WOLFSSL_CLIENTS);
            progress.step("server JVM with Native Memory Tracking");
            try (ServerProcess server = startServer(pem, work)) {
                progress.done("listening: backend " + server.listening().text("backend") + ", libcrypto "
                        + server.listening().text("crypto") + ", " + server.listening().text("loops") + " loop(s)");
                // One holder process keeps at most HOLDER_CONNECTIONS sockets: the open-files hard limit
                // (20,000 here) may not be raised (the sandbox drops CAP_SYS_RESOURCE, even for root), so
                // more connections take more holders, each from source addresses of its own (127.0.h.2 on).
                int holderCount = (int) Math.max(1, (options.connections() + HOLDER_CONNECTIONS - 1) / HOLDER_CONNECTIONS);
                List<ChildProcess> holders = new ArrayList<>();
                try {
                    for (int h = 0; h < holderCount; h++) {
                        List<String> cmd = List.of(holderExe.toString(), "--server", "127.0.0.1:" + server.port(), "--mode",
                                "hold", "--group", EndToEnd.wolfGroup(options.group()), "--concurrency",
                                Integer.toString(options.clients()), "--datagrams", Integer.toString(options.datagrams()),
                                "--source", "127.0." + h + ".2");
                        ChildProcess holder = ChildProcess.start("wolfssl_clients", cmd, holderExe.getParent());
                        holders.add(holder);
                        holder.await("ready", Duration.ofSeconds(10));
                    }
                    ChildProcess holder = holders.get(0);
                    progress.step(String.format(Locale.ROOT, "warm-up: churn for %s s, until %d handshakes or %d rounds",
                            EndToEndReport.number(WARMUP), WARMUP_HANDSHAKES, WARMUP_ROUNDS));
                    long warm = 0;
                    for (int round = 0; round < WARMUP_ROUNDS && warm < WARMUP_HANDSHAKES; round++) {
                        warm += churned(holder.ask("churn " + WARMUP, "churned", seconds(WARMUP).plus(SETTLE))).handshakes();
                    }
                    progress.done(String.format(Locale.ROOT, "%,d handshakes", warm));
                    List<JvmMemory.Snapshot> snapshots = new ArrayList<>();
                    snapshots.add(snapshot("baseline", server, 0, progress));

                    progress.step(String.format(Locale.ROOT, "fill: %,d connections, %d in flight%s", options.connections(),
                            options.clients(), holderCount > 1 ? ", " + holderCount + " holder processes one after the other" : ""));
                    long filledCount = 0;
                    long retransmissions = 0;
                    long failures = 0;
                    long p50 = 0;
                    long p99 = 0;
                    double fillSeconds = 0;
                    long sources = 0;
                    long nofile = Long.MAX_VALUE;
                    double holderCpu = 0;
                    for (int h = 0; h < holderCount; h++) {
                        long share = Math.min(HOLDER_CONNECTIONS, options.connections() - filledCount);
                        Duration fillTimeout = FILL_RATE_FLOOR.multipliedBy(share).plus(SETTLE);
                        KeyValues filled = KeyValues.parse(holders.get(h).ask("fill " + share, "filled", fillTimeout),
                                "filled");
                        filledCount += filled.integer("connections");
                        fillSeconds += filled.decimal("seconds");
                        retransmissions += filled.integer("retransmissions");
                        failures += filled.integer("failures");
                        p50 = Math.max(p50, filled.integer("p50_us"));
                        p99 = Math.max(p99, filled.integer("p99_us"));
                        sources += filled.integer("sources");
                        nofile = Math.min(nofile, filled.integer("nofile"));
                        holderCpu += filled.decimal("cpu_ms") / 1000;
                    }
                    Phase fill = new Phase(filledCount, fillSeconds, retransmissions, failures, p50, p99,
                            String.format(Locale.ROOT, "%d holder process(es), %d source address(es), open-files limit "
                                    + "%,d each, holder CPU %.1f s; p50/p99: the worst holder's", holderCount, sources,
                                    nofile, holderCpu));
                    progress.done(String.format(Locale.ROOT, "%,.0f handshakes/s", fill.handshakesPerSecond()));
                    // What an idle connection holds is measured once it is idle: the server keeps its handshake
                    // read keys for the handshake timeout (30 s) and trims its ciphers after 10 s without
                    // traffic (docs/design-notes.md, "A few KiB per idle connection").
                    progress.step("waiting " + IDLE.toSeconds() + " s for the connections to go idle");
                    Thread.sleep(IDLE.toMillis());
                    progress.done("idle");
                    snapshots.add(snapshot("held", server, options.connections(), progress));

                    progress.step(String.format(Locale.ROOT, "churn for %s s (connect, %d datagrams, close)",
                            EndToEndReport.number(options.churnSeconds()), options.datagrams()));
                    Phase churn = churned(holder.ask("churn " + options.churnSeconds(), "churned",
                            seconds(options.churnSeconds()).plus(SETTLE)));
                    progress.done(String.format(Locale.ROOT, "%,d handshakes, %d failures", churn.handshakes(),
                            churn.failures()));
                    snapshots.add(snapshot("after churn", server, options.connections(), progress));

                    progress.step("close every held connection");
                    long closedCount = 0;
                    long lost = 0;
                    for (ChildProcess h : holders) {
                        KeyValues closed = KeyValues.parse(h.ask("close", "closed", SETTLE), "closed");
                        closedCount += closed.integer("connections");
                        lost += closed.integer("lost");
                    }
                    progress.done(String.format(Locale.ROOT, "%,d closed", closedCount));
                    snapshots.add(snapshot("after closing", server, 0, progress));
                    return new Result(server.listening(), snapshots, fill, churn, lost);
                } finally {
                    for (ChildProcess h : holders) {
                        h.close();
                    }
                }
            }
        } finally {
            HandshakeBench.deleteTree(work);
        }
    }

    private ServerProcess startServer(BenchCertificate.PemFiles pem, Path work) throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-XX:NativeMemoryTracking=summary"));
        if (options.libcrypto() != null) {
            jvm.add("-Dpqdtls.libcrypto.path=" + options.libcrypto());
        }
        List<String> args = new ArrayList<>(List.of("--loops", Integer.toString(options.loops()),
                "--cert", pem.certificate().toString(), "--key", pem.key().toString(),
                // room for the held ones and the churn's, and idle far longer than the run
                "--max-connections", Integer.toString(options.connections() + 4 * options.clients() + 1000),
                "--idle-seconds", "86400"));
        if (options.backend() != null) {
            args.addAll(List.of("--backend", options.backend()));
        }
        return ServerProcess.pqdtls("pqdtls-server", jvm, args, work);
    }

    /**
     * Waits until the server counts {@code expected} connections (close_notify and handshakes in flight take a
     * moment), then takes the snapshot; a server that does not get there within 10 s (handshakes a client gave
     * up, which the server drops at its handshake timeout) is measured as it is: the table shows its count.
     */
    private JvmMemory.Snapshot snapshot(String label, ServerProcess server, long expected, Progress progress)
            throws IOException, InterruptedException {
        progress.step("snapshot '" + label + "' (jcmd GC.class_histogram, VM.native_memory summary)");
        long deadline = System.nanoTime() + SNAPSHOT_WAIT.toNanos();
        while (server.stats().connections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling the server's count: there is nothing to wait on across processes
        }
        JvmMemory.Snapshot s = JvmMemory.take(label, server);
        progress.done(String.format(Locale.ROOT, "%,d connections, live heap %.1f MB, NMT %.1f MB (excluding the heap), "
                + "malloc %.1f MB, RSS %.1f MB", s.connections(), s.heap().bytes() / 1e6, s.nmt().excludingHeap() / 1e6,
                s.malloc() / 1e6, s.rss() / 1e6));
        return s;
    }

    private static Phase churned(String line) {
        KeyValues c = KeyValues.parse(line, "churned");
        return new Phase(c.integer("handshakes"), c.decimal("seconds"), c.integer("retransmissions"),
                c.integer("failures"), 0, 0, "");
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    // ---------------------------------------------------------------- entry point

    private static final Set<String> FLAGS = Set.of("--full");
    private static final Set<String> OPTIONS = Set.of("--connections", "--clients", "--seconds", "--datagrams",
            "--group", "--backend", "--libcrypto", "--loops", "--out", "--wolfssl-dir");

    /**
     * {@code pqdtls bench connections}: progress on {@code err}, the tables on {@code out}, the report written to
     * {@code --out} (default bench/results). Returns 0 when measured and written, 1 otherwise, 2 for bad arguments.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        BenchArgs.Parsed<Options> parsed = BenchArgs.parse(args, FLAGS, OPTIONS, ConnectionBench::parse, "connections", err);
        if (parsed == null) {
            return BenchEntry.EXIT_USAGE;
        }
        Options options = parsed.options();
        err.println(String.format(Locale.ROOT, "pqdtls bench connections: %,d idle connections (%s), %d handshakes in "
                        + "flight, churn %s s; the server in its own JVM", options.connections(),
                options.group().displayName(), options.clients(), EndToEndReport.number(options.churnSeconds())));
        err.flush();
        long started = System.nanoTime();
        Result result;
        try {
            result = new ConnectionBench(options).run(new Progress() {
                @Override
                public void step(String what) {
                    err.print(what + " … ");
                    err.flush();
                }

                @Override
                public void done(String r) {
                    err.println(r);
                    err.flush();
                }
            });
        } catch (Exception e) {
            err.println();
            err.println("pqdtls: bench connections failed: " + (e instanceof CPrograms.Unavailable ? "" : e.getClass()
                    .getSimpleName() + ": ") + e.getMessage());
            err.flush();
            return BenchEntry.EXIT_FAILURE;
        }
        err.println(String.format(Locale.ROOT, "done in %d s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
        err.flush();
        ConnectionReport report = new ConnectionReport(options, result, Instant.now(),
                "`" + parsed.args().invocation("connections") + "`");
        return BenchReports.print(report, true, out, err);
    }

    static Options parse(BenchArgs a) {
        boolean full = a.flag("--full");
        String libcrypto = a.text("--libcrypto", null);
        return new Options(a.integer("--connections", full ? FULL_CONNECTIONS : SHORT_CONNECTIONS),
                a.integer("--clients", DEFAULT_CLIENTS), a.number("--seconds", full ? FULL_CHURN : SHORT_CHURN),
                a.integer("--datagrams", 3), a.groups("--group", List.of(NamedGroup.X25519_MLKEM768)).get(0),
                a.text("--backend", null), libcrypto == null ? null : Path.of(libcrypto),
                a.integer("--loops", Runtime.getRuntime().availableProcessors()),
                Path.of(a.text("--out", BenchEntry.defaultOut().toString())).resolve("connections.md"),
                Path.of(a.text("--wolfssl-dir", EndToEnd.Options.defaultWolfsslDir().toString())));
    }
}
