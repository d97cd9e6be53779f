package dev.pqdtls.bench;

import dev.pqdtls.bench.ConnectionBench.Result;
import dev.pqdtls.bench.JvmMemory.Snapshot;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The connection benchmark's results: the server's memory at each snapshot, the bytes per held connection and
 * what holds them (heap classes, NMT categories), the fill and churn rates; Markdown (with a PNG chart of the
 * bytes per connection) and text.
 */
final class ConnectionReport implements BenchReports.Report {
    static final int TOP_CLASSES = 12;

    private final ConnectionBench.Options options;
    private final Result result;
    private final Instant when;
    private final String invocation;

    ConnectionReport(ConnectionBench.Options options, Result result, Instant when, String invocation) {
        this.options = options;
        this.result = result;
        this.when = when.truncatedTo(ChronoUnit.SECONDS);
        this.invocation = invocation;
    }

    /** One measure across the snapshots, and per held connection. */
    private record Measure(String name, ToLongFunction<Snapshot> value) {
    }

    private static final List<Measure> MEASURES = List.of(
            new Measure("live heap after a full GC (GC.class_histogram total)", s -> s.heap().bytes()),
            new Measure("NMT committed, excluding Java Heap", s -> s.nmt().excludingHeap()),
            new Measure("NMT Other (FFM arenas, direct buffers)", s -> s.nmt().byCategory().getOrDefault("Other", 0L)),
            new Measure("malloc in use (mallinfo2: JVM, libcrypto, libpqdtls_native)", Snapshot::malloc),
            new Measure("resident set (VmRSS)", Snapshot::rss));

    private long n() {
        return result.fill().handshakes();
    }

    /** (held − baseline) / N of one measure, in bytes. */
    double perConnection(ToLongFunction<Snapshot> m) {
        return (double) (m.applyAsLong(result.held()) - m.applyAsLong(result.baseline())) / n();
    }

    List<String[]> memoryCells(boolean markdown) {
        List<String[]> cells = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("server memory"));
        result.snapshots().forEach(s -> header.add(s.label() + (markdown ? " (MB)" : " MB")));
        header.addAll(List.of("per held connection (B)", "churn drift (B / conn.)", "closed − baseline (MB)"));
        cells.add(header.toArray(String[]::new));
        for (Measure m : MEASURES) {
            List<String> row = new ArrayList<>(List.of(m.name()));
            result.snapshots().forEach(s -> row.add(f("%.1f", m.value().applyAsLong(s) / 1e6)));
            Snapshot churn = result.snapshots().get(2);
            Snapshot closed = result.snapshots().get(3);
            row.add(f("%,.0f", perConnection(m.value())));
            row.add(f("%+,.0f", (double) (m.value().applyAsLong(churn) - m.value().applyAsLong(result.held())) / n()));
            row.add(f("%+.1f", (m.value().applyAsLong(closed) - m.value().applyAsLong(result.baseline())) / 1e6));
            cells.add(row.toArray(String[]::new));
        }
        List<String> conns = new ArrayList<>(List.of("connections on the server"));
        result.snapshots().forEach(s -> conns.add(f("%,d", s.connections())));
        conns.addAll(List.of("", "", ""));
        cells.add(conns.toArray(String[]::new));
        return cells;
    }

    /** The heap classes that grew most from baseline to held, per connection. */
    List<String[]> classCells() {
        Map<String, long[]> base = result.baseline().heap().byClass();
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        for (Map.Entry<String, long[]> e : result.held().heap().byClass().entrySet()) {
            long[] b = base.getOrDefault(e.getKey(), new long[2]);
            grown.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
        }
        grown.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"class (heap, held − baseline)", "instances / conn.", "bytes / conn."});
        for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(TOP_CLASSES, grown.size()))) {
            cells.add(new String[] {e.getKey(), f("%.2f", (double) e.getValue()[0] / n()),
                f("%,.0f", (double) e.getValue()[1] / n())});
        }
        return cells;
    }

    /** NMT categories whose committed bytes changed from baseline to held, per connection. */
    List<String[]> nmtCells() {
        Map<String, Long> base = result.baseline().nmt().byCategory();
        Map<String, Long> held = result.held().nmt().byCategory();
        Set<String> names = new HashSet<>(base.keySet());
        names.addAll(held.keySet());
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"NMT category (committed, held − baseline)", "bytes / conn."});
        names.stream().map(c -> Map.entry(c, held.getOrDefault(c, 0L) - base.getOrDefault(c, 0L)))
                .filter(e -> Math.abs(e.getValue()) >= n()) // at least 1 B per connection
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> cells.add(new String[] {e.getKey(), f("%,.0f", (double) e.getValue() / n())}));
        return cells;
    }

    String phases() {
        ConnectionBench.Phase fill = result.fill();
        ConnectionBench.Phase churn = result.churn();
        return f("Fill: %,d handshakes in %.1f s = %,.0f handshakes/s (%d in flight), p50 %.1f ms, p99 %.1f ms, "
                        + "%,d retransmissions, %,d failures; %s. Churn: %,d handshakes in %.1f s = %,.0f handshakes/s, "
                        + "%,d failures, %,d retransmissions. Held connections the server ended: %,d.",
                fill.handshakes(), fill.seconds(), fill.handshakesPerSecond(), options.clients(), fill.p50Micros() / 1e3,
                fill.p99Micros() / 1e3, fill.retransmissions(), fill.failures(), fill.extra(), churn.handshakes(),
                churn.seconds(), churn.handshakesPerSecond(), churn.failures(), churn.retransmissions(), result.lost());
    }

    String server() {
        KeyValues l = result.server();
        return "BenchServer JVM: backend " + l.text("backend") + (l.text("backend").equals("ffm")
                ? ", libcrypto " + l.text("crypto") : "") + ", " + l.text("loops") + " event loop(s), "
                + "-XX:NativeMemoryTracking=summary, idle timeout 24 h, maxConnections "
                + (options.connections() + 4 * options.clients() + 1000);
    }

    @Override
    public String text() {
        return Tables.text(memoryCells(false)) + "\n" + phases() + "\n\n" + Tables.text(classCells()) + "\n"
                + Tables.text(nmtCells());
    }

    String markdown(String chart) {
        StringBuilder sb = new StringBuilder("# Idle connections: server memory\n\n");
        sb.append(f("%s; %s; %,d idle connections (%s) held by wolfssl_clients (C, one process, one socket per "
                        + "connection, epoll); %s; %s.\n\n", when, BenchReports.machine(), n(),
                options.group().displayName(), server(), invocation));
        if (chart != null) {
            sb.append("![bytes per held connection](").append(chart).append(")\n\n");
        }
        sb.append(Tables.markdown(memoryCells(true))).append('\n').append(phases()).append("\n\n");
        sb.append("## What holds the bytes\n\n").append(Tables.markdown(classCells())).append('\n')
                .append(Tables.markdown(nmtCells()));
        sb.append("\nSnapshots: `jcmd PID GC.class_histogram` (which runs a full GC first; its total is the live heap), "
                + "then `jcmd PID VM.native_memory summary` (committed bytes; FFM arena and direct-buffer allocations "
                + "count as \"Other\"), then the server's own `mallinfo2()` (every malloc of the process, libcrypto's "
                + "included, which NMT does not see) and `VmRSS`. Baseline: after a warm-up churn ("
                + EndToEndReport.number(ConnectionBench.WARMUP) + " s rounds until " + ConnectionBench.WARMUP_HANDSHAKES
                + " handshakes, at most " + ConnectionBench.WARMUP_ROUNDS + " rounds: class loading and the JIT's first "
                + "work are not the connections'), no connection held. Per held connection = (held − baseline) ÷ N; "
                + "churn drift = (after churn − held) ÷ N, near zero when churned connections give their memory back; "
                + "closed − baseline shows what closing every connection returns (glibc keeps freed memory in its "
                + "arenas, so RSS falls less than malloc).\n");
        return sb.toString();
    }

    @Override
    public EndToEndReport.Written write() throws IOException {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("bytes per connection", MEASURES.stream().map(m -> perConnection(m.value())).toList());
        return BenchReports.write(options.markdown(), png -> BarChart.write(f("pqdtls server memory per idle "
                + "connection (%,d held), %s", n(), when.toString().substring(0, 10)), "", "bytes per connection",
                List.of("live heap", "NMT excl. heap", "NMT Other", "malloc", "RSS"), series, png), this::markdown);
    }

    private static String f(String format, Object... values) {
        return String.format(Locale.ROOT, format, values);
    }
}
