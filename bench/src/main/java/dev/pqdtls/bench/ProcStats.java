package dev.pqdtls.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What Linux tells about another process: its CPU time (user + system, all threads, including threads that
 * have ended) and its resident memory.
 */
final class ProcStats {
    /** sysconf(_SC_CLK_TCK): the unit of utime/stime in /proc/PID/stat. */
    private static final long TICKS_PER_SECOND;
    /** glibc's clock_getcpuclockid(pid_t, clockid_t *) and clock_gettime(clockid_t, struct timespec *). */
    private static final MethodHandle CPU_CLOCK_ID;
    private static final MethodHandle CLOCK_GETTIME;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        TICKS_PER_SECOND = clockTicks(linker, libc);
        CPU_CLOCK_ID = libc.find("clock_getcpuclockid").map(f -> linker.downcallHandle(f,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS))).orElse(null);
        CLOCK_GETTIME = libc.find("clock_gettime").map(f -> linker.downcallHandle(f,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS))).orElse(null);
    }

    private ProcStats() {
    }

    /**
     * User + system CPU time of process {@code pid} so far, in milliseconds: the process's CPU-time clock
     * (nanoseconds), else /proc/PID/stat's utime + stime (10 ms resolution with USER_HZ 100).
     */
    static double cpuMillis(long pid) throws IOException {
        OptionalLong nanos = cpuClockNanos(pid);
        if (nanos.isPresent()) {
            return nanos.getAsLong() / 1e6;
        }
        return parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * 1000.0 / TICKS_PER_SECOND;
    }

    private static OptionalLong cpuClockNanos(long pid) {
        if (CPU_CLOCK_ID == null || CLOCK_GETTIME == null) {
            return OptionalLong.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment ts = arena.allocate(16); // struct timespec: tv_sec, tv_nsec (64-bit Linux)
            if ((int) CPU_CLOCK_ID.invokeExact((int) pid, id) != 0
                    || (int) CLOCK_GETTIME.invokeExact(id.get(ValueLayout.JAVA_INT, 0), ts) != 0) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8));
        } catch (Throwable e) {
            return OptionalLong.empty();
        }
    }

    /**
     * CPU time so far of the threads of process {@code pid} whose name ({@code /proc/PID/task/TID/comm}, at most
     * 15 characters) starts with {@code prefix}, in milliseconds: the sum of their {@code schedstat} run times
     * (nanoseconds). Threads that have ended are not counted: meant for long-lived threads such as event loops.
     */
    static double threadsCpuMillis(long pid, String prefix) throws IOException {
        long nanos = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("comm")).startsWith(prefix)) {
                        nanos += parseRunNanos(Files.readString(task.resolve("schedstat")));
                    }
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return nanos / 1e6;
    }

    /** The first field of a schedstat line: time spent on a CPU, in nanoseconds. */
    static long parseRunNanos(String schedstat) {
        return Long.parseLong(schedstat.trim().split("\\s+")[0]);
    }

    /**
     * utime + stime of a /proc/PID/stat line, fields 14 and 15; the command name (field 2, in parentheses)
     * may itself hold spaces and parentheses, so fields are counted after the last ')'.
     */
    static long parseCpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        if (f.length < 13) {
            throw new IllegalArgumentException("short /proc/PID/stat line: " + stat);
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // field 3 (state) is f[0]
    }

    /** VmRSS of process {@code pid}, in bytes. */
    static long residentBytes(long pid) throws IOException {
        return parseResidentBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    static long parseResidentBytes(String status) {
        for (String l : status.split("\n")) {
            if (l.startsWith("VmRSS:")) {
                String[] f = l.substring(6).trim().split("\\s+");
                return Long.parseLong(f[0]) * 1024; // always kB
            }
        }
        throw new IllegalArgumentException("no VmRSS line in /proc/PID/status");
    }

    private static long clockTicks(Linker linker, SymbolLookup libc) {
        try {
            MethodHandle sysconf = linker.downcallHandle(libc.find("sysconf").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            long t = (long) sysconf.invokeExact(2); // _SC_CLK_TCK
            return t > 0 ? t : 100;
        } catch (Throwable e) {
            return 100; // USER_HZ on every Linux architecture pqdtls runs on
        }
    }
}
