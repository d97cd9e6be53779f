package dev.pqdtls.fuzz;

import java.lang.management.ManagementFactory;

/**
 * The resource invariants every fuzz target checks besides "no unexpected exception": inputs are
 * capped (a UDP datagram is at most 65,507 bytes, so nothing larger ever arrives), and what the code
 * under test allocates while handling one input is bounded by a multiple of that input. An
 * allocation a hostile length field could inflate (a 16 MiB buffer for a 3-byte length) fails the
 * target. The per-input time bound is set in fuzz/pom.xml: libFuzzer's -timeout while fuzzing, JUnit's
 * invocation timeout in regression mode.
 */
public final class Bounds {
    /** Largest UDP payload over IPv4; larger inputs are cut to this. */
    public static final int MAX_DATAGRAM = 65_507;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Bounds() {
    }

    /** Something to run under an allocation budget. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /**
     * Runs {@code action} and fails if it allocated more than {@code fixed + perInputByte * inputLength}
     * bytes on this thread. The first run of a code path also pays for loading (and, while fuzzing,
     * instrumenting) its classes on this thread, so an action over budget runs once more and only the
     * second measurement counts: the action must build whatever state it works on itself.
     */
    public static void allocation(long fixed, long perInputByte, int inputLength, Action action) throws Exception {
        long budget = fixed + perInputByte * inputLength;
        long used = allocatedBy(action);
        if (used > budget) {
            used = allocatedBy(action);
        }
        if (used > budget) {
            throw new AssertionError("handling a " + inputLength + "-byte input allocated " + used
                    + " bytes, over the budget of " + budget + " (" + fixed + " + " + perInputByte + " per input byte)");
        }
    }

    private static long allocatedBy(Action action) throws Exception {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        action.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** The input cut to at most {@code max} bytes. */
    public static byte[] cap(byte[] input, int max) {
        return input.length <= max ? input : java.util.Arrays.copyOf(input, max);
    }
}
