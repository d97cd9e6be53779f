package dev.pqdtls.bench;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.bench.HandshakeBench.Row;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The handshake benchmark's results as Markdown (with a PNG chart of handshakes/s) and as text, with the
 * goals of issue 9 computed from the same run and recorded, never asserted.
 */
final class HandshakeReport implements BenchReports.Report {
    /** Server CPU per full hybrid handshake: ffm on OpenSSL 3.5, ffm on the system libcrypto (3.0), fallback. */
    static final double GOAL_CPU_FFM35_MS = 0.5;
    static final double GOAL_CPU_FFM30_MS = 0.8;
    static final double GOAL_CPU_FALLBACK_MS = 1.5;
    /** pqdtls handshakes/s against wolfSSL's with as many threads. */
    static final double GOAL_VS_WOLFSSL = 1.5;
    /** N event loops against one. */
    static final double GOAL_LOOP_SCALING = 1.8;

    private final HandshakeBench.Options options;
    private final List<Row> rows;
    private final Instant when;
    private final String invocation;
    private final List<JfrSummary.Summary> profiles;
    private final int cores;

    /** {@code cores}: the machine's CPUs, the 100% of the CPU shares. */
    HandshakeReport(HandshakeBench.Options options, List<Row> rows, Instant when, String invocation,
            List<JfrSummary.Summary> profiles, int cores) {
        this.cores = cores;
        this.options = options;
        this.rows = List.copyOf(rows);
        this.when = when.truncatedTo(ChronoUnit.SECONDS);
        this.invocation = invocation;
        this.profiles = List.copyOf(profiles);
    }

    /** The rows in table order: by group (as given), then by kind (full, resumed, psk), then by row number. */
    List<Row> ordered() {
        List<Row> out = new ArrayList<>();
        for (NamedGroup g : options.groups()) {
            for (HandshakeKind k : options.kinds()) {
                rows.stream().filter(r -> r.group() == g && r.kind() == k)
                        .sorted((a, b) -> Integer.compare(a.number(), b.number())).forEach(out::add);
            }
        }
        return out;
    }

    private static final String[] HEADER = {"row", "group", "kind", "ticket / PSK taken", "handshakes/s",
        "server CPU ms / handshake", "serving threads' CPU ms / handshake", "server CPU %", "p50 ms", "p99 ms",
        "retransmissions client / server", "failures", "load generator CPU %", "× wolfSSL"};

    List<String[]> cells() {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        for (Row r : ordered()) {
            String name = r.number() + ". " + r.name();
            if (!r.measured()) {
                cells.add(new String[] {name, r.group().displayName(), r.kind().label(), "not measured: " + r.reason()});
                continue;
            }
            cells.add(new String[] {name, r.group().displayName(), r.kind().label(), taken(r), f("%,.0f", r.handshakesPerSecond()),
                f("%.2f", r.serverCpuMsPerHandshake()), f("%.2f", r.servingCpuMsPerHandshake()),
                f("%.0f", r.serverCpuPercent(cores)), f("%.1f", r.p50Micros() / 1e3),
                f("%.1f", r.p99Micros() / 1e3), r.clientRetransmissions() + " / "
                        + (r.serverRetransmissions() < 0 ? "–" : Long.toString(r.serverRetransmissions())),
                Long.toString(r.failures()), f("%.0f", r.clientCpuPercent(cores)), vsWolfSsl(r)});
        }
        return cells;
    }

    /**
     * How many counted handshakes took the ticket or PSK the client offered: "–" for full ones, "all", or
     * "N of M" (a resumption the server refused was a full handshake).
     */
    static String taken(Row r) {
        if (r.kind() == HandshakeKind.FULL) {
            return "–";
        }
        return r.pskUsed() == r.handshakes() ? "all" : f("%,d of %,d", r.pskUsed(), r.handshakes());
    }

    /** The same group's and kind's wolfSSL row with as many threads as this row has loops (row 7 for 1, row 8 for N). */
    Optional<Row> wolfSslPeer(Row r) {
        boolean one = r.number() == HandshakeBench.FFM_ONE || r.number() == HandshakeBench.FFM35_ONE
                || r.number() == HandshakeBench.FALLBACK_ONE;
        return measured(one ? HandshakeBench.WOLFSSL_ONE : HandshakeBench.WOLFSSL_MANY, r.group(), r.kind());
    }

    private String vsWolfSsl(Row r) {
        if (r.number() == HandshakeBench.WOLFSSL_ONE || r.number() == HandshakeBench.WOLFSSL_MANY) {
            return "1.00";
        }
        return wolfSslPeer(r).filter(w -> w.handshakesPerSecond() > 0)
                .map(w -> f("%.2f", r.handshakesPerSecond() / w.handshakesPerSecond())).orElse("–");
    }

    Optional<Row> measured(int number, NamedGroup group, HandshakeKind kind) {
        return rows.stream().filter(r -> r.number() == number && r.group() == group && r.kind() == kind && r.measured())
                .findFirst();
    }

    /** The goals of issue 9 for full handshakes in the hybrid group (X25519MLKEM768), from this run (CPU: the serving threads'). */
    List<Goal> goals() {
        NamedGroup g = NamedGroup.X25519_MLKEM768;
        List<Goal> goals = new ArrayList<>();
        goals.add(cpu("server CPU / hybrid handshake, ffm on OpenSSL 3.5 (row 3)", HandshakeBench.FFM35_ONE, g, GOAL_CPU_FFM35_MS));
        goals.add(cpu("server CPU / hybrid handshake, ffm on the system libcrypto (row 1)", HandshakeBench.FFM_ONE, g,
                GOAL_CPU_FFM30_MS));
        goals.add(cpu("server CPU / hybrid handshake, fallback (row 5)", HandshakeBench.FALLBACK_ONE, g, GOAL_CPU_FALLBACK_MS));
        for (int[] pair : new int[][] {{HandshakeBench.FFM_ONE, HandshakeBench.WOLFSSL_ONE},
            {HandshakeBench.FFM_MANY, HandshakeBench.WOLFSSL_MANY}, {HandshakeBench.FFM35_ONE, HandshakeBench.WOLFSSL_ONE},
            {HandshakeBench.FFM35_MANY, HandshakeBench.WOLFSSL_MANY}}) {
            goals.add(ratio("handshakes/s row " + pair[0] + " ÷ wolfSSL row " + pair[1], pair[0], pair[1], g, GOAL_VS_WOLFSSL));
        }
        for (int[] pair : new int[][] {{HandshakeBench.FFM_MANY, HandshakeBench.FFM_ONE},
            {HandshakeBench.FFM35_MANY, HandshakeBench.FFM35_ONE}, {HandshakeBench.FALLBACK_MANY, HandshakeBench.FALLBACK_ONE}}) {
            goals.add(ratio("handshakes/s " + options.loops() + " loops ÷ 1 loop (rows " + pair[0] + ", " + pair[1] + ")",
                    pair[0], pair[1], g, GOAL_LOOP_SCALING));
        }
        return goals;
    }

    private Goal cpu(String name, int number, NamedGroup g, double goal) {
        Optional<Row> r = measured(number, g, HandshakeKind.FULL);
        if (r.isEmpty()) {
            return Goal.missing(name, goal, true, "ms", missing(number, g));
        }
        return Goal.of(name, f("%.0f ms of the event loops' CPU for %,d handshakes (the whole process: %.2f ms each)",
                r.get().servingCpuMs(), r.get().handshakes(), r.get().serverCpuMsPerHandshake()),
                r.get().servingCpuMsPerHandshake(), goal, true, "ms");
    }

    private Goal ratio(String name, int number, int peer, NamedGroup g, double goal) {
        Optional<Row> a = measured(number, g, HandshakeKind.FULL);
        Optional<Row> b = measured(peer, g, HandshakeKind.FULL);
        if (a.isEmpty() || b.isEmpty()) {
            return Goal.missing(name, goal, false, "×", a.isEmpty() ? missing(number, g) : missing(peer, g));
        }
        double bRate = b.get().handshakesPerSecond();
        return Goal.of(name, f("%,.0f ÷ %,.0f handshakes/s", a.get().handshakesPerSecond(), bRate),
                bRate > 0 ? a.get().handshakesPerSecond() / bRate : Double.NaN, goal, false, "×");
    }

    private String missing(int number, NamedGroup g) {
        return rows.stream().filter(r -> r.number() == number && r.group() == g && r.kind() == HandshakeKind.FULL)
                .findFirst().map(r -> "row " + number + " not measured: " + r.reason())
                .orElse("row " + number + " (" + g.displayName() + ", full) not run");
    }

    /** "the C load generator used 9–14% of the machine's 2 CPUs", from the measured C-generator rows. */
    String loadShare() {
        List<Double> shares = rows.stream().filter(r -> r.measured() && r.number() != HandshakeBench.JAVA_CLIENT)
                .map(r -> r.clientCpuPercent(cores)).sorted().toList();
        List<Double> java = rows.stream().filter(r -> r.measured() && r.number() == HandshakeBench.JAVA_CLIENT)
                .map(r -> r.clientCpuPercent(cores)).sorted().toList();
        return "Load generator's share of the machine (" + cores + " CPUs) inside the window: C wolfssl_clients "
                + range(shares) + (java.isEmpty() ? "" : "; the pqdtls Java client (row 9) " + range(java))
                + ". Server and load generator share the cores, so the server never has the whole machine.";
    }

    /** "9–14%", or "9%" when all are the same, of sorted percentages. */
    private static String range(List<Double> sorted) {
        if (sorted.isEmpty()) {
            return "not measured";
        }
        String low = f("%.0f", sorted.get(0));
        String high = f("%.0f", sorted.get(sorted.size() - 1));
        return (low.equals(high) ? low : low + "–" + high) + "%";
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder(Tables.text(cells()));
        sb.append('\n').append(loadShare()).append('\n');
        sb.append("\ngoals (this run, full X25519MLKEM768 handshakes; recorded, not asserted):\n").append(Goal.text(goals()));
        return sb.toString();
    }

    public String markdown(String chart) {
        StringBuilder sb = new StringBuilder("# Handshakes per second\n\n");
        sb.append(String.format(Locale.ROOT, "%s; %s; %s s measured per row, group and kind after %s s "
                        + "warm-up, %d handshakes in flight%s; server certificate ECDSA P-256 (self-signed); %s.\n\n", when, BenchReports.machine(),
                EndToEndReport.number(options.seconds()), EndToEndReport.number(options.warmup()), options.clients(),
                options.echo() ? ", one 16-byte echo per handshake" : "", invocation));
        if (chart != null) {
            sb.append("![handshakes/s per row](").append(chart).append(")\n\n");
        }
        sb.append(Tables.markdown(cells(), "llllrrrrrrrrrr")).append('\n').append(loadShare()).append("\n\n");
        sb.append(KINDS).append("\n\n");
        sb.append("## Goals\n\nComputed from this run for full X25519MLKEM768 handshakes and recorded, never asserted. CPU per handshake "
                + "is judged on the serving threads (the event loops): a JVM a few seconds old still spends much of its "
                + "CPU compiling, which is not a cost per handshake; the whole process's figure is given next to it.\n\n");
        sb.append(Goal.markdown(goals()));
        sb.append("\nNotes:\n\n");
        for (Row r : ordered()) {
            if (r.note() != null) {
                sb.append("- ").append(r.number()).append(", ").append(r.group().displayName()).append(", ")
                        .append(r.kind().label()).append(": ")
                        .append(r.note()).append('\n');
            }
        }
        sb.append("\nHandshakes/s, latencies, retransmissions and failures are the load generator's, inside the "
                + "window; a handshake counts when the client has completed it (socket() to Finished). Server CPU is "
                + "the server process's CPU-time clock (user + system of all its threads: event loops, JIT compiler, "
                + "GC) over the same window; serving threads' CPU sums /proc/PID/task/TID/schedstat over the threads "
                + "that serve clients (a pqdtls server's event loops, wolfssl_server's workers). Server "
                + "retransmissions: wolfSSL counts its timer-driven resends; a pqdtls server reports the retransmissions of the connections it accepted (none are visible for handshakes that "
                + "never completed).\n");
        if (!profiles.isEmpty()) {
            sb.append("\n").append(JfrSummary.markdown(profiles));
        }
        return sb.toString();
    }

    static final String KINDS = "Kinds: full — a certificate handshake (ECDSA P-256 signature by the server, "
            + "verified by the client), the client offers no ticket; resumed — psk_dhe_ke with the ticket the "
            + "server issued on the load generator's previous handshake in that slot (no certificate, no "
            + "signature; the group's key exchange still runs); psk — psk_dhe_ke with the benchmark's "
            + "external PSK (`" + HandshakeKind.PSK_IDENTITY + "`, SHA-256), the client accepting no certificate. "
            + "Every server sends a ticket after every handshake. \"ticket / PSK taken\" counts the measured "
            + "handshakes in which the server took what the client offered (wolfSSL_session_reused; a psk "
            + "handshake cannot complete otherwise): a resumption the server refused is a full handshake and "
            + "shows there. The full handshakes that fetch a slot's first ticket (and start a new chain every "
            + "200 resumptions: wolfSSL's server issues at most 255 tickets down one chain) are not counted; the "
            + "notes give how many fell in the window, and their server CPU is in the server's figures.";

    @Override
    public EndToEndReport.Written write() throws IOException {
        return BenchReports.write(options.markdown(), png -> BarChart.write("pqdtls handshakes/s over loopback, "
                + when.toString().substring(0, 10), "row", "handshakes per second", categories(), series(), png),
                this::markdown);
    }

    /** The chart's categories: the rows measured for any group, by number. */
    private List<String> categories() {
        return rows.stream().filter(Row::measured).map(Row::number).distinct().sorted().map(n -> "row " + n).toList();
    }

    /** One series per group and kind measured ("X25519MLKEM768, resumed"; the group alone with one kind). */
    private Map<String, List<Double>> series() {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        List<Integer> numbers = rows.stream().filter(Row::measured).map(Row::number).distinct().sorted().toList();
        for (NamedGroup g : options.groups()) {
            for (HandshakeKind k : options.kinds()) {
                if (rows.stream().anyMatch(r -> r.group() == g && r.kind() == k && r.measured())) {
                    series.put(options.kinds().size() == 1 ? g.displayName() : g.displayName() + ", " + k.label(),
                            numbers.stream().map(n -> measured(n, g, k).map(Row::handshakesPerSecond).orElse(Double.NaN))
                                    .toList());
                }
            }
        }
        return series;
    }

    private static String f(String format, Object... values) {
        return String.format(Locale.ROOT, format, values);
    }
}
