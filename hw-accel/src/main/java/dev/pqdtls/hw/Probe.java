package dev.pqdtls.hw;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.internal.backend.BackendSelector;
import dev.pqdtls.internal.backend.BackendSelector.Candidate;
import dev.pqdtls.internal.backend.BackendSelector.Selection;
import dev.pqdtls.spi.CryptoBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The capability probe (DESIGN.md §2, §3): CPU crypto features, OS and JVM, every crypto backend
 * {@link BackendSelector} finds with why it can or cannot run, which one it would select and why,
 * and an indicative AEAD rate per backend and suite. Backends are reached only through the SPI.
 */
public final class Probe {
    private static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");
    private static final Pattern CLASS_VERSION = Pattern.compile("class file version (\\d+)");
    /** A fully qualified class name, with dots or slashes, as JVM error messages print it. */
    private static final Pattern PROVIDER_CLASS = Pattern.compile("\\b(?:[a-z][a-z0-9_]*[./])+[A-Z][A-Za-z0-9_$]*");
    /** Class file major version minus this is the Java feature release (Java 17 writes 61). */
    private static final int CLASS_VERSION_OFFSET = 44;

    /**
     * How to probe.
     *
     * @param measureSpeed whether to time AEAD sealing (a few seconds in all); false skips it
     * @param warmup warm-up per backend and suite before measuring; 0 to 10 s
     * @param measure measurement time per backend and suite; 1 ms to 10 s
     */
    public record Options(boolean measureSpeed, Duration warmup, Duration measure) {
        private static final Duration MAX = Duration.ofSeconds(10);

        public Options {
            if (warmup.isNegative() || warmup.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("warmup must be 0..10 s, was " + warmup);
            }
            if (measure.toMillis() < 1 || measure.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("measure must be 1 ms..10 s, was " + measure);
            }
        }

        /** Speed on: 100 ms warm-up and 250 ms measurement per backend and suite. */
        public static Options defaults() {
            return new Options(true, Duration.ofMillis(100), Duration.ofMillis(250));
        }

        /** The defaults without the speed measurement. */
        public static Options withoutSpeed() {
            return new Options(false, Duration.ofMillis(100), Duration.ofMillis(250));
        }
    }

    private final Options options;

    public Probe(Options options) {
        this.options = options;
    }

    /** Runs the probe. Never throws for a backend that misbehaves; its failure goes in the report. */
    public ProbeReport run() {
        List<Candidate> candidates;
        ProbeReport.Selected selected;
        List<ProbeReport.Backend> backends = new ArrayList<>();
        try {
            try {
                Selection selection = BackendSelector.select();
                candidates = BackendSelector.discover(); // every backend checked, not only those selection looked at
                selected = new ProbeReport.Selected(selection.backend().name(), selection.reason());
            } catch (IllegalStateException e) {
                candidates = BackendSelector.discover();
                selected = new ProbeReport.Selected(null, e.getMessage());
            }
        } catch (LinkageError e) {
            // A provider class that cannot be linked (e.g. compiled for a newer Java) escaped
            // ServiceLoader's iteration and stopped discovery; report it instead of dying.
            String raw = describeThrowable(e);
            candidates = List.of();
            backends.add(new ProbeReport.Backend(providerName("?", raw), Integer.MIN_VALUE, false,
                    readableReason(raw), Map.of(), Map.of("load error", raw), Map.of(), Map.of()));
            selected = new ProbeReport.Selected(null, "backend discovery stopped at a provider that cannot load ("
                    + readableReason(raw) + "), so no backend was listed or selected");
        }
        for (Candidate c : candidates) {
            backends.add(describe(c));
        }
        long measureMillis = options.measureSpeed() ? options.measure().toMillis() : 0;
        String note = options.measureSpeed()
                ? "indicative, not a benchmark: one thread, in-place seal of " + AeadSpeed.RECORD_BYTES
                        + "-byte records in direct buffers, " + options.warmup().toMillis() + " ms warm-up, "
                        + measureMillis + " ms per figure; use bench/ for real numbers"
                : "skipped";
        return new ProbeReport(cpu(candidates), jvm(), os(), backends, selected,
                new ProbeReport.Speed(options.measureSpeed(), AeadSpeed.RECORD_BYTES, measureMillis, note));
    }

    private ProbeReport.Backend describe(Candidate c) {
        CryptoBackend backend = c.backend();
        Map<String, String> implementations = Map.of();
        Map<String, String> details = new LinkedHashMap<>();
        Map<String, Double> speed = new LinkedHashMap<>();
        Map<String, String> speedErrors = new LinkedHashMap<>();
        String reason = c.unusableReason().map(Probe::readableReason).orElse(null);
        if (c.unusableReason().isPresent() && !reason.equals(c.unusableReason().get())) {
            details.put("load error", c.unusableReason().get());
        }
        if (backend != null) {
            // details() explains an unusable backend best (which libraries were found), so ask
            // even then; a backend that cannot answer says so in the report.
            try {
                details.putAll(backend.details());
            } catch (LinkageError | RuntimeException e) {
                details.put("details() failed", describeThrowable(e));
            }
            if (c.usable()) {
                try {
                    implementations = new LinkedHashMap<>(backend.implementations());
                } catch (LinkageError | RuntimeException e) {
                    implementations = Map.of("implementations() failed", describeThrowable(e));
                }
                if (options.measureSpeed()) {
                    // Warm the shared code path once on every suite first: otherwise the first suite
                    // measured pays for the JIT compiling it and looks several times slower.
                    for (CipherSuite suite : CipherSuite.values()) {
                        try {
                            AeadSpeed.sealMBps(backend, suite, options.warmup().toNanos(), 1_000_000);
                        } catch (LinkageError | RuntimeException e) {
                            // reported by the measurement below
                        }
                    }
                    for (CipherSuite suite : CipherSuite.values()) {
                        try {
                            double mbps = AeadSpeed.sealMBps(backend, suite, options.warmup().toNanos(),
                                    options.measure().toNanos());
                            speed.put(suite.name(), Math.round(mbps * 10) / 10.0);
                        } catch (LinkageError | RuntimeException e) {
                            speedErrors.put(suite.name(), describeThrowable(e));
                        }
                    }
                }
            }
        }
        return new ProbeReport.Backend(providerName(c.name(), c.unusableReason().orElse("")), c.priority(),
                c.usable(), reason, implementations, details,
                speed, speedErrors);
    }

    /**
     * A backend compiled for a newer Java fails to load with an {@link UnsupportedClassVersionError}
     * whose message talks of class file versions; say which Java it needs instead.
     */
    static String readableReason(String reason) {
        if (!reason.contains("UnsupportedClassVersionError")) {
            return reason;
        }
        Matcher m = CLASS_VERSION.matcher(reason);
        String needs = m.find() ? "Java " + (Integer.parseInt(m.group(1)) - CLASS_VERSION_OFFSET) + "+"
                : "a newer Java";
        return "needs " + needs + " (running " + Runtime.version().feature() + ")";
    }

    /**
     * The selector names a provider it could not even load {@code "?"}; the provider's class, as
     * the error message names it, says more.
     */
    static String providerName(String name, String reason) {
        if (!name.equals("?")) {
            return name;
        }
        Matcher m = PROVIDER_CLASS.matcher(reason);
        return m.find() ? m.group().replace('/', '.') : name;
    }

    private static ProbeReport.Cpu cpu(List<Candidate> candidates) {
        for (Candidate c : candidates) {
            if (!c.usable()) {
                continue;
            }
            try {
                Map<String, Boolean> features = c.backend().cpuFeatures();
                if (!features.isEmpty()) {
                    return new ProbeReport.Cpu("backend " + c.name(), new LinkedHashMap<>(features));
                }
            } catch (LinkageError | RuntimeException e) {
                // Try the next backend, then /proc/cpuinfo.
            }
        }
        try {
            String text = Files.readString(PROC_CPUINFO, StandardCharsets.ISO_8859_1);
            Map<String, Boolean> features = CpuInfo.parse(text);
            if (!features.isEmpty()) {
                return new ProbeReport.Cpu(PROC_CPUINFO.toString(), features);
            }
            return new ProbeReport.Cpu("unavailable: no flags or Features line in " + PROC_CPUINFO, Map.of());
        } catch (IOException | SecurityException e) {
            return new ProbeReport.Cpu("unavailable: no backend reports CPU features and " + PROC_CPUINFO
                    + " is not readable (" + e.getClass().getSimpleName() + ")", Map.of());
        }
    }

    private static ProbeReport.Jvm jvm() {
        return new ProbeReport.Jvm(System.getProperty("java.runtime.version", Runtime.version().toString()),
                System.getProperty("java.vendor"), System.getProperty("java.vm.name"), Runtime.version().feature());
    }

    private static ProbeReport.Os os() {
        return new ProbeReport.Os(System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
    }

    private static String describeThrowable(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
