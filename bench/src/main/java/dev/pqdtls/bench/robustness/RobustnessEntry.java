package dev.pqdtls.bench.robustness;

import dev.pqdtls.bench.BenchEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What {@code pqdtls bench robustness} runs; the CLI (Java 17) reaches it by reflection, after a Java
 * version check, through {@link #run(String[], PrintWriter, PrintWriter)} only.
 *
 * <p>Arguments (checked by picocli, passed on verbatim): {@code [--full] [--parts loss,flood,soak,replay]
 * [--handshakes N] [--soak-seconds S] [--out DIR] [--wolfssl-dir DIR]}.
 */
public final class RobustnessEntry {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    private RobustnessEntry() {
    }

    /**
     * Runs the parts: progress on {@code err}, the report on {@code out}, then {@code written: <md>}. Returns 0
     * once the report is written and at least one part ran (targets are recorded, not asserted), 1 otherwise,
     * 2 for bad arguments.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Robustness.Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("pqdtls: " + e.getMessage() + " (see 'pqdtls bench robustness --help')");
            err.flush();
            return EXIT_USAGE;
        }
        err.println(String.format(Locale.ROOT, "pqdtls bench robustness (%s): %s; figures are noisy on a shared machine",
                options.full() ? "full" : "short", options.parts().toString().toLowerCase(Locale.ROOT)));
        err.flush();
        long started = System.nanoTime();
        Robustness.Results results = new Robustness(options).run(err);
        err.println(String.format(Locale.ROOT, "done in %d s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
        err.flush();
        RobustnessReport report = new RobustnessReport(options, results, Instant.now(), invocation(args));
        out.println();
        out.print(report.markdown());
        out.flush();
        try {
            Path written = report.write(options.out().resolve("robustness.md"));
            out.println();
            out.println("written: " + written.toAbsolutePath());
            out.flush();
        } catch (IOException | RuntimeException e) {
            err.println("pqdtls: could not write the report to " + options.out() + ": " + e);
            err.flush();
            return EXIT_FAILURE;
        }
        boolean anything = !results.loss().isEmpty() || results.flood() != null || results.soak() != null
                || !results.replay().isEmpty();
        if (!anything) {
            err.println("pqdtls: no part ran (see 'not run' above)");
            err.flush();
            return EXIT_FAILURE;
        }
        long missed = report.targets().stream().filter(t -> !t.met()).count();
        err.println("targets: " + (report.targets().size() - missed) + " met, " + missed + " missed");
        err.flush();
        return 0;
    }

    static Robustness.Options parse(String[] args) {
        boolean full = false;
        Set<Robustness.Part> parts = EnumSet.allOf(Robustness.Part.class);
        Integer handshakes = null;
        Long soakSeconds = null;
        Path out = BenchEntry.defaultOut();
        Path wolf = Path.of(System.getProperty("user.home"), ".cache", "pqdtls", "wolfssl");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--full")) {
                full = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unknown argument " + a);
            }
            String v = args[++i].strip();
            switch (a) {
                case "--parts" -> parts = parts(v);
                case "--handshakes" -> handshakes = integer(a, v);
                case "--soak-seconds" -> soakSeconds = (long) integer(a, v);
                case "--out" -> out = Path.of(v);
                case "--wolfssl-dir" -> wolf = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        Robustness.Options d = Robustness.Options.defaults(full, wolf.resolve("build"), out);
        return new Robustness.Options(full, parts, handshakes != null ? handshakes : d.handshakes(),
                soakSeconds != null ? Duration.ofSeconds(soakSeconds) : d.soak(), d.wolfsslBuild(), out);
    }

    private static Set<Robustness.Part> parts(String list) {
        Set<Robustness.Part> parts = EnumSet.noneOf(Robustness.Part.class);
        for (String s : list.split(",")) {
            if (s.isBlank()) {
                continue;
            }
            try {
                parts.add(Robustness.Part.valueOf(s.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--parts: unknown part '" + s.strip() + "'; parts: loss, flood, soak, replay");
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("--parts needs at least one of loss, flood, soak, replay");
        }
        return parts;
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a whole number: '" + value + "'");
        }
    }

    /** "./pqdtls bench robustness --full", without machine-specific paths. */
    private static String invocation(String[] args) {
        List<String> shown = new ArrayList<>(List.of("./pqdtls", "bench", "robustness"));
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
