package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench robustness} in-process through its reflective entry point, replay part only (a few
 * seconds): the options reach the runner and the report is written. The figures are not checked here
 * (the bench module's RobustnessTest asserts the behaviour).
 */
class RobustnessCommandTest {
    @Test
    @Timeout(120)
    void theReplayPartWritesItsReport(@TempDir Path dir) throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "bench needs Java 22+");
        CliRun r = CliRun.run("bench", "robustness", "--parts", "replay", "--out", dir.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("[replay] ffm: ") && r.err().contains("[replay] fallback: "), r.err());
        Path md = dir.resolve("robustness.md");
        assertTrue(r.out().contains("written: " + md.toAbsolutePath()), r.out());
        String markdown = Files.readString(md);
        assertTrue(markdown.contains("## Replay and forgery through the socket path"), markdown);
        assertTrue(markdown.contains("`./pqdtls bench robustness --parts replay`"), "the command, without --out:\n" + markdown);
        assertTrue(markdown.contains("| replay (ffm): nothing delivered twice, no forgery, both counted |"), markdown);
    }

    @Test
    void anUnknownPartIsAUsageErrorOnOneLine() {
        assumeTrue(Runtime.version().feature() >= 22, "bench needs Java 22+");
        CliRun r = CliRun.run("bench", "robustness", "--parts", "loss,bogus");
        assertEquals(Main.EXIT_USAGE, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("pqdtls: --parts: unknown part 'bogus'; parts: loss, flood, soak, replay"), r.err());
    }

    @Test
    void helpNamesTheParts() {
        CliRun r = CliRun.run("bench", "robustness", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("30% loss"), r.out());
        assertEquals("", r.err(), "picocli formats the description without complaint");
        for (String word : new String[] {"--full", "--parts", "--handshakes", "--soak-seconds", "loss", "flood", "soak", "replay"}) {
            assertTrue(r.out().contains(word), word + " missing from:\n" + r.out());
        }
    }
}
