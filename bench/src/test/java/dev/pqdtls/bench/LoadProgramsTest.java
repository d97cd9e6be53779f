package dev.pqdtls.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.ffm.NativeDatagramEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handshake and connection benchmarks end to end in tiny runs: wolfssl_server and wolfssl_clients compile
 * and talk, a pqdtls server JVM serves the C load generator, jcmd's output of a live server parses. Short
 * windows and no figures asserted: this proves the plumbing on a shared machine.
 */
class LoadProgramsTest {
    private static final Path WOLFSSL = EndToEnd.Options.defaultWolfsslDir();

    @BeforeAll
    static void needsWolfSslAndGcc() {
        Path lib = WOLFSSL.resolve("lib/libwolfssl.so");
        Assumptions.assumeTrue(Files.exists(lib), "no wolfSSL build: " + lib + " is missing (ci/build-wolfssl.sh)");
        try {
            CPrograms.wolfSslProgram(WOLFSSL, CPrograms.WOLFSSL_CLIENTS);
            CPrograms.wolfSslProgram(WOLFSSL, CPrograms.WOLFSSL_SERVER);
        } catch (CPrograms.Unavailable e) {
            Assumptions.assumeFalse(e.getMessage().startsWith("gcc not found"), e.getMessage());
            throw new AssertionError("the C programs do not compile: " + e.getMessage(), e);
        }
    }

    private static HandshakeBench.Options options(List<Integer> rows, Path out) {
        return options(rows, List.of(HandshakeKind.FULL), out);
    }

    private static HandshakeBench.Options options(List<Integer> rows, List<HandshakeKind> kinds, Path out) {
        return new HandshakeBench.Options(1, 0.3, List.of(NamedGroup.X25519), kinds, rows, 4, 2, true, out.resolve("h.md"),
                WOLFSSL, HandshakeBench.Options.defaultOpenssl35(), false);
    }

    /** Every counted handshake of a resumed or psk row took the ticket or PSK; a full row took none. */
    private static void assertKind(HandshakeBench.Row r, HandshakeKind kind) {
        assertNull(r.reason(), r::toString);
        assertEquals(kind, r.kind(), r::toString);
        assertTrue(r.handshakes() > 0, r::toString);
        assertEquals(kind == HandshakeKind.FULL ? 0 : r.handshakes(), r.pskUsed(), r::toString);
        Matcher server = Pattern.compile("the server counted (\\d+) ticket/PSK handshakes").matcher(r.note());
        assertTrue(server.find(), r.note());
        long serverPskUsed = Long.parseLong(server.group(1));
        assertTrue(kind == HandshakeKind.FULL ? serverPskUsed == 0 : serverPskUsed > 0, "the server's own count: " + r.note());
    }

    private static List<HandshakeBench.Row> run(HandshakeBench.Options options) throws Exception {
        List<String> progress = new ArrayList<>();
        List<HandshakeBench.Row> rows = new HandshakeBench(options).run(new HandshakeBench.Progress() {
            @Override
            public void started(int index, int count, String what) {
                progress.add(index + "/" + count + " " + what);
            }

            @Override
            public void finished(int index, int count, HandshakeBench.Row row) {
            }
        });
        assertEquals(options.rows().size() * options.kinds().size(), progress.size(), progress::toString);
        return rows;
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void wolfSslServerAndLoadGeneratorCompleteHandshakesWithEchoes(@TempDir Path out) throws Exception {
        HandshakeBench.Row r = run(options(List.of(HandshakeBench.WOLFSSL_MANY), out)).get(0);
        assertNull(r.reason(), r::toString);
        assertTrue(r.handshakes() > 0, r::toString);
        assertTrue(r.serverAccepted() > 0 && r.serverCpuMs() > 0 && r.servingCpuMs() > 0, r::toString);
        assertTrue(r.p50Micros() > 0 && r.p99Micros() >= r.p50Micros(), r::toString);
        assertTrue(r.note().contains("2 thread(s)") && r.note().contains("one echo each"), r.note());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void pqdtlsServerJvmServesTheCLoadGenerator(@TempDir Path out) throws Exception {
        Assumptions.assumeTrue(NativeDatagramEngine.unavailableReason().isEmpty(),
                () -> "native library unusable: " + NativeDatagramEngine.unavailableReason().orElse(""));
        HandshakeBench.Row r = run(options(List.of(HandshakeBench.FFM_ONE), out)).get(0);
        assertNull(r.reason(), r::toString);
        assertTrue(r.serverCpuMs() > 0 && r.servingCpuMs() > 0 && r.servingCpuMs() <= r.serverCpuMs(), r::toString);
        assertTrue(r.note().contains("backend ffm") && r.note().contains("1 event loop(s)"), r.note());
        assertTrue(r.serverRetransmissions() >= 0, "a pqdtls server reports its accepted connections' retransmissions");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void wolfSslServerResumesAndTakesThePskOfTheLoadGenerator(@TempDir Path out) throws Exception {
        List<HandshakeBench.Row> rows = run(options(List.of(HandshakeBench.WOLFSSL_ONE),
                List.of(HandshakeKind.values()), out));
        assertEquals(List.of(HandshakeKind.FULL, HandshakeKind.RESUMED, HandshakeKind.PSK),
                rows.stream().map(HandshakeBench.Row::kind).toList());
        for (HandshakeBench.Row r : rows) {
            assertKind(r, r.kind());
        }
        assertTrue(rows.get(1).note().contains("priming full handshakes"), rows.get(1).note());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void pqdtlsServerResumesAndTakesThePskOfTheLoadGenerator(@TempDir Path out) throws Exception {
        Assumptions.assumeTrue(NativeDatagramEngine.unavailableReason().isEmpty(),
                () -> "native library unusable: " + NativeDatagramEngine.unavailableReason().orElse(""));
        List<HandshakeBench.Row> rows = run(options(List.of(HandshakeBench.FFM_ONE),
                List.of(HandshakeKind.RESUMED, HandshakeKind.PSK), out));
        assertKind(rows.get(0), HandshakeKind.RESUMED);
        assertKind(rows.get(1), HandshakeKind.PSK);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void javaClientRowMeasuresEveryKind(@TempDir Path out) throws Exception {
        Assumptions.assumeTrue(NativeDatagramEngine.unavailableReason().isEmpty(),
                () -> "native library unusable: " + NativeDatagramEngine.unavailableReason().orElse(""));
        List<HandshakeBench.Row> rows = run(options(List.of(HandshakeBench.JAVA_CLIENT),
                List.of(HandshakeKind.values()), out));
        assertKind(rows.get(0), HandshakeKind.FULL); // the client keeps no tickets: none of its handshakes resume
        assertKind(rows.get(1), HandshakeKind.RESUMED); // a session cache per thread, one echo to get each ticket
        assertKind(rows.get(2), HandshakeKind.PSK);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void connectionsAreHeldChurnedClosedAndMeasured(@TempDir Path out) throws Exception {
        // 400 connections take about 1 MB of heap: well above what else moves in the server's heap
        // between two samples (40 did not always show against that noise on a fast machine).
        ConnectionBench.Options options = new ConnectionBench.Options(400, 8, 0.5, 2, NamedGroup.X25519, null, null, 1,
                out.resolve("c.md"), WOLFSSL);
        List<String> steps = new ArrayList<>();
        ConnectionBench.Result r = new ConnectionBench(options).run(new ConnectionBench.Progress() {
            @Override
            public void step(String what) {
                steps.add(what);
            }

            @Override
            public void done(String result) {
            }
        });
        assertEquals(List.of("baseline", "held", "after churn", "after closing"),
                r.snapshots().stream().map(JvmMemory.Snapshot::label).toList());
        assertEquals(400, r.fill().handshakes());
        assertEquals(400, r.held().connections(), "the server holds every connection");
        assertTrue(r.held().heap().bytes() > r.baseline().heap().bytes(), "connections take heap");
        assertTrue(r.held().nmt().byCategory().containsKey("Java Heap"), r.held().nmt()::toString);
        assertTrue(r.held().malloc() > 0 && r.held().rss() > 0, r.held()::toString);
        assertTrue(r.churn().handshakes() >= 0 && r.lost() == 0, r::toString);
        String md = new ConnectionReport(options, r, java.time.Instant.now(), "`test`").markdown(null);
        assertTrue(md.contains("| connections on the server |"), md);
    }
}
