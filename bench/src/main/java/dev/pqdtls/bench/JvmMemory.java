package dev.pqdtls.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server JVM's memory, read from outside with {@code jcmd}: {@code GC.class_histogram} (which runs a full
 * GC first, so its total is the live heap) and {@code VM.native_memory summary} (Native Memory Tracking,
 * committed bytes per category; the JVM must run with {@code -XX:NativeMemoryTracking=summary}); plus what the
 * server says about glibc's malloc and its connections, and its resident set.
 */
final class JvmMemory {
    private static final long JCMD_TIMEOUT_S = 120;
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");
    private static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern NMT_CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB");

    /** Live objects by class after a full GC: instances and bytes, and the totals. */
    record Histogram(long instances, long bytes, Map<String, long[]> byClass) {
    }

    /** Native Memory Tracking's committed bytes: the total and per category ("Java Heap", "Other", ...). */
    record NativeMemory(long committed, Map<String, Long> byCategory) {
        long excludingHeap() {
            return committed - byCategory.getOrDefault("Java Heap", 0L);
        }
    }

    /** Everything measured at one moment. {@code malloc} is -1 when the server cannot tell. */
    record Snapshot(String label, Histogram heap, NativeMemory nmt, long malloc, long rss, long connections) {
    }

    private JvmMemory() {
    }

    /** Takes a snapshot of {@code server}: histogram (full GC) first, then NMT, malloc, connections and RSS. */
    static Snapshot take(String label, ServerProcess server) throws IOException {
        Histogram h = parseHistogram(jcmd(server.pid(), "GC.class_histogram"));
        NativeMemory n = parseNativeMemory(jcmd(server.pid(), "VM.native_memory", "summary"));
        ServerProcess.Stats s = server.stats();
        return new Snapshot(label, h, n, s.malloc(), ProcStats.residentBytes(server.pid()), s.connections());
    }

    /** Runs this JDK's jcmd against {@code pid}; its output, or an exception with it. */
    static String jcmd(long pid, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        cmd.addAll(List.of(command));
        Path out = Files.createTempFile("pqdtls-bench-jcmd-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(JCMD_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + JCMD_TIMEOUT_S + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + CPrograms.tail(text));
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running jcmd");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * {@code jcmd PID GC.class_histogram}: rows {@code "   1:   123   4567  [B (java.base@25)"} and a final
     * {@code "Total   123   4567"}.
     */
    static Histogram parseHistogram(String text) {
        Map<String, long[]> byClass = new LinkedHashMap<>();
        long instances = -1;
        long bytes = -1;
        for (String line : text.split("\\R")) {
            Matcher row = HISTOGRAM_ROW.matcher(line);
            if (row.find()) {
                byClass.merge(row.group(3), new long[] {Long.parseLong(row.group(1)), Long.parseLong(row.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]}); // one name, two class loaders
                continue;
            }
            Matcher total = HISTOGRAM_TOTAL.matcher(line.strip());
            if (total.find()) {
                instances = Long.parseLong(total.group(1));
                bytes = Long.parseLong(total.group(2));
            }
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("no 'Total' line in the class histogram: " + CPrograms.tail(text));
        }
        return new Histogram(instances, bytes, byClass);
    }

    /**
     * {@code jcmd PID VM.native_memory summary}: {@code "Total: reserved=...KB, committed=...KB"} and a line
     * {@code "-  Category (reserved=...KB, committed=...KB)"} per category.
     */
    static NativeMemory parseNativeMemory(String text) {
        Map<String, Long> byCategory = new LinkedHashMap<>();
        long committed = -1;
        for (String line : text.split("\\R")) {
            String l = line.strip();
            Matcher total = NMT_TOTAL.matcher(l);
            if (total.find()) {
                committed = Long.parseLong(total.group(2)) * 1024;
                continue;
            }
            Matcher c = NMT_CATEGORY.matcher(l);
            if (c.find()) {
                byCategory.put(c.group(1).strip(), Long.parseLong(c.group(3)) * 1024);
            }
        }
        if (committed < 0) {
            throw new IllegalArgumentException("no NMT 'Total:' line (is the JVM running with "
                    + "-XX:NativeMemoryTracking=summary?): " + CPrograms.tail(text));
        }
        return new NativeMemory(committed, byCategory);
    }
}
