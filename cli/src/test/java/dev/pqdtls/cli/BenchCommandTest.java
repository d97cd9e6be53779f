package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} in-process through the reflective entry point, raw-UDP row only (no handshakes, a fraction of
 * a second). Checks the report's shape and files, never the figures: the machine is shared.
 */
class BenchCommandTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    @Timeout(60)
    void rawUdpRowWritesTableMarkdownAndPng(@TempDir Path dir) throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "bench needs Java 22+");
        CliRun r = CliRun.run("bench", "--seconds", "0.3", "--warmup", "0.1", "--rows", "4", "--out", dir.toString(),
                "--groups", "X25519", "--suites", "TLS_AES_256_GCM_SHA384");
        assumeTrue(!r.out().contains("native library unusable"),
                "skipped: the native library is unusable here, so raw UDP cannot run:\n" + r.out());
        assertEquals(0, r.exit(), r.out() + r.err());

        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("row") && l.contains("MB/s") && l.contains("records/s")
                && l.contains("× raw UDP")), "no table header in:\n" + r.out());
        assertTrue(r.out().contains("4. raw UDP"), r.out());
        assertTrue(r.out().contains("targets"), r.out());
        assertTrue(r.err().contains("[1/1] raw UDP"), "no progress line in:\n" + r.err());
        assertTrue(r.err().contains("TLS_AES_256_GCM_SHA384, X25519;"), "--suites and --groups reach the runner:\n" + r.err());

        Path md = dir.resolve("end-to-end.md");
        Path png = dir.resolve("end-to-end.png");
        assertTrue(r.out().contains("written: " + md.toAbsolutePath() + ", " + png.toAbsolutePath()), r.out());
        String markdown = Files.readString(md);
        assertTrue(markdown.contains("| row | MB/s | records/s | delivered / sent | not delivered % | × raw UDP |"), markdown);
        assertTrue(markdown.contains("](end-to-end.png)"), "the Markdown embeds the chart:\n" + markdown);
        assertTrue(markdown.contains("## Targets"), markdown);
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 1000, "PNG of " + bytes.length + " bytes");
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, PNG_MAGIC.length), "PNG signature");
    }

    @Test
    void badRowIsAUsageErrorOnOneLine(@TempDir Path dir) {
        assumeTrue(Runtime.version().feature() >= 22, "bench needs Java 22+");
        CliRun r = CliRun.run("bench", "--rows", "15", "--out", dir.toString());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("pqdtls: rows must be among"), r.err());
    }

    @Test
    void handshakesAndConnectionsAreSubcommandsWithTheirOwnHelp() {
        CliRun h = CliRun.run("bench", "handshakes", "--help");
        assertEquals(0, h.exit(), h.err());
        assertTrue(h.out().startsWith("Usage: pqdtls bench handshakes"), h.out());
        for (String option : new String[] {"--clients", "--loops", "--group", "--kinds", "--rows", "--echo", "--profile", "--full",
            "--out", "--wolfssl-dir", "--openssl35"}) {
            assertTrue(h.out().contains(option), option + " in:\n" + h.out());
        }
        CliRun c = CliRun.run("bench", "connections", "--help");
        assertEquals(0, c.exit(), c.err());
        for (String option : new String[] {"--connections", "--clients", "--seconds", "--datagrams", "--backend",
            "--libcrypto", "--loops", "--full", "--out"}) {
            assertTrue(c.out().contains(option), option + " in:\n" + c.out());
        }
        CliRun bench = CliRun.run("bench", "--help");
        assertTrue(bench.out().contains("handshakes") && bench.out().contains("connections"), bench.out());
    }

    @Test
    void subcommandArgumentsAreCheckedByTheRunnerOnOneLine() {
        assumeTrue(Runtime.version().feature() >= 22, "bench needs Java 22+");
        CliRun rows = CliRun.run("bench", "handshakes", "--rows", "12");
        assertEquals(Main.EXIT_USAGE, rows.exit(), rows.out() + rows.err());
        assertEquals(1, rows.err().lines().count(), rows.err());
        assertTrue(rows.err().startsWith("pqdtls: rows must be among [1, 2, 3, 4, 5, 6, 7, 8, 9]"), rows.err());
        CliRun kinds = CliRun.run("bench", "handshakes", "--kinds", "full,0rtt");
        assertEquals(Main.EXIT_USAGE, kinds.exit(), kinds.out() + kinds.err());
        assertEquals(1, kinds.err().lines().count(), kinds.err());
        assertTrue(kinds.err().startsWith("pqdtls: kinds must be among full, resumed, psk, got '0rtt'"), kinds.err());
        CliRun backend = CliRun.run("bench", "connections", "--backend", "openssl");
        assertEquals(Main.EXIT_USAGE, backend.exit(), backend.out() + backend.err());
        assertTrue(backend.err().startsWith("pqdtls: backend must be ffm or fallback, got openssl"), backend.err());
        assertTrue(backend.err().contains("'pqdtls bench connections --help'"), backend.err());
    }
}
