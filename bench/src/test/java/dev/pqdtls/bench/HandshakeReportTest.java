package dev.pqdtls.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.bench.HandshakeBench.Row;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The handshake report's arithmetic, goals and wording on made-up rows (no processes, no timing). */
@Timeout(30)
class HandshakeReportTest {
    private static final NamedGroup HYBRID = NamedGroup.X25519_MLKEM768;
    private static final HandshakeKind FULL = HandshakeKind.FULL;
    private static final HandshakeBench.Options OPTIONS = new HandshakeBench.Options(2, 1,
            List.of(HYBRID, NamedGroup.X25519), List.of(HandshakeKind.values()), HandshakeBench.ALL_ROWS, 16, 2, false, Path.of("/nonexistent/h.md"),
            Path.of("/nonexistent"), Path.of("/nonexistent/libcrypto.so.3"), false);

    /** A full-handshake row: {@code rate} handshakes/s over 2 s, {@code cpuMs} serving threads' CPU per handshake, twice that in all. */
    private static Row row(int number, NamedGroup g, double rate, double cpuMs) {
        return row(number, g, FULL, rate, cpuMs, 0);
    }

    /** A row of {@code kind} in which {@code pskUsed} handshakes took the ticket or PSK. */
    private static Row row(int number, NamedGroup g, HandshakeKind kind, double rate, double cpuMs, long pskUsed) {
        long handshakes = Math.round(rate * 2);
        return new Row(number, "server " + number, g, kind, handshakes, pskUsed, 0, 2, 2 * cpuMs * handshakes,
                cpuMs * handshakes, 900, 4_100, 3, 1, 0, 200, handshakes, "note " + number, null);
    }

    private static HandshakeReport report(Row... rows) {
        return new HandshakeReport(OPTIONS, List.of(rows), Instant.parse("2026-01-02T03:04:05Z"), "`test`", List.of(), 2);
    }

    private static Goal goal(HandshakeReport r, String nameStart) {
        return r.goals().stream().filter(g -> g.name().startsWith(nameStart)).findFirst().orElseThrow();
    }

    @Test
    void rowFiguresComeFromTheWindow() {
        Row r = row(1, HYBRID, 300, 0.8);
        assertEquals(300, r.handshakesPerSecond(), 1e-9);
        assertEquals(1.6, r.serverCpuMsPerHandshake(), 1e-9);
        assertEquals(0.8, r.servingCpuMsPerHandshake(), 1e-9);
        assertEquals(100 * 960.0 / (2 * 1000 * 2), r.serverCpuPercent(2), 1e-9, "960 ms of 2 s on 2 CPUs");
        assertEquals(5, r.clientCpuPercent(2), 1e-9, "200 ms of 4 CPU-seconds");
        assertTrue(Double.isNaN(Row.notMeasured(1, "x", HYBRID, FULL, "why").serverCpuMsPerHandshake()));
    }

    @Test
    void goalsCompareTheHybridRowsOfThisRun() {
        HandshakeReport r = report(row(1, HYBRID, 300, 0.8), row(2, HYBRID, 480, 0.9), row(7, HYBRID, 200, 0.5),
                row(8, HYBRID, 300, 0.5), row(5, HYBRID, 100, 1.6), row(6, HYBRID, 190, 1.6),
                row(1, NamedGroup.X25519, 900, 0.2),
                Row.notMeasured(3, "server 3", HYBRID, FULL, "no OpenSSL 3.5 at /x"));
        Goal cpu30 = goal(r, "server CPU / hybrid handshake, ffm on the system libcrypto");
        assertEquals(0.8, cpu30.value(), 1e-9, "judged on the serving threads");
        assertEquals("met", cpu30.verdict(), "0.8 ms ≤ 0.8 ms");
        assertTrue(cpu30.measured().contains("the whole process: 1.60 ms each"), cpu30.measured());
        assertEquals("missed", goal(r, "server CPU / hybrid handshake, fallback").verdict(), "1.6 ms > 1.5 ms");
        Goal vs = goal(r, "handshakes/s row 1 ÷ wolfSSL row 7");
        assertEquals(1.5, vs.value(), 1e-9);
        assertEquals("met", vs.verdict());
        assertEquals(1.6, goal(r, "handshakes/s row 2 ÷ wolfSSL row 8").value(), 1e-9);
        Goal loops = goal(r, "handshakes/s 2 loops ÷ 1 loop (rows 2, 1)");
        assertEquals(1.6, loops.value(), 1e-9);
        assertEquals("missed", loops.verdict(), "1.6× < 1.8×");
        assertEquals(1.9, goal(r, "handshakes/s 2 loops ÷ 1 loop (rows 6, 5)").value(), 1e-9);

        Goal cpu35 = goal(r, "server CPU / hybrid handshake, ffm on OpenSSL 3.5");
        assertEquals("n/a", cpu35.verdict());
        assertEquals("row 3 not measured: no OpenSSL 3.5 at /x", cpu35.missing());
        assertEquals("row 4 (X25519MLKEM768, full) not run", goal(r, "handshakes/s row 4").missing());
    }

    @Test
    void tableShowsEveryGroupWithTheRatioToWolfSslOfTheSameThreads() {
        HandshakeReport r = report(row(1, HYBRID, 300, 0.8), row(7, HYBRID, 200, 0.5), row(2, HYBRID, 480, 0.9),
                row(1, NamedGroup.X25519, 900, 0.2), Row.notMeasured(7, "server 7", NamedGroup.X25519, FULL, "no wolfSSL build"));
        String md = r.markdown("handshakes.png");
        assertTrue(md.contains("![handshakes/s per row](handshakes.png)"), md);
        assertTrue(md.contains("| row | group | kind | ticket / PSK taken | handshakes/s | server CPU ms / handshake | "
                + "serving threads' CPU ms / handshake |"), md);
        assertTrue(md.contains("| 1. server 1 | X25519MLKEM768 | full | – | 300 | 1.60 | 0.80 | 24 | 0.9 | 4.1 | 3 / 1 | 0 | 5 | 1.50 |"), md);
        assertTrue(md.contains("| 2. server 2 | X25519MLKEM768 | full | – | 480 | 1.80 | 0.90 | 43 | 0.9 | 4.1 | 3 / 1 | 0 | 5 | – |"),
                "no row 8 in this run:\n" + md);
        assertTrue(md.contains("| 7. server 7 | X25519 | full | not measured: no wolfSSL build |"), md);
        assertTrue(md.indexOf("X25519MLKEM768 | full | – | 300") < md.indexOf("| X25519 | full | – | 900"), "groups in the order given");
        assertTrue(md.contains("## Goals"), md);
        assertTrue(md.contains("C wolfssl_clients 5%."), md);
        assertFalse(md.contains("## Profiles"), "no profile without --profile");
        String text = r.text();
        assertTrue(text.lines().findFirst().orElse("").startsWith("row"), text);
        assertTrue(text.contains("goals (this run, full X25519MLKEM768"), text);
    }

    @Test
    void kindsSitNextToTheGroupWithTheirOwnWolfSslRatioAndWhatTheServerTook() {
        HandshakeReport r = report(row(3, HYBRID, 300, 0.8), row(7, HYBRID, 200, 0.5),
                row(3, HYBRID, HandshakeKind.RESUMED, 900, 0.3, 1800), row(7, HYBRID, HandshakeKind.RESUMED, 600, 0.2, 1200),
                row(3, HYBRID, HandshakeKind.PSK, 800, 0.3, 1500), row(7, HYBRID, HandshakeKind.PSK, 1000, 0.2, 2000));
        String md = r.markdown(null);
        assertTrue(md.contains("| 3. server 3 | X25519MLKEM768 | resumed | all | 900 | 0.60 | 0.30 |"), md);
        assertTrue(md.contains("| 1.50 |\n| 7. server 7 | X25519MLKEM768 | resumed |"), "resumed ÷ wolfSSL resumed:\n" + md);
        assertTrue(md.contains("| 3. server 3 | X25519MLKEM768 | psk | 1,500 of 1,600 | 800 |"),
                "a PSK the server refused shows:\n" + md);
        assertTrue(md.contains("| 0.80 |\n| 7. server 7 | X25519MLKEM768 | psk |"), "psk ÷ wolfSSL psk:\n" + md);
        assertTrue(md.indexOf("| full |") < md.indexOf("| resumed |") && md.indexOf("| resumed |") < md.indexOf("| psk |"),
                "kinds in order full, resumed, psk:\n" + md);
        assertTrue(md.contains("Kinds: full"), md);
        assertTrue(md.contains("- 3, X25519MLKEM768, resumed: note 3"), md);
        assertEquals(1.5, goal(r, "handshakes/s row 3 ÷ wolfSSL row 7").value(), 1e-9, "goals judge the full handshakes");
        assertEquals("–", HandshakeReport.taken(row(3, HYBRID, 300, 0.8)));
    }
}
