package dev.pqdtls.bench.robustness;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.spi.CryptoBackend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process's memory at one moment: the Java heap in use right after a full collection, the bytes
 * malloc has handed out and not had back (glibc's {@code mallinfo2}, where native contexts, OpenSSL
 * and the JDK's own native allocations live), the resident set, and the backend's live native contexts.
 * The resident set is shown for reference only: the JVM and malloc keep freed memory mapped, so it
 * does not come back down when the others do. With Native Memory Tracking on
 * ({@code -XX:NativeMemoryTracking=summary}), {@code jvmMalloc} is what the JVM itself has malloc'ed
 * (the JIT compilers' arenas and pools above all, which grow as it compiles), so that
 * {@link #outsideJvm()} is the memory of the libraries: OpenSSL, pqdtls' C code, JNA.
 *
 * @param mallocMapped what malloc has handed out in mmap'ed chunks (its large allocations: {@code mallinfo2}'s
 *     hblkhd), which NMT counts and {@code mallocInUse} does not
 * @param jvmMalloc the JVM's own malloc'ed bytes by NMT, or -1 without NMT
 */
public record MemorySample(long heapAfterGc, long mallocInUse, long mallocMapped, long jvmMalloc, long resident,
        Map<String, Long> nativeContexts) {
    private static final StructLayout MALLINFO2 = MemoryLayout.structLayout(
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final Optional<MethodHandle> MALLINFO2_CALL = Linker.nativeLinker().defaultLookup().find("mallinfo2")
            .map(f -> Linker.nativeLinker().downcallHandle(f, FunctionDescriptor.of(MALLINFO2)));

    /**
     * Once things are quiet: collects garbage and samples, again every 250 ms until two samples agree (the
     * live native contexts equal, malloc within 256 KB), at most 10 s. What a Cleaner frees goes after a
     * collection, and a closing endpoint frees its socket buffers on its own thread, neither with an event
     * to wait on.
     */
    public static MemorySample settled(CryptoBackend backend) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        MemorySample last = now(backend);
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
            MemorySample next = now(backend);
            if (next.nativeContexts.equals(last.nativeContexts) && Math.abs(next.mallocInUse - last.mallocInUse) <= 256 * 1024) {
                return next;
            }
            last = next;
        }
        return last;
    }

    /** Under load: one collection, then the sample. */
    public static MemorySample now(CryptoBackend backend) {
        System.gc();
        System.gc();
        long[] malloc = mallinfo();
        return new MemorySample(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), malloc[0], malloc[1],
                malloc[0] < 0 ? -1 : jvmMallocBytes(), residentBytes(), backend.liveNativeContexts());
    }

    /** malloc'ed bytes outside the JVM's own when NMT says what those are, else all of them. */
    public long outsideJvm() {
        return jvmMalloc < 0 ? mallocInUse : mallocInUse + mallocMapped - jvmMalloc;
    }

    /** NMT's total malloc ("malloc: 13610KB #47205") through the DiagnosticCommand MBean; -1 without NMT. */
    static long jvmMallocBytes() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("malloc: (\\d+)KB").matcher(String.valueOf(out));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (javax.management.JMException | RuntimeException e) {
            return -1;
        }
    }

    /** Every kind of live native context, summed. */
    public long nativeContextsTotal() {
        return nativeContexts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** glibc's mallinfo2() field 7 (uordblks), over all arenas; -1 where there is no mallinfo2. */
    static long mallocBytesInUse() {
        return mallinfo()[0];
    }

    /** mallinfo2()'s uordblks and hblkhd (in use in the arenas, in mmap'ed chunks); -1s without mallinfo2. */
    private static long[] mallinfo() {
        if (MALLINFO2_CALL.isEmpty()) {
            return new long[] {-1, -1};
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) MALLINFO2_CALL.get().invokeExact((SegmentAllocator) arena);
            return new long[] {info.get(JAVA_LONG, 7 * 8), info.get(JAVA_LONG, 4 * 8)};
        } catch (Throwable e) {
            return new long[] {-1, -1};
        }
    }

    /** VmRSS from /proc/self/status, in bytes; -1 off Linux. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** "heap 41.2 MB, malloc 23.0 MB (JVM's own 15.1 MB), RSS 180.1 MB, native contexts 0". */
    public String summary() {
        return String.format(Locale.ROOT, "heap %s, malloc %s%s, RSS %s, native contexts %d", mb(heapAfterGc), mb(mallocInUse),
                jvmMalloc < 0 ? "" : " (JVM's own " + mb(jvmMalloc) + ")", mb(resident), nativeContextsTotal());
    }

    static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
