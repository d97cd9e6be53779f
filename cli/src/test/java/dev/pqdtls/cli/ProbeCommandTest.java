package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code pqdtls} command run in-process, with both real backends on the test class path. */
class ProbeCommandTest {

    @Test
    void probeReportsBothBackendsUsable() throws Exception {
        CliRun r = CliRun.run("probe", "--json", "--no-speed");
        assertEquals(0, r.exit(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        List<String> problems = new ArrayList<>();
        for (String name : List.of("ffm", "fallback")) {
            JsonNode found = null;
            for (JsonNode b : root.get("backends")) {
                if (b.get("name").asText().equals(name)) {
                    found = b;
                }
            }
            if (found == null) {
                problems.add(name + ": not found by BackendSelector");
            } else if (!found.get("usable").asBoolean()) {
                problems.add(name + ": unusable: " + found.get("reason").asText());
            }
        }
        if (!problems.isEmpty()) {
            fail("expected both backends usable on this machine; " + String.join("; ", problems)
                    + "\nfull report:\n" + r.out());
        }
        assertTrue(root.get("selected").get("name").isTextual(), r.out());
        assertTrue(root.get("cpu").get("features").isObject(), r.out());
    }

    @Test
    void humanProbeHasOneLinePerBackend() {
        CliRun r = CliRun.run("probe", "--no-speed");
        assertEquals(0, r.exit(), r.err());
        for (String name : List.of("ffm", "fallback")) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(name + " ") && l.contains("usable")),
                    "no line for backend " + name + " in:\n" + r.out());
        }
    }

    @Test
    void helpAndVersionExitZero() {
        CliRun help = CliRun.run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("probe"), help.out());
        CliRun version = CliRun.run("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("pqdtls "), version.out());
        assertTrue(!version.out().contains("${"), "version resource is filtered: " + version.out());
    }

    @Test
    void errorsExitNonZeroWithOneLine() {
        CliRun bad = CliRun.run("probe", "--bogus");
        assertEquals(Main.EXIT_USAGE, bad.exit());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().startsWith("pqdtls: "), bad.err());

        CliRun none = CliRun.run();
        assertEquals(Main.EXIT_USAGE, none.exit());
        assertEquals(1, none.err().lines().count(), none.err());
    }
}
