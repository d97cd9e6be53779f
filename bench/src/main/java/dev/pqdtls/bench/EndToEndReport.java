package dev.pqdtls.bench;

import dev.pqdtls.bench.EndToEnd.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The end-to-end results of one run as Markdown (file), as an aligned text table (terminal) and as a PNG bar
 * chart ({@link BarChart}), each with the targets computed from the same run. The targets are recorded,
 * never asserted: on a shared 2-vCPU machine a single run is too noisy to fail on.
 */
public final class EndToEndReport {
    /** ffm end-to-end goodput against the fallback and against wolfSSL. */
    static final double GOAL_VS_PEERS = 3.0;
    /** ffm against min(raw UDP with the same batching/GSO/GRO, one core's openssl speed -evp). */
    static final double GOAL_VS_CEILING = 0.7;
    /** jna on JDK 17 against ffm on JDK 25 (issue 14: within 15%). */
    static final double GOAL_JNA_VS_FFM = 0.85;
    /** jna on JDK 17 against the fallback on JDK 17. */
    static final double GOAL_JNA_VS_FALLBACK = 3.0;

    /** One target: {@code ratio} NaN when it could not be computed, then {@code missing} says why. */
    record Target(String name, String measured, double ratio, double goal, String missing) {
        boolean computed() {
            return !Double.isNaN(ratio);
        }

        String verdict() {
            return computed() ? (ratio >= goal ? "met" : "missed") : "n/a";
        }

        String ratioText() {
            return computed() ? String.format(Locale.ROOT, "%.2f×", ratio) : "–";
        }

        String goalText() {
            return "≥ " + number(goal) + "×";
        }
    }

    /** Where {@link #write} put the files; {@code chartProblem} says why there is no chart. */
    public record Written(Path markdown, Optional<Path> chart, Optional<String> chartProblem) {
    }

    private final EndToEnd.Options options;
    private final List<Row> rows;
    private final Instant when;
    private final String invocation;

    /**
     * @param invocation how this run was started, for the reader who wants to repeat it (Markdown inline code)
     */
    public EndToEndReport(EndToEnd.Options options, List<Row> rows, Instant when, String invocation) {
        this.options = options;
        this.rows = List.copyOf(rows);
        this.when = when.truncatedTo(ChronoUnit.SECONDS);
        this.invocation = invocation;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Writes the Markdown to {@code markdown} and the chart next to it ({@code .png}, same base name). */
    public Written write(Path markdown) throws IOException {
        List<Row> measured = rows.stream().filter(Row::measured).toList();
        return BenchReports.write(markdown, png -> BarChart.write(chartTitle(), "row", "MB/s (application data, 10^6 B)",
                measured.stream().map(EndToEnd::shortName).toList(),
                Map.of("MB/s", measured.stream().map(Row::mbPerSecond).toList()), png), this::markdown);
    }

    String chartTitle() {
        return "pqdtls end-to-end over loopback, " + options.suite() + ", " + options.group() + ", "
                + when.toString().substring(0, 10);
    }

    /** The Markdown report; {@code chart} is the PNG's file name next to it, or null for none. */
    public String markdown(String chart) {
        StringBuilder sb = new StringBuilder();
        sb.append("# End-to-end throughput over loopback\n\n");
        sb.append(String.format(Locale.ROOT, "%s; %s %s, %d CPUs; Java %s; %s, %s; %d-byte UDP payloads, one "
                        + "connection unless the row says otherwise, sender and receiver threads; %s s per row after "
                        + "%s s warm-up (%s). MB = 10^6 bytes of application data delivered.\n\n",
                when, System.getProperty("os.name"), System.getProperty("os.version"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), options.suite(),
                options.group(), EndToEnd.PAYLOAD, number(options.seconds()), number(options.warmup()), invocation));
        if (chart != null) {
            sb.append("![MB/s per row](").append(chart).append(")\n\n");
        }
        sb.append("| row | MB/s | records/s | delivered / sent | not delivered % | × raw UDP |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            if (!r.measured()) {
                sb.append("| ").append(r.name()).append(" | not measured: ").append(r.reason()).append(" | | | | |\n");
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %,.0f | %s | %s | %s |\n", r.name(), r.mbPerSecond(),
                    r.recordsPerSecond(), deliveredOfSent(r), loss(r), vsRawUdp(r)));
        }
        sb.append("\n## Targets\n\n");
        sb.append("Computed from this run and recorded, never asserted; \"ffm\" is row 1 (GSO/GRO), ratios of MB/s.\n\n");
        sb.append("| target | this run | ratio | goal | |\n|---|---|---:|---:|---|\n");
        for (Target t : targets()) {
            sb.append("| ").append(t.name()).append(" | ").append(t.computed() ? t.measured() : t.missing())
                    .append(" | ").append(t.ratioText()).append(" | ").append(t.goalText()).append(" | ")
                    .append(t.verdict()).append(" |\n");
        }
        sb.append("\nNotes:\n\n");
        for (Row r : rows) {
            if (r.note() != null) {
                sb.append("- ").append(r.name()).append(": ").append(r.note()).append('\n');
            }
        }
        sb.append("\nMB/s and records/s count datagrams that reached the receiving application inside the measured "
                + "window; delivered / sent and \"not delivered\" are over the whole row (warm-up included): for the "
                + "DTLS rows, records sealed but never delivered to the application (the receiving socket's buffer "
                + "overflowed). A pqdtls sender keeps at most " + dev.pqdtls.bench.stream.DtlsStream.WINDOW
                + " records beyond what its receiver took, as an application with flow control would (UDP has no "
                + "backpressure across the wire); pqdtls receivers take datagrams in batches into reused buffers "
                + "(`receive(List<ByteBuffer>, Duration)`) except row 9 (one `byte[]` per `receive`). Sender and "
                + "receiver share the machine's cores. The DTLS rows (pqdtls and wolfSSL) carry 1178 B of application "
                + "data per 1200 B datagram, raw UDP and openssl speed 1200 B.\n");
        return sb.toString();
    }

    /** The table and the targets as aligned plain text, for a terminal. */
    public String text() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"row", "MB/s", "records/s", "delivered / sent", "not delivered %", "× raw UDP"});
        for (Row r : rows) {
            if (!r.measured()) {
                cells.add(new String[] {r.name(), "not measured: " + r.reason()});
            } else {
                cells.add(new String[] {r.name(), String.format(Locale.ROOT, "%.1f", r.mbPerSecond()),
                    String.format(Locale.ROOT, "%,.0f", r.recordsPerSecond()), deliveredOfSent(r), loss(r), vsRawUdp(r)});
            }
        }
        StringBuilder sb = new StringBuilder(Tables.text(cells));
        sb.append("\ntargets (this run; recorded, not asserted; ffm = row 1, jna (JDK 17) = row 7):\n");
        List<Target> targets = targets();
        int nameWidth = targets.stream().mapToInt(t -> t.name().length()).max().orElse(0);
        for (Target t : targets) {
            sb.append("  ").append(Tables.pad(t.name(), nameWidth, false)).append("  ").append(Tables.pad(t.ratioText(), 7, true))
                    .append("  goal ").append(Tables.pad(t.goalText(), 6, false)).append("  ").append(Tables.pad(t.verdict(), 6, false))
                    .append("  ").append(t.computed() ? t.measured() : t.missing()).append('\n');
        }
        return sb.toString();
    }

    /** The targets of the issues (ffm's three, jna's two), from this run's rows. */
    List<Target> targets() {
        Optional<Row> ffm = measured(EndToEnd.FFM);
        List<Target> targets = new ArrayList<>();
        targets.add(ratio("ffm ÷ fallback", ffm, EndToEnd.FALLBACK, "fallback", GOAL_VS_PEERS));
        targets.add(ratio("ffm ÷ wolfSSL", ffm, EndToEnd.WOLFSSL, "wolfSSL", GOAL_VS_PEERS));

        targets.add(vsCeiling("ffm ÷ min(raw UDP, openssl speed)", "ffm", EndToEnd.FFM, EndToEnd.OPENSSL_SPEED));
        if (ran(EndToEnd.FFM_AES256) || ran(EndToEnd.OPENSSL_SPEED_AES256)) {
            targets.add(vsCeiling("ffm AES-256-GCM ÷ min(raw UDP, openssl speed AES-256-GCM)", "ffm AES-256-GCM",
                    EndToEnd.FFM_AES256, EndToEnd.OPENSSL_SPEED_AES256));
        }
        if (ran(EndToEnd.FFM_CHACHA20) || ran(EndToEnd.OPENSSL_SPEED_CHACHA20)) {
            targets.add(vsCeiling("ffm ChaCha20 ÷ min(raw UDP, openssl speed ChaCha20)", "ffm ChaCha20",
                    EndToEnd.FFM_CHACHA20, EndToEnd.OPENSSL_SPEED_CHACHA20));
        }
        Optional<Row> jna = measured(EndToEnd.JNA_JDK17);
        targets.add(ratio("jna (JDK 17) ÷ ffm", "jna (JDK 17)", EndToEnd.JNA_JDK17, jna, EndToEnd.FFM, "ffm",
                GOAL_JNA_VS_FFM));
        targets.add(ratio("jna (JDK 17) ÷ fallback (JDK 17)", "jna (JDK 17)", EndToEnd.JNA_JDK17, jna,
                EndToEnd.FALLBACK_JDK17, "fallback (JDK 17)", GOAL_JNA_VS_FALLBACK));
        return targets;
    }

    /** The subject row's goodput over the machine's limit: min(raw UDP, one core's openssl speed for its AEAD). */
    private Target vsCeiling(String name, String subjectName, int subjectNumber, int opensslNumber) {
        Optional<Row> subject = measured(subjectNumber);
        Optional<Row> raw = measured(EndToEnd.RAW_UDP);
        Optional<Row> openssl = measured(opensslNumber);
        if (subject.isEmpty()) {
            return new Target(name, null, Double.NaN, GOAL_VS_CEILING, missing(subjectName, subjectNumber));
        }
        if (raw.isEmpty() && openssl.isEmpty()) {
            return new Target(name, null, Double.NaN, GOAL_VS_CEILING,
                    missing("raw UDP", EndToEnd.RAW_UDP) + "; " + missing("openssl speed", opensslNumber));
        }
        double f = subject.get().mbPerSecond();
        double ceiling = Math.min(raw.map(Row::mbPerSecond).orElse(Double.MAX_VALUE),
                openssl.map(Row::mbPerSecond).orElse(Double.MAX_VALUE));
        String measured = String.format(Locale.ROOT, "%.1f ÷ min(%s, %s) MB/s", f,
                raw.map(r -> String.format(Locale.ROOT, "%.1f", r.mbPerSecond())).orElse("raw UDP not measured"),
                openssl.map(r -> String.format(Locale.ROOT, "%.1f", r.mbPerSecond())).orElse("openssl speed not measured"));
        return new Target(name, measured, ceiling > 0 ? f / ceiling : Double.NaN, GOAL_VS_CEILING,
                "the ceiling measured 0 MB/s");
    }

    private boolean ran(int number) {
        return rows.stream().anyMatch(r -> r.number() == number);
    }

    private Target ratio(String name, Optional<Row> ffm, int peerNumber, String peerName, double goal) {
        return ratio(name, "ffm", EndToEnd.FFM, ffm, peerNumber, peerName, goal);
    }

    /** {@code subject}'s goodput over the peer row's. */
    private Target ratio(String name, String subjectName, int subjectNumber, Optional<Row> subject, int peerNumber,
            String peerName, double goal) {
        if (subject.isEmpty()) {
            return new Target(name, null, Double.NaN, goal, missing(subjectName, subjectNumber));
        }
        Optional<Row> ffm = subject;
        Optional<Row> peer = measured(peerNumber);
        if (peer.isEmpty()) {
            return new Target(name, null, Double.NaN, goal, missing(peerName, peerNumber));
        }
        if (peer.get().mbPerSecond() <= 0) {
            return new Target(name, null, Double.NaN, goal, peerName + " measured 0 MB/s");
        }
        return new Target(name, String.format(Locale.ROOT, "%.1f ÷ %.1f MB/s", ffm.get().mbPerSecond(),
                peer.get().mbPerSecond()), ffm.get().mbPerSecond() / peer.get().mbPerSecond(), goal, null);
    }

    /** "wolfSSL not measured" (with the row's reason when it ran), or "not run" when the row was not selected. */
    private String missing(String what, int number) {
        Optional<Row> row = rows.stream().filter(r -> r.number() == number).findFirst();
        if (row.isEmpty()) {
            return what + " not measured (row " + number + " not run)";
        }
        return what + " not measured" + (row.get().reason() != null ? ": " + row.get().reason() : "");
    }

    private Optional<Row> measured(int number) {
        return rows.stream().filter(r -> r.number() == number && r.measured()).findFirst();
    }

    private String vsRawUdp(Row r) {
        Optional<Row> raw = measured(EndToEnd.RAW_UDP);
        return raw.isEmpty() || raw.get().mbPerSecond() == 0 ? "–"
                : String.format(Locale.ROOT, "%.2f", r.mbPerSecond() / raw.get().mbPerSecond());
    }

    private static String deliveredOfSent(Row r) {
        return r.transfers() ? String.format(Locale.ROOT, "%,d / %,d", r.delivered(), r.sent()) : "–";
    }

    private static String loss(Row r) {
        return r.transfers() ? String.format(Locale.ROOT, "%.1f", r.lossPercent()) : "–";
    }

    /** 2 → "2", 0.5 → "0.5". */
    static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
