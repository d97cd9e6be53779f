package dev.pqdtls.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.bench.JvmMemory.Histogram;
import dev.pqdtls.bench.JvmMemory.NativeMemory;
import dev.pqdtls.bench.JvmMemory.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** jcmd's output as JDK 25 prints it, and the connection report's per-connection arithmetic on made-up snapshots. */
@Timeout(30)
class ConnectionReportTest {
    private static final String HISTOGRAM = """
            23327:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         15399         758136  [B (java.base@25.0.3)
               2:          3302         425688  java.lang.Class (java.base@25.0.3)
               3:            10            400  dev.pqdtls.internal.engine.ServerConnection
               4:             5            200  dev.pqdtls.internal.engine.ServerConnection
             824:             1             16  sun.nio.fs.NativeBuffers$1 (java.base@25.0.3)
            Total         18717        1184440
            """;

    private static final String NMT = """
            23327:

            Native Memory Tracking:

            (Omitting categories weighting less than 1KB)

            Total: reserved=7737502KB, committed=479358KB
                   malloc: 13610KB #47205, peak=18167KB #42762
                   mmap:   reserved=7723892KB, committed=465748KB

            -                 Java Heap (reserved=6172672KB, committed=393216KB)
                                        (mmap: reserved=6172672KB, committed=393216KB, at peak)

            -                     Class (reserved=1048778KB, committed=1418KB)
                                        (classes #2815)

            -                     Other (reserved=2048KB, committed=2048KB)
                                        (malloc=2048KB #12)
            """;

    @Test
    void parsesTheClassHistogram() {
        Histogram h = JvmMemory.parseHistogram(HISTOGRAM);
        assertEquals(1184440, h.bytes());
        assertEquals(18717, h.instances());
        assertArrayEquals(new long[] {15399, 758136}, h.byClass().get("[B"));
        assertArrayEquals(new long[] {15, 600}, h.byClass().get("dev.pqdtls.internal.engine.ServerConnection"),
                "one name from two class loaders is added up");
        assertThrows(IllegalArgumentException.class, () -> JvmMemory.parseHistogram("12: no such process"));
    }

    @Test
    void parsesNativeMemoryTracking() {
        NativeMemory n = JvmMemory.parseNativeMemory(NMT);
        assertEquals(479358L * 1024, n.committed());
        assertEquals(393216L * 1024, n.byCategory().get("Java Heap"));
        assertEquals(2048L * 1024, n.byCategory().get("Other"));
        assertEquals((479358L - 393216L) * 1024, n.excludingHeap());
        IllegalArgumentException off = assertThrows(IllegalArgumentException.class,
                () -> JvmMemory.parseNativeMemory("Native memory tracking is not enabled"));
        assertTrue(off.getMessage().contains("-XX:NativeMemoryTracking=summary"), off.getMessage());
    }

    private static Snapshot snapshot(String label, long heap, long other, long malloc, long connections, long conns) {
        return new Snapshot(label, new Histogram(10, heap, Map.of("[B", new long[] {conns * 4, conns * 400},
                "dev.pqdtls.internal.engine.ServerConnection", new long[] {conns, conns * 168})),
                new NativeMemory(100_000_000 + other, Map.of("Java Heap", 100_000_000L, "Other", other)), malloc,
                200_000_000 + malloc, connections);
    }

    @Test
    void bytesPerHeldConnectionAndWhatHoldsThem() {
        int n = 1000;
        List<Snapshot> snaps = List.of(snapshot("baseline", 8_000_000, 3_000_000, 20_000_000, 0, 0),
                snapshot("held", 17_000_000, 71_000_000, 100_000_000, n, n),
                snapshot("after churn", 17_050_000, 71_000_000, 100_000_000, n, n),
                snapshot("after closing", 8_100_000, 3_000_000, 21_000_000, 0, 0));
        ConnectionBench.Phase fill = new ConnectionBench.Phase(n, 2.0, 4, 0, 800, 3_000, "1 source address(es)");
        ConnectionBench.Phase churn = new ConnectionBench.Phase(300, 5.0, 0, 1, 0, 0, "");
        KeyValues server = KeyValues.parse("listening port=1 backend=ffm loops=2 crypto=3.0.19 pid=7", "listening");
        ConnectionBench.Options options = new ConnectionBench.Options(n, 32, 5, 3, NamedGroup.X25519_MLKEM768, null,
                null, 2, Path.of("/nonexistent/c.md"), Path.of("/nonexistent"));
        ConnectionReport r = new ConnectionReport(options, new ConnectionBench.Result(server, snaps, fill, churn, 0),
                Instant.parse("2026-01-02T03:04:05Z"), "`test`");

        assertEquals(9_000, r.perConnection(s -> s.heap().bytes()), 1e-9);
        assertEquals(68_000, r.perConnection(s -> s.nmt().byCategory().get("Other")), 1e-9);
        assertEquals(80_000, r.perConnection(Snapshot::malloc), 1e-9);
        String md = r.markdown(null);
        assertTrue(md.contains("| live heap after a full GC (GC.class_histogram total) | 8.0 | 17.0 | 17.1 | 8.1 | 9,000 "
                + "| +50 | +0.1 |"), md);
        assertTrue(md.contains("| NMT Other (FFM arenas, direct buffers) | 3.0 | 71.0 | 71.0 | 3.0 | 68,000 | +0 | +0.0 |"), md);
        assertTrue(md.contains("| connections on the server | 0 | 1,000 | 1,000 | 0 |"), md);
        assertTrue(md.contains("| [B | 4.00 | 400 |"), md);
        assertTrue(md.contains("| dev.pqdtls.internal.engine.ServerConnection | 1.00 | 168 |"), md);
        assertTrue(md.contains("| Other | 68,000 |"), md);
        assertTrue(md.contains("= 500 handshakes/s (32 in flight)"), md);
        assertTrue(md.contains("backend ffm, libcrypto 3.0.19, 2 event loop(s)"), md);
        assertTrue(r.text().lines().findFirst().orElse("").startsWith("server memory"), r.text());
    }
}
