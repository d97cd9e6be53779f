package dev.pqdtls.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** What the handshake and connection reports share: printing and writing them, and the machine they ran on. */
final class BenchReports {
    private BenchReports() {
    }

    /** A report: aligned text for the terminal, Markdown (and a chart) for the file. */
    interface Report {
        String text();

        /** Writes the Markdown (and the chart next to it, if any). */
        EndToEndReport.Written write() throws IOException;
    }

    /**
     * The report's text on {@code out}, then writes it and says where; returns the exit code: 0 when
     * {@code anyMeasured} and the files were written, 1 otherwise.
     */
    static int print(Report report, boolean anyMeasured, PrintWriter out, PrintWriter err) {
        out.println();
        out.print(report.text());
        out.flush();
        try {
            EndToEndReport.Written w = report.write();
            out.println();
            out.println("written: " + w.markdown().toAbsolutePath() + w.chart().map(p -> ", " + p.toAbsolutePath()).orElse(""));
            out.flush();
            w.chartProblem().ifPresent(p -> err.println("pqdtls: " + p));
        } catch (IOException | RuntimeException e) {
            err.println("pqdtls: could not write the report: " + e);
            err.flush();
            return BenchEntry.EXIT_FAILURE;
        }
        if (!anyMeasured) {
            err.println("pqdtls: nothing was measured (see 'not measured' above)");
            err.flush();
            return BenchEntry.EXIT_FAILURE;
        }
        err.flush();
        return 0;
    }

    /**
     * Writes a report to {@code markdown} and its chart next to it (same base name, {@code .png}):
     * {@code chart} draws the PNG (or says why not), {@code text} renders the Markdown given the chart's file
     * name (null: no chart).
     */
    static EndToEndReport.Written write(Path markdown, Function<Path, Optional<String>> chart,
            Function<String, String> text) throws IOException {
        Path dir = markdown.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path png = dir.resolve(markdown.getFileName().toString().replaceFirst("\\.md$", "") + ".png");
        Optional<String> problem = chart.apply(png);
        Files.writeString(markdown, text.apply(problem.isEmpty() ? png.getFileName().toString() : null),
                StandardCharsets.UTF_8);
        return new EndToEndReport.Written(markdown, problem.isEmpty() ? Optional.of(png) : Optional.empty(), problem);
    }

    /** "AMD EPYC (2 CPUs), Linux 6.18, Java 25.0.3": lscpu's model name is /proc/cpuinfo's. */
    static String machine() {
        return String.format(Locale.ROOT, "%s (%d CPUs), %s %s, Java %s", cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"));
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
