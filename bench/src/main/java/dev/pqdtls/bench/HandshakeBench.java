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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Handshakes per second against a server in a process of its own (CPU time read from
 * {@code /proc/PID/stat} around the measured window), one server after the other: pqdtls ffm on the system
 * libcrypto and on OpenSSL 3.5, pqdtls fallback, each with one event loop and with {@link Options#loops()};
 * wolfSSL (the C {@code wolfssl_server}, one thread and as many threads). The load generator is the C
 * {@code wolfssl_clients}: {@link Options#clients()} handshakes in flight, each on a new socket (cookie round
 * trip, optionally one echo, close_notify); the last row drives a pqdtls server with pqdtls' own Java client
 * instead ({@link JavaLoad}). Each row measures each {@link HandshakeKind} of {@link Options#kinds()}: full
 * (certificate), resumed (ticket) and psk (external PSK) handshakes, on the same server process. See
 * bench/README.md, "Handshakes".
 */
public final class HandshakeBench {
    public static final int FFM_ONE = 1;
    public static final int FFM_MANY = 2;
    public static final int FFM35_ONE = 3;
    public static final int FFM35_MANY = 4;
    public static final int FALLBACK_ONE = 5;
    public static final int FALLBACK_MANY = 6;
    public static final int WOLFSSL_ONE = 7;
    public static final int WOLFSSL_MANY = 8;
    public static final int JAVA_CLIENT = 9;
    static final List<Integer> ALL_ROWS = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9);

    public static final double SHORT_SECONDS = 2.5;
    public static final double SHORT_WARMUP = 2;
    public static final double FULL_SECONDS = 10;
    public static final double FULL_WARMUP = 3;
    static final int DEFAULT_CLIENTS = 16;
    /** Short mode measures the hybrid group only; {@code --full} both. */
    static final List<NamedGroup> SHORT_GROUPS = List.of(NamedGroup.X25519_MLKEM768);
    static final List<NamedGroup> FULL_GROUPS = List.of(NamedGroup.X25519_MLKEM768, NamedGroup.X25519);
    private static final Duration WINDOW_SLACK = Duration.ofSeconds(20);

    /**
     * What to run.
     *
     * @param seconds   measured window per row and group, in (0, 600]
     * @param warmup    handshakes before the window opens, in [0, 60] (the server JVM's JIT)
     * @param groups    key-exchange groups, each measured on every server (the client offers only that one)
     * @param kinds     handshake kinds, each measured on every server and group
     * @param rows      row numbers ({@link #ALL_ROWS})
     * @param clients   handshakes in flight (C generator) or client threads (Java generator), in [1, 4096]
     * @param loops     the "many" rows' event loops / wolfSSL threads, in [1, 256] (default: available processors)
     * @param echo      one 16-byte record echoed after each handshake
     * @param markdown  the report to write (a PNG chart next to it); null: none
     * @param wolfsslDir ci/build-wolfssl.sh's install prefix (the C server and load generator link it)
     * @param openssl35 the OpenSSL 3.5 libcrypto of rows 3, 4 (and 9), {@code -Dpqdtls.libcrypto.path}
     * @param profile   record each pqdtls server with JFR (files next to the report, top frames in it)
     */
    public record Options(double seconds, double warmup, List<NamedGroup> groups, List<HandshakeKind> kinds,
            List<Integer> rows, int clients,
            int loops, boolean echo, Path markdown, Path wolfsslDir, Path openssl35, boolean profile) {
        public Options {
            if (!(seconds > 0 && seconds <= 600)) {
                throw new IllegalArgumentException("seconds must be in (0, 600], got " + seconds);
            }
            if (!(warmup >= 0 && warmup <= 60)) {
                throw new IllegalArgumentException("warm-up must be in [0, 60] seconds, got " + warmup);
            }
            groups = List.copyOf(new java.util.LinkedHashSet<>(groups));
            if (groups.isEmpty()) {
                throw new IllegalArgumentException("give at least one group");
            }
            kinds = List.copyOf(new java.util.TreeSet<>(kinds)); // full, resumed, psk: the full rows warm the JIT
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("give at least one kind (full, resumed, psk)");
            }
            rows = List.copyOf(new TreeSet<>(rows));
            if (rows.isEmpty() || !ALL_ROWS.containsAll(rows)) {
                throw new IllegalArgumentException("rows must be among " + ALL_ROWS + ", got " + rows);
            }
            if (clients < 1 || clients > 4096) {
                throw new IllegalArgumentException("clients must be in [1, 4096], got " + clients);
            }
            if (loops < 1 || loops > 256) {
                throw new IllegalArgumentException("loops must be in [1, 256], got " + loops);
            }
            Objects.requireNonNull(wolfsslDir, "wolfsslDir");
            Objects.requireNonNull(openssl35, "openssl35");
        }

        /** Where ci/build-openssl35.sh leaves OpenSSL 3.5's libcrypto. */
        public static Path defaultOpenssl35() {
            String cache = System.getenv("PQDTLS_CACHE");
            Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                    : Path.of(System.getProperty("user.home"), ".cache", "pqdtls");
            return base.resolve("openssl-3.5/lib/libcrypto.so.3");
        }
    }

    /**
     * One measured (or not measured) row × group × kind. Handshakes, latencies, retransmissions and failures are
     * the load generator's inside the window; {@code pskUsed} of the handshakes took the ticket or PSK the client
     * offered (resumed, psk; 0 for full); {@code priming} full handshakes only fetched a ticket for the resumed
     * ones (not in {@code handshakes}, their server CPU is in the server's figures). Server figures are deltas
     * over the same window: {@code serverCpuMs} of the whole process, {@code servingCpuMs} of the threads that
     * serve clients. {@code serverRetransmissions} is -1 where the server cannot tell; {@code reason} non-null
     * means not measured.
     */
    public record Row(int number, String name, NamedGroup group, HandshakeKind kind, long handshakes, long pskUsed,
            long priming, double seconds, double serverCpuMs, double servingCpuMs, long p50Micros, long p99Micros,
            long clientRetransmissions, long serverRetransmissions, long failures, double clientCpuMs,
            long serverAccepted, String note, String reason) {
        static Row notMeasured(int number, String name, NamedGroup group, HandshakeKind kind, String reason) {
            return new Row(number, name, group, kind, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, null, reason);
        }

        public boolean measured() {
            return reason == null;
        }

        public double handshakesPerSecond() {
            return seconds > 0 ? handshakes / seconds : 0;
        }

        /** Server CPU time (all its threads: JIT and GC included) per completed handshake, in ms; NaN without handshakes. */
        public double serverCpuMsPerHandshake() {
            return handshakes > 0 ? serverCpuMs / handshakes : Double.NaN;
        }

        /** CPU time of the threads that serve (event loops; wolfSSL's workers) per completed handshake, in ms. */
        public double servingCpuMsPerHandshake() {
            return handshakes > 0 ? servingCpuMs / handshakes : Double.NaN;
        }

        /** Share of the whole machine ({@code cores} CPUs) the server used in the window, in percent. */
        public double serverCpuPercent(int cores) {
            return seconds > 0 ? 100 * serverCpuMs / (seconds * 1000 * cores) : 0;
        }

        /** Share of the whole machine the load generator used in the window, in percent. */
        public double clientCpuPercent(int cores) {
            return seconds > 0 ? 100 * clientCpuMs / (seconds * 1000 * cores) : 0;
        }
    }

    /** Told about each row × group × kind as it runs ({@code index} counts from 1 up to {@code count}). */
    public interface Progress {
        void started(int index, int count, String what);

        void finished(int index, int count, Row row);

        /** "[3/18] pqdtls ffm, OpenSSL 3.5, 1 loop, X25519MLKEM768 … 412 handshakes/s, 0.93 ms server CPU each". */
        static Progress lines(PrintWriter err) {
            return new Progress() {
                @Override
                public void started(int index, int count, String what) {
                    err.print("[" + index + "/" + count + "] " + what + " … ");
                    err.flush();
                }

                @Override
                public void finished(int index, int count, Row row) {
                    err.println(row.reason() != null ? "not measured: " + row.reason()
                            : String.format(Locale.ROOT, "%.0f handshakes/s, %.2f ms server CPU each (%.2f ms in "
                                    + "its serving threads), %d failures%s", row.handshakesPerSecond(),
                                    row.serverCpuMsPerHandshake(), row.servingCpuMsPerHandshake(), row.failures(),
                                    row.kind() == HandshakeKind.FULL ? "" : ", " + row.pskUsed() + " of "
                                            + row.handshakes() + " took the " + (row.kind() == HandshakeKind.PSK
                                                    ? "PSK" : "ticket")));
                    err.flush();
                }
            };
        }
    }

    /** A row's server: what it runs and with how many loops (threads). */
    record Server(int number, String name, String backend, boolean openssl35, int loops) {
        boolean wolfSsl() {
            return backend.equals("wolfssl");
        }
    }

    private final Options options;
    /** Recordings made with {@link Options#profile()}, with the windows measured on each. */
    private final List<JfrSummary.Recording> recordings = new ArrayList<>();

    public HandshakeBench(Options options) {
        this.options = options;
    }

    List<JfrSummary.Recording> recordings() {
        return recordings;
    }

    Server server(int number) {
        int n = options.loops();
        String many = n + (n == 1 ? " loop" : " loops");
        return switch (number) {
            case FFM_ONE -> new Server(number, "pqdtls ffm, system libcrypto, 1 loop", "ffm", false, 1);
            case FFM_MANY -> new Server(number, "pqdtls ffm, system libcrypto, " + many, "ffm", false, n);
            case FFM35_ONE -> new Server(number, "pqdtls ffm, OpenSSL 3.5, 1 loop", "ffm", true, 1);
            case FFM35_MANY -> new Server(number, "pqdtls ffm, OpenSSL 3.5, " + many, "ffm", true, n);
            case FALLBACK_ONE -> new Server(number, "pqdtls fallback, 1 loop", "fallback", false, 1);
            case FALLBACK_MANY -> new Server(number, "pqdtls fallback, " + many, "fallback", false, n);
            case WOLFSSL_ONE -> new Server(number, "wolfSSL " + wolfVersion() + ", 1 thread", "wolfssl", false, 1);
            case WOLFSSL_MANY -> new Server(number, "wolfSSL " + wolfVersion() + ", " + n + (n == 1 ? " thread" : " threads"),
                    "wolfssl", false, n);
            case JAVA_CLIENT -> new Server(number, "pqdtls ffm, " + (Files.isReadable(options.openssl35())
                    ? "OpenSSL 3.5" : "system libcrypto") + ", " + many + " ← pqdtls Java client",
                    "ffm", Files.isReadable(options.openssl35()), n);
            default -> throw new IllegalArgumentException("no row " + number);
        };
    }

    private String wolfVersion() {
        return CPrograms.wolfSslVersion(options.wolfsslDir()).orElse("5.9");
    }

    /** The groups in measuring order: the classic ones first, so the hybrid ones find a warmer JIT. */
    List<NamedGroup> measuringOrder() {
        List<NamedGroup> order = new ArrayList<>(options.groups());
        order.sort((a, b) -> Boolean.compare(a.isHybrid(), b.isHybrid()));
        return order;
    }

    /** Runs the selected rows one after the other, each group and kind on the same server process; failures become "not measured". */
    public List<Row> run(Progress progress) throws IOException {
        List<Row> result = new ArrayList<>();
        List<NamedGroup> groups = measuringOrder();
        int count = options.rows().size() * groups.size() * options.kinds().size();
        int index = 0;
        Path work = Files.createTempDirectory("pqdtls-bench-handshakes-");
        try {
            BenchCertificate.PemFiles pem = BenchCertificate.create().writePem(work);
            for (int number : options.rows()) {
                Server server = server(number);
                String unavailable = unavailable(server);
                ServerProcess process = null;
                if (unavailable == null) {
                    try {
                        process = start(server, pem, work);
                    } catch (IOException | CPrograms.Unavailable e) {
                        unavailable = "server did not start: " + e.getMessage();
                    }
                }
                List<Instant[]> windows = new ArrayList<>();
                try {
                    boolean first = true;
                    for (NamedGroup g : groups) {
                        for (HandshakeKind kind : options.kinds()) {
                            progress.started(++index, count, server.name() + ", " + g.displayName() + ", " + kind.label());
                            // a fresh server JVM gets twice the warm-up first; row 9 three times (this JVM's client
                            // code is cold too)
                            double warmup = options.warmup() * (!first ? 1 : number == JAVA_CLIENT ? 3 : 2);
                            first = false;
                            Row row = unavailable != null ? Row.notMeasured(number, server.name(), g, kind, unavailable)
                                    : measure(server, process, g, kind, pem, windows, warmup);
                            progress.finished(index, count, row);
                            result.add(row);
                        }
                    }
                } finally {
                    if (process != null) {
                        process.close();
                    }
                }
                if (options.profile() && !server.wolfSsl() && process != null) {
                    recordings.add(new JfrSummary.Recording(server.name(), jfrFile(server), windows));
                }
            }
        } catch (Exception e) {
            throw e instanceof IOException io ? io : new IOException(e);
        } finally {
            deleteTree(work);
        }
        return result;
    }

    /** Why a row cannot run on this machine, or null. */
    private String unavailable(Server server) {
        if (server.openssl35() && !Files.isReadable(options.openssl35())) {
            return "no OpenSSL 3.5 at " + options.openssl35() + " (ci/build-openssl35.sh; --openssl35 PATH)";
        }
        return null;
    }

    private ServerProcess start(Server server, BenchCertificate.PemFiles pem, Path work)
            throws IOException, CPrograms.Unavailable {
        if (server.wolfSsl()) {
            return ServerProcess.wolfSsl(CPrograms.wolfSslProgram(options.wolfsslDir(), CPrograms.WOLFSSL_SERVER),
                    server.loops(), pem, HandshakeKind.pskArgument());
        }
        List<String> jvm = new ArrayList<>();
        if (server.openssl35()) {
            jvm.add("-Dpqdtls.libcrypto.path=" + options.openssl35());
        }
        if (options.profile()) {
            Files.createDirectories(jfrFile(server).getParent());
            jvm.add("-XX:StartFlightRecording=filename=" + jfrFile(server) + ",settings=profile,dumponexit=true");
        }
        List<String> args = new ArrayList<>(List.of("--backend", server.backend(), "--loops",
                Integer.toString(server.loops()), "--cert", pem.certificate().toString(), "--key", pem.key().toString()));
        args.add("--echo"); // the echo probe's established connection; load clients echo only with --echo
        args.addAll(List.of("--psk", HandshakeKind.pskArgument())); // tickets are on by default
        ServerProcess p = ServerProcess.pqdtls("pqdtls-server-" + server.number(), jvm, args, work);
        String backend = p.listening().text("backend");
        String crypto = p.listening().text("crypto");
        if (!backend.equals(server.backend()) || (server.openssl35() && !crypto.startsWith("3.5"))) {
            p.close();
            throw new IOException("asked for " + server.backend() + (server.openssl35() ? " on OpenSSL 3.5" : "")
                    + ", the server runs " + backend + " with libcrypto " + crypto);
        }
        return p;
    }

    Path jfrFile(Server server) {
        Path dir = options.markdown() != null ? options.markdown().toAbsolutePath().getParent()
                : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("handshakes-" + server.number() + ".jfr");
    }

    private Row measure(Server server, ServerProcess process, NamedGroup group, HandshakeKind kind,
            BenchCertificate.PemFiles pem, List<Instant[]> windows, double warmup) {
        try {
            return server.number() == JAVA_CLIENT ? javaClient(server, process, group, kind, pem, windows, warmup)
                    : cClient(server, process, group, kind, pem, windows, warmup);
        } catch (CPrograms.Unavailable e) {
            return Row.notMeasured(server.number(), server.name(), group, kind, e.getMessage());
        } catch (Exception | Error e) {
            String msg = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
            return Row.notMeasured(server.number(), server.name(), group, kind,
                    "failed: " + msg.replace('\n', ' ').replace('|', '/'));
        }
    }

    /** Server CPU and counters at one edge of the window. */
    private record Edge(double serverCpuMs, double servingCpuMs, ServerProcess.Stats stats, Instant when) {
        static Edge of(ServerProcess p) throws IOException {
            double cpu = p.cpuMillis(); // first: the stats round trip costs the server a little
            double serving = p.servingCpuMillis();
            return new Edge(cpu, serving, p.stats(), Instant.now());
        }
    }

    private Row cClient(Server server, ServerProcess process, NamedGroup group, HandshakeKind kind,
            BenchCertificate.PemFiles pem, List<Instant[]> windows, double warmup) throws Exception {
        Path exe = CPrograms.wolfSslProgram(options.wolfsslDir(), CPrograms.WOLFSSL_CLIENTS);
        List<String> cmd = List.of(exe.toString(), "--server", "127.0.0.1:" + process.port(), "--mode", "handshakes",
                "--group", EndToEnd.wolfGroup(group), "--kind", kind.label(), "--psk", HandshakeKind.pskArgument(),
                "--concurrency", Integer.toString(options.clients()),
                "--echo", options.echo() ? "1" : "0", "--seconds", Double.toString(options.seconds()),
                "--warmup", Double.toString(warmup));
        EchoProbe probe = server.wolfSsl() ? null : EchoProbe.start(process.port(), pem.certificate());
        try (ChildProcess client = ChildProcess.start("wolfssl_clients", cmd, exe.getParent())) {
            client.await("window open", Duration.ofMillis((long) (warmup * 1000)).plus(WINDOW_SLACK));
            Edge open = Edge.of(process);
            if (probe != null) {
                probe.windowOpened();
            }
            client.await("window close", Duration.ofMillis((long) (options.seconds() * 1000)).plus(WINDOW_SLACK));
            Edge close = Edge.of(process);
            String echo = probe == null ? "" : "; " + probe.windowClosed();
            windows.add(new Instant[] {open.when(), close.when()});
            KeyValues r = KeyValues.parse(client.await("result", WINDOW_SLACK), "result");
            String note = String.format(Locale.ROOT, "wolfssl_clients (C, one thread): %d handshakes in flight, %s%s; "
                    + "server %s%s", options.clients(), kindNote(kind, r.integer("priming")),
                    options.echo() ? "one echo each" : "no echo", serverNote(process, server), echo);
            return row(server, group, kind, r.integer("handshakes"), r.integer("psk_used"), r.integer("priming"),
                    r.decimal("window_seconds"), open, close, r.integer("p50_us"), r.integer("p99_us"),
                    r.integer("retransmissions"), r.integer("failures"), r.decimal("cpu_ms"), note);
        } finally {
            if (probe != null) {
                probe.close();
            }
        }
    }

    private Row javaClient(Server server, ServerProcess process, NamedGroup group, HandshakeKind kind,
            BenchCertificate.PemFiles pem, List<Instant[]> windows, double warmup) throws Exception {
        Edge[] edges = new Edge[2];
        JavaLoad.Result r = JavaLoad.run(process.port(), pem.certificate(), group, kind, options.clients(), options.echo(),
                warmup, options.seconds(), new JavaLoad.Window() {
                    @Override
                    public void opened() throws IOException {
                        edges[0] = Edge.of(process);
                    }

                    @Override
                    public void closed() throws IOException {
                        edges[1] = Edge.of(process);
                    }
                });
        windows.add(new Instant[] {edges[0].when(), edges[1].when()});
        String note = String.format(Locale.ROOT, "pqdtls Java client (backend %s, this JVM): %d threads, each looping "
                + "DtlsClient.connect (own socket and event-loop thread per connection), %s%s, close; server %s",
                r.backend(), options.clients(), kindNote(kind, 0), options.echo() ? "one echo" : "no echo",
                serverNote(process, server));
        return row(server, group, kind, r.handshakes(), r.pskUsed(), 0, r.seconds(), edges[0], edges[1], r.p50Micros(),
                r.p99Micros(), r.retransmissions(), r.failures(), r.cpuMs(), note);
    }

    private Row row(Server server, NamedGroup group, HandshakeKind kind, long handshakes, long pskUsed, long priming,
            double seconds, Edge open, Edge close, long p50, long p99, long clientRetransmissions, long failures,
            double clientCpuMs, String note) {
        long serverRetransmissions = close.stats().retransmissions() - open.stats().retransmissions();
        long serverPskUsed = close.stats().pskUsed() - open.stats().pskUsed();
        return new Row(server.number(), server.name(), group, kind, handshakes, pskUsed, priming, seconds,
                close.serverCpuMs() - open.serverCpuMs(), close.servingCpuMs() - open.servingCpuMs(), p50, p99,
                clientRetransmissions, serverRetransmissions, failures, clientCpuMs,
                close.stats().accepted() - open.stats().accepted(),
                note + "; the server counted " + serverPskUsed + " ticket/PSK handshakes in the window", null);
    }

    /** "resumed (each with the ticket of its slot's previous handshake; 12 priming full handshakes not counted), ". */
    private static String kindNote(HandshakeKind kind, long priming) {
        return switch (kind) {
            case FULL -> "full handshakes (no ticket offered), ";
            case RESUMED -> "resumed (psk_dhe_ke, each with the ticket of its slot's previous handshake; " + priming
                    + " priming full handshakes fetched tickets, not counted), ";
            case PSK -> "external PSK " + HandshakeKind.PSK_IDENTITY + " (psk_dhe_ke; the client takes no certificate), ";
        };
    }

    private static String serverNote(ServerProcess p, Server server) {
        KeyValues l = p.listening();
        if (server.wolfSsl()) {
            return "wolfssl_server (C) " + l.text("version") + ", " + l.text("threads") + " thread(s), one "
                    + "SO_REUSEPORT socket each, stateless cookie, retransmissions counted on its timers";
        }
        return "BenchServer JVM, backend " + l.text("backend") + (server.backend().equals("ffm") ? ", libcrypto "
                + l.text("crypto") : "") + ", " + l.text("loops") + " event loop(s); its retransmissions are those of "
                + "the accepted connections (ConnectionStats)";
    }

    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a left-over temp directory is harmless
        }
    }

    // ---------------------------------------------------------------- entry point

    private static final Set<String> FLAGS = Set.of("--full", "--echo", "--profile");
    private static final Set<String> OPTIONS = Set.of("--seconds", "--warmup", "--group", "--kinds", "--rows", "--clients",
            "--loops", "--out", "--wolfssl-dir", "--openssl35");

    /**
     * {@code pqdtls bench handshakes}: progress on {@code err}, the table and the goals on {@code out}, the report
     * written to {@code --out} (default bench/results). Returns 0 when a row was measured and the report
     * written, 1 otherwise, 2 for bad arguments.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        BenchArgs.Parsed<Options> parsed = BenchArgs.parse(args, FLAGS, OPTIONS, HandshakeBench::parse, "handshakes", err);
        if (parsed == null) {
            return BenchEntry.EXIT_USAGE;
        }
        Options options = parsed.options();
        HandshakeBench bench = new HandshakeBench(options);
        err.println(String.format(Locale.ROOT, "pqdtls bench handshakes: %d server(s) × %d group(s) × %d kind(s) × (%s s "
                        + "warm-up + %s s measured), %d clients in flight; each server in its own process; figures are "
                        + "noisy on a shared machine", options.rows().size(), options.groups().size(), options.kinds().size(),
                EndToEndReport.number(options.warmup()), EndToEndReport.number(options.seconds()), options.clients()));
        err.flush();
        long started = System.nanoTime();
        List<Row> rows;
        try {
            rows = bench.run(Progress.lines(err));
        } catch (IOException e) {
            err.println("pqdtls: " + e.getMessage());
            err.flush();
            return BenchEntry.EXIT_FAILURE;
        }
        err.println(String.format(Locale.ROOT, "done in %d s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
        err.flush();
        HandshakeReport report = new HandshakeReport(options, rows, Instant.now(), "`" + parsed.args().invocation("handshakes") + "`",
                JfrSummary.summarise(bench.recordings()), Runtime.getRuntime().availableProcessors());
        return BenchReports.print(report, rows.stream().anyMatch(Row::measured), out, err);
    }

    static Options parse(BenchArgs a) {
        boolean full = a.flag("--full");
        List<Integer> rows = a.rows("--rows", ALL_ROWS);
        Path out = Path.of(a.text("--out", BenchEntry.defaultOut().toString()));
        return new Options(a.number("--seconds", full ? FULL_SECONDS : SHORT_SECONDS),
                a.number("--warmup", full ? FULL_WARMUP : SHORT_WARMUP), a.groups("--group", full ? FULL_GROUPS : SHORT_GROUPS),
                a.list("--kinds", HandshakeKind::byLabel, HandshakeKind.DEFAULT), rows,
                a.integer("--clients", DEFAULT_CLIENTS), a.integer("--loops", Runtime.getRuntime().availableProcessors()),
                a.flag("--echo"), out.resolve("handshakes.md"),
                Path.of(a.text("--wolfssl-dir", EndToEnd.Options.defaultWolfsslDir().toString())),
                Path.of(a.text("--openssl35", Options.defaultOpenssl35().toString())), a.flag("--profile"));
    }
}
