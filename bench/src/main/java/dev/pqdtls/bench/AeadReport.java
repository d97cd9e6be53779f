package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link AeadBenchmark} (and {@code openssl speed} as a reference, when {@code openssl} is on
 * the PATH) in one go and writes a Markdown table of MB/s with ratios to SunJCE and OpenSSL.
 *
 * <p>System properties:
 * <ul>
 *   <li>{@code quick=true} — 1 fork, 2 × 1 s warm-up, 3 × 1 s measurement (default: 2 forks, 3 × 2 s, 5 × 2 s)
 *   <li>{@code forks}, {@code warmups}, {@code warmupSeconds}, {@code iterations}, {@code seconds} — override those
 *   <li>{@code impl}, {@code suite}, {@code size} — comma-separated parameter values (default: all, 1200)
 *   <li>{@code ops} — regex over the method names (default: all four)
 *   <li>{@code openssl=false} — skip openssl speed; {@code opensslSeconds} (default 2)
 *   <li>{@code out} — the Markdown file (default bench/results/aead.md, or results/aead.md from inside bench/);
 *       a JMH JSON file is written next to it
 *   <li>{@code verbose} — JMH verbosity: silent, normal, extra (default normal)
 * </ul>
 */
public final class AeadReport {
    private static final String[] OPS = {"seal", "open", "sealBatch", "openBatch"};
    private static final String[] IMPLS = {"ffm", "fallback", "sunjce", "bc"};

    private AeadReport() {
    }

    /** One measured cell. */
    private record Row(String suite, String op, String impl, int size, double opsPerSecond, double error) {
        double megabytesPerSecond() {
            return opsPerSecond * size / 1e6;
        }
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        boolean quick = Boolean.getBoolean("quick");
        int forks = Integer.getInteger("forks", quick ? 1 : 2);
        int warmups = Integer.getInteger("warmups", quick ? 2 : 3);
        int warmupSeconds = Integer.getInteger("warmupSeconds", quick ? 1 : 2);
        int iterations = Integer.getInteger("iterations", quick ? 3 : 5);
        int seconds = Integer.getInteger("seconds", quick ? 1 : 2);
        String[] impls = list("impl", IMPLS);
        String[] suites = list("suite", AeadBenchmark.SUITES.stream().map(Enum::name).sorted().toArray(String[]::new));
        String[] sizes = list("size", new String[] {"1200"});
        String ops = System.getProperty("ops", String.join("|", OPS));
        Path out = Path.of(System.getProperty("out",
                Files.isDirectory(Path.of("bench", "src")) ? "bench/results/aead.md" : "results/aead.md"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Path json = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".json");

        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(AeadBenchmark.class.getName() + "\\.(" + ops + ")$")
                .param("impl", impls)
                .param("suite", suites)
                .param("size", sizes)
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(warmupSeconds))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .timeUnit(TimeUnit.SECONDS)
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
                .shouldFailOnError(false)
                .result(json.toString())
                .resultFormat(ResultFormatType.JSON)
                .verbosity(VerboseMode.valueOf(System.getProperty("verbose", "normal").toUpperCase(Locale.ROOT)));
        long started = System.nanoTime();
        Collection<RunResult> results = new Runner(options.build()).run();

        List<Row> rows = new ArrayList<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            rows.add(new Row(result.getParams().getParam("suite"), benchmark.substring(benchmark.lastIndexOf('.') + 1),
                    result.getParams().getParam("impl"), Integer.parseInt(result.getParams().getParam("size")),
                    result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError()));
        }

        // openssl speed runs after JMH, never concurrently with it.
        Optional<String> opensslVersion = Optional.empty();
        Map<String, Double> opensslEvp = new LinkedHashMap<>();
        Map<String, Double> opensslAead = new LinkedHashMap<>();
        int opensslSeconds = Integer.getInteger("opensslSeconds", 2);
        boolean size1200 = Arrays.asList(sizes).contains("1200");
        if (!"false".equals(System.getProperty("openssl")) && size1200) {
            opensslVersion = OpensslSpeed.version();
            if (opensslVersion.isPresent()) {
                for (String suite : suites) {
                    String cipher = OpensslSpeed.cipher(CipherSuite.byName(suite));
                    speed(cipher, opensslSeconds, false).ifPresent(v -> opensslEvp.put(suite, v));
                    speed(cipher, opensslSeconds, true).ifPresent(v -> opensslAead.put(suite, v));
                }
            }
        }
        long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        String[] selectedOps = Arrays.stream(OPS).filter(op -> op.matches(ops)).toArray(String[]::new);
        String report = render(rows, selectedOps, impls, suites, sizes, opensslVersion, opensslEvp, opensslAead, opensslSeconds,
                String.format("forks %d, warm-up %d × %d s, measurement %d × %d s%s; wall time %d s", forks, warmups,
                        warmupSeconds, iterations, seconds, quick ? " (quick)" : "", elapsed));
        System.out.println();
        System.out.println(report);
        Files.writeString(out, report, StandardCharsets.UTF_8);
        System.out.println("written to " + out.toAbsolutePath() + " (JMH JSON: " + json.toAbsolutePath() + ")");
    }

    private static String[] list(String property, String[] defaults) {
        String value = System.getProperty(property);
        return value == null || value.isBlank() ? defaults : value.split("\\s*,\\s*");
    }

    private static String render(List<Row> rows, String[] selectedOps, String[] impls, String[] suites, String[] sizes,
            Optional<String> opensslVersion, Map<String, Double> opensslEvp, Map<String, Double> opensslAead,
            int opensslSeconds, String mode) {
        StringBuilder md = new StringBuilder();
        md.append("# AEAD record protection — ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n");
        md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- CPU: ").append(Machine.cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" logical CPUs; ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append('\n');
        md.append("- OpenSSL (CLI, `openssl speed`): ").append(opensslVersion.orElse("not run")).append('\n');
        md.append("- JMH: ").append(mode).append('\n');
        md.append("- One op = one record; MB/s = records/s × plaintext bytes / 10⁶ (tag not counted). "
                + "open/openBatch include a memcpy of the pristine ciphertext per record. "
                + "ffm works on direct buffers, the others on heap arrays. ± is JMH's 99.9% half-interval.\n\n");

        for (String size : sizes) {
            md.append("## ").append(size).append("-byte records\n\n");
            md.append("| suite | operation | implementation | records/s | MB/s | × sunjce |\n");
            md.append("|---|---|---|---:|---:|---:|\n");
            for (String suite : suites) {
                for (String op : selectedOps) {
                    Optional<Row> base = find(rows, suite, op, "sunjce", size);
                    for (String impl : impls) {
                        Optional<Row> row = find(rows, suite, op, impl, size);
                        md.append("| ").append(shortSuite(suite)).append(" | ").append(op).append(" | ").append(impl)
                                .append(" | ");
                        if (row.isEmpty()) {
                            md.append("n/a (failed or not run) | | |\n");
                            continue;
                        }
                        Row r = row.get();
                        md.append(String.format(Locale.ROOT, "%,.0f ± %,.0f | %,.1f | %s |\n", r.opsPerSecond(),
                                r.error(), r.megabytesPerSecond(), ratio(Optional.of(r), base)));
                    }
                }
                if ("1200".equals(size) && opensslEvp.containsKey(suite)) {
                    md.append(String.format(Locale.ROOT, "| %s | openssl speed -evp | %s | %,.0f | %,.1f | |\n",
                            shortSuite(suite), OpensslSpeed.label(opensslVersion), opensslEvp.get(suite) / 1200,
                            opensslEvp.get(suite) / 1e6));
                }
                if ("1200".equals(size) && opensslAead.containsKey(suite)) {
                    md.append(String.format(Locale.ROOT, "| %s | openssl speed -aead -evp | %s | %,.0f | %,.1f | |\n",
                            shortSuite(suite), OpensslSpeed.label(opensslVersion), opensslAead.get(suite) / 1200,
                            opensslAead.get(suite) / 1e6));
                }
            }
            md.append('\n');
        }

        if (!opensslEvp.isEmpty()) {
            md.append("## Native batch seal vs targets (1200 B): ffm sealBatch ≥ 0.9 × openssl speed, ≥ 1.0 × sunjce\n\n");
            md.append("`openssl speed -evp <cipher> -bytes 1200 -seconds ").append(opensslSeconds)
                    .append("` (encrypt loop, one EVP update per buffer; ").append(OpensslSpeed.label(opensslVersion))
                    .append("); `-aead` is its TLS-like sequence (set nonce, AAD, encrypt, tag per record).\n\n");
            md.append("| suite | ffm sealBatch MB/s | openssl -evp MB/s | ffm / openssl | openssl -aead MB/s "
                    + "| ffm / openssl -aead | sunjce sealBatch MB/s | ffm / sunjce | target met |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (String suite : suites) {
                Optional<Row> ffm = find(rows, suite, "sealBatch", "ffm", "1200");
                Optional<Row> sunjce = find(rows, suite, "sealBatch", "sunjce", "1200");
                Double evp = opensslEvp.get(suite);
                Double aead = opensslAead.get(suite);
                double vsEvp = ffm.isPresent() && evp != null ? ffm.get().megabytesPerSecond() * 1e6 / evp : Double.NaN;
                double vsSunjce = ffm.isPresent() && sunjce.isPresent()
                        ? ffm.get().opsPerSecond() / sunjce.get().opsPerSecond() : Double.NaN;
                String met = Double.isNaN(vsEvp) || Double.isNaN(vsSunjce) ? "n/a"
                        : (vsEvp >= 0.9 ? "openssl ✔" : "openssl ✘") + " / " + (vsSunjce >= 1.0 ? "sunjce ✔" : "sunjce ✘");
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                        shortSuite(suite), mb(ffm.map(Row::megabytesPerSecond)), mb(Optional.ofNullable(evp).map(v -> v / 1e6)),
                        fmtRatio(vsEvp), mb(Optional.ofNullable(aead).map(v -> v / 1e6)),
                        fmtRatio(ffm.isPresent() && aead != null ? ffm.get().megabytesPerSecond() * 1e6 / aead : Double.NaN),
                        mb(sunjce.map(Row::megabytesPerSecond)), fmtRatio(vsSunjce), met));
            }
            md.append("\nChaCha20-Poly1305: `openssl speed -aead` (3.0.19 and 3.5.7 alike) does not set a nonce and "
                    + "finish a tag per buffer for this cipher: its 16-byte rate with `-aead` equals its streaming rate "
                    + "(~200 MB/s, which per-record set-up makes impossible; AES-GCM's drops to ~22 MB/s). Both openssl "
                    + "columns are streaming rates for ChaCha20, so its ratios understate; docs/performance.md compares "
                    + "with a per-record C loop instead.\n");
            md.append('\n');
        }
        md.append("Noise: short runs on a shared machine; treat differences under ~30% as noise "
                + "(see bench/README.md, \"Caveats\").\n");
        return md.toString();
    }

    private static Optional<Row> find(List<Row> rows, String suite, String op, String impl, String size) {
        return rows.stream().filter(r -> r.suite().equals(suite) && r.op().equals(op) && r.impl().equals(impl)
                && String.valueOf(r.size()).equals(size)).findFirst();
    }

    private static String ratio(Optional<Row> row, Optional<Row> base) {
        return row.isPresent() && base.isPresent() ? fmtRatio(row.get().opsPerSecond() / base.get().opsPerSecond()) : "";
    }

    private static String fmtRatio(double ratio) {
        return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    private static String mb(Optional<Double> value) {
        return value.map(v -> String.format(Locale.ROOT, "%,.1f", v)).orElse("n/a");
    }

    private static String shortSuite(String suite) {
        return suite.replace("TLS_", "").replace("_SHA256", "").replace("_SHA384", "");
    }

    /** Bytes per second from {@code openssl speed -mr -evp <cipher> -bytes 1200} (with {@code -aead} if asked). */
    private static Optional<Double> speed(String cipher, int seconds, boolean aead) throws InterruptedException {
        List<String> command = OpensslSpeed.command(cipher, 1200, seconds, aead);
        System.out.println("# " + String.join(" ", command));
        Optional<OpensslSpeed.Result> result = OpensslSpeed.measure(command);
        if (result.isEmpty()) {
            System.out.println("# could not run or parse openssl speed for " + cipher);
        }
        return result.map(OpensslSpeed.Result::bytesPerSecond);
    }
}
