package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What {@code pqdtls bench} runs. The CLI is compiled for Java 17 and this module for Java 22, so the CLI
 * reaches this class by reflection only, after checking the Java version: the contract is the one method
 * {@link #run(String[], PrintWriter, PrintWriter)}.
 *
 * <p>Arguments (the CLI's options, already checked by picocli, passed on verbatim):
 * {@code [--seconds S] [--warmup W] [--suites NAME] [--groups NAME] [--rows 1,2,...] [--out DIR] [--full]
 * [--wolfssl-dir DIR]}. Short mode (default): {@value #SHORT_SECONDS} s per row after {@value #SHORT_WARMUP} s
 * warm-up, well under 2 minutes for all six rows; {@code --full}: {@value #FULL_SECONDS} s after
 * {@value #FULL_WARMUP} s. {@code --seconds}/{@code --warmup} override either.
 */
public final class BenchEntry {
    public static final double SHORT_SECONDS = 2;
    public static final double SHORT_WARMUP = 1.5;
    public static final double FULL_SECONDS = 5;
    public static final double FULL_WARMUP = 2;
    /** Exit codes, as the CLI's. */
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    private BenchEntry() {
    }

    /**
     * Runs the end-to-end comparison: progress on {@code err} (one line per row), the table and the targets on
     * {@code out}, then {@code written: <md>, <png>}. Returns the exit code: 0 when at least one row was
     * measured and the report written, 1 otherwise, 2 for bad arguments; failures print one line
     * {@code pqdtls: <reason>} on {@code err}.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        System.setProperty("java.awt.headless", "true"); // before anything touches AWT (the chart)
        EndToEnd.Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("pqdtls: " + e.getMessage() + " (see 'pqdtls bench --help')");
            err.flush();
            return EXIT_USAGE;
        }
        err.println(String.format(Locale.ROOT, "pqdtls bench: %d row%s × (%s s warm-up + %s s measured), %s, %s; "
                        + "figures are noisy on a shared machine",
                options.rows().size(), options.rows().size() == 1 ? "" : "s", EndToEndReport.number(options.warmup()),
                EndToEndReport.number(options.seconds()), options.suite(), options.group()));
        err.flush();
        long started = System.nanoTime();
        List<EndToEnd.Row> rows = new EndToEnd(options).run(EndToEnd.Progress.lines(err));
        err.println(String.format(Locale.ROOT, "done in %d s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
        err.flush();

        EndToEndReport report = new EndToEndReport(options, rows, Instant.now(), "`" + invocation(args) + "`");
        out.println();
        out.print(report.text());
        out.flush();
        try {
            EndToEndReport.Written w = report.write(options.markdown());
            out.println();
            out.println("written: " + w.markdown().toAbsolutePath()
                    + w.chart().map(p -> ", " + p.toAbsolutePath()).orElse(""));
            out.flush();
            w.chartProblem().ifPresent(p -> err.println("pqdtls: " + p));
        } catch (IOException | RuntimeException e) {
            err.println("pqdtls: could not write the report to " + options.markdown() + ": " + e);
            err.flush();
            return EXIT_FAILURE;
        }
        if (rows.stream().noneMatch(EndToEnd.Row::measured)) {
            err.println("pqdtls: no row was measured (see 'not measured' above)");
            err.flush();
            return EXIT_FAILURE;
        }
        err.flush();
        return 0;
    }

    static EndToEnd.Options parse(String[] args) {
        Double seconds = null;
        Double warmup = null;
        boolean full = false;
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        NamedGroup group = NamedGroup.X25519_MLKEM768;
        List<Integer> rows = EndToEnd.ALL_ROWS;
        Path out = defaultOut();
        Path wolf = EndToEnd.Options.defaultWolfsslDir();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--full")) {
                full = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unknown argument " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--seconds" -> seconds = number(a, v);
                case "--warmup" -> warmup = number(a, v);
                case "--suites", "--suite" -> suite = CipherSuite.byName(v.strip());
                case "--groups", "--group" -> group = NamedGroup.byName(v.strip());
                case "--rows" -> rows = EndToEnd.Options.parseRows(v);
                case "--out" -> out = Path.of(v);
                case "--wolfssl-dir" -> wolf = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return new EndToEnd.Options(seconds != null ? seconds : full ? FULL_SECONDS : SHORT_SECONDS,
                warmup != null ? warmup : full ? FULL_WARMUP : SHORT_WARMUP, suite, group, rows,
                out.resolve("end-to-end.md"), wolf);
    }

    /** {@code bench/results} of the checkout the launcher runs from ({@code -Dpqdtls.home}), else of the current directory. */
    public static Path defaultOut() {
        String home = System.getProperty("pqdtls.home");
        return (home != null && !home.isBlank() ? Path.of(home) : Path.of("")).resolve("bench").resolve("results");
    }

    private static double number(String option, String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: '" + value + "'");
        }
    }

    /** "./pqdtls bench --full" etc., without --out (a machine-specific path). */
    private static String invocation(String[] args) {
        List<String> shown = new ArrayList<>(List.of("./pqdtls", "bench"));
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--out") || args[i].equals("--wolfssl-dir")) && i + 1 < args.length) {
                i++;
                continue;
            }
            shown.add(args[i]);
        }
        return String.join(" ", shown);
    }
}
