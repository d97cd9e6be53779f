package dev.pqdtls.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.NamedGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the runners parse: the C programs' key=value lines, /proc, the entry points' arguments. */
@Timeout(30)
class BenchParsingTest {
    @Test
    void keyValueLinesOfTheCPrograms() {
        KeyValues r = KeyValues.parse("result handshakes=812 window_seconds=2.500000 p50_us=9100 cpu_ms=310.5", "result");
        assertEquals(812, r.integer("handshakes"));
        assertEquals(310.5, r.decimal("cpu_ms"), 1e-9);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> r.integer("failures"));
        assertTrue(missing.getMessage().contains("no failures="), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyValues.parse("results x=1", "result"), "a tag is a whole word");
        assertThrows(IllegalArgumentException.class, () -> KeyValues.parse("stats accepted=x", "stats").integer("accepted"));
    }

    @Test
    void cpuTicksAreCountedAfterTheCommandName() {
        // field 2 may hold spaces and parentheses; utime and stime are fields 14 and 15
        String stat = "4242 (java (bench) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 31 0 99 0 0";
        assertEquals(1234 + 567, ProcStats.parseCpuTicks(stat));
        assertThrows(IllegalArgumentException.class, () -> ProcStats.parseCpuTicks("4242 (java) S 1"));
        assertEquals(123_456L * 1024, ProcStats.parseResidentBytes("Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\n"));
        assertEquals(7365763L, ProcStats.parseRunNanos("7365763 42771365 9\n"));
    }

    @Test
    void cpuTimeOfThisProcessIsTheJvmsOwnAccount() throws Exception {
        long pid = ProcessHandle.current().pid();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double before = ProcStats.cpuMillis(pid);
        long x = 0;
        // 200 ms of this thread's CPU time, however long the machine's other work makes that take
        for (long end = threads.getCurrentThreadCpuTime() + 200_000_000L; threads.getCurrentThreadCpuTime() < end; ) {
            x += Long.numberOfTrailingZeros(x + 1);
        }
        double spent = ProcStats.cpuMillis(pid) - before;
        assertTrue(spent >= 200, "the process spent " + spent + " ms of CPU, this thread alone 200 (" + x + ")");
        double jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e6;
        double ours = ProcStats.cpuMillis(pid);
        assertTrue(Math.abs(jvm - ours) < 100 + 0.05 * jvm, "the JVM says " + jvm + " ms, ProcStats " + ours + " ms");
        assertTrue(ProcStats.residentBytes(pid) > 1 << 20);
        assertEquals(0, ProcStats.threadsCpuMillis(pid, "no-such-thread-"), 0);
    }

    @Test
    void cpuTimeOfNamedThreads() throws Exception {
        CountDownLatch worked = new CountDownLatch(1);
        CountDownLatch measured = new CountDownLatch(1);
        Thread worker = Thread.ofPlatform().name("bench-cpu-test").start(() -> {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long x = 0;
            for (long end = threads.getCurrentThreadCpuTime() + 200_000_000L; threads.getCurrentThreadCpuTime() < end; ) {
                x += Long.numberOfTrailingZeros(x + 1);
            }
            worked.countDown();
            try {
                measured.await(); // alive while measured: ended threads are not counted
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(worked.await(60, TimeUnit.SECONDS));
        long pid = ProcessHandle.current().pid();
        double named = ProcStats.threadsCpuMillis(pid, "bench-cpu-test");
        double process = ProcStats.cpuMillis(pid);
        measured.countDown();
        worker.join();
        assertTrue(named >= 200 && named <= process, "the worker: " + named + " ms, the process: " + process + " ms");
    }

    @Test
    void argumentsAreCheckedAndTheQuotedCommandLineHasNoPaths() {
        String[] args = {"--rows", "1,7", "--group", "X25519,X25519MLKEM768", "--full", "--out", "/tmp/x",
            "--openssl35", "/opt/lib.so", "--clients", "8"};
        BenchArgs a = new BenchArgs(args, Set.of("--full"), Set.of("--rows", "--group", "--out", "--openssl35", "--clients"));
        assertEquals(List.of(1, 7), a.rows("--rows", HandshakeBench.ALL_ROWS));
        assertEquals(List.of(NamedGroup.X25519, NamedGroup.X25519_MLKEM768), a.groups("--group", List.of()));
        assertEquals(8, a.integer("--clients", 16));
        assertTrue(a.flag("--full"));
        assertEquals("./pqdtls bench handshakes --rows 1,7 --group X25519,X25519MLKEM768 --full --clients 8",
                a.invocation("handshakes"));
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> new BenchArgs(new String[] {"--rows", "1,12"}, Set.of(), Set.of("--rows"))
                        .rows("--rows", HandshakeBench.ALL_ROWS));
        assertTrue(rows.getMessage().startsWith("rows must be among [1, 2, 3, 4, 5, 6, 7, 8, 9]"), rows.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BenchArgs(new String[] {"--bogus"}, Set.of(), Set.of()));
        assertThrows(IllegalArgumentException.class, () -> new BenchArgs(new String[] {"--clients"}, Set.of(), Set.of("--clients")));
        assertThrows(IllegalArgumentException.class,
                () -> new BenchArgs(new String[] {"--clients", "2.5"}, Set.of(), Set.of("--clients")).integer("--clients", 1));
    }

    @Test
    void kindsAreParsedInMeasuringOrderAndBadOnesNamed() {
        Set<String> kinds = Set.of("--kinds");
        assertEquals(List.of(HandshakeKind.FULL, HandshakeKind.RESUMED, HandshakeKind.PSK), HandshakeBench.parse(
                new BenchArgs(new String[] {"--kinds", "psk,full,resumed,psk"}, Set.of(), kinds)).kinds());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> HandshakeBench.parse(
                new BenchArgs(new String[] {"--kinds", "full,0rtt"}, Set.of(), kinds)));
        assertEquals("kinds must be among full, resumed, psk, got '0rtt'", bad.getMessage());
        assertEquals("pqdtls-bench:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                HandshakeKind.pskArgument(), "the C programs' --psk");
        assertEquals(HandshakeKind.PSK_IDENTITY, new String(BenchServer.psk(HandshakeKind.pskArgument()).identity(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void defaultsFollowTheMode() {
        HandshakeBench.Options shortMode = HandshakeBench.parse(new BenchArgs(new String[0], Set.of(), Set.of()));
        assertEquals(HandshakeBench.SHORT_SECONDS, shortMode.seconds());
        assertEquals(List.of(NamedGroup.X25519_MLKEM768), shortMode.groups());
        HandshakeBench.Options fullMode = HandshakeBench.parse(new BenchArgs(new String[] {"--full"}, Set.of("--full"), Set.of()));
        assertEquals(List.of(NamedGroup.X25519_MLKEM768, NamedGroup.X25519), fullMode.groups());
        assertEquals(HandshakeBench.FULL_SECONDS, fullMode.seconds());
        assertEquals(List.of(HandshakeKind.FULL), shortMode.kinds(), "full handshakes unless --kinds says otherwise");
        assertEquals(List.of(HandshakeKind.FULL), fullMode.kinds());
        assertTrue(shortMode.markdown().endsWith("handshakes.md"));
        ConnectionBench.Options full = ConnectionBench.parse(new BenchArgs(new String[] {"--full"}, Set.of("--full"), Set.of()));
        assertEquals(ConnectionBench.FULL_CONNECTIONS, full.connections());
        assertTrue(full.markdown().endsWith("connections.md"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionBench.parse(
                new BenchArgs(new String[] {"--backend", "openssl"}, Set.of(), Set.of("--backend"))));
    }
}
