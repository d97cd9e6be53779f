package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code server --metrics --audit-log} and the limit options, with a refused client. */
class ServerOperationTest {
    private static final Pattern LISTENING = Pattern.compile("^listening on 127\\.0\\.0\\.1:(\\d+) .*");

    @Test
    @Timeout(60)
    void metricsLinesCountAndTheAuditLogRecordsARefusedClient(@TempDir Path dir) throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        LineCapture serverOut = new LineCapture();
        StringWriter serverErr = new StringWriter();
        CommandLine server = Main.commandLine();
        server.setOut(new PrintWriter(serverOut, true));
        server.setErr(new PrintWriter(serverErr, true));
        CompletableFuture<Integer> serverExit = CompletableFuture.supplyAsync(() -> server.execute("server", "--port", "0",
                "--echo", "--groups", "X25519", "--metrics", "1", "--audit-log", audit.toString(), "--max-handshakes", "50",
                "--handshake-rate", "10", "--handshake-burst", "20", "--max-connections-per-source", "10"));
        try {
            String listening = serverOut.await(l -> LISTENING.matcher(l).matches(), Duration.ofSeconds(30))
                    .orElseThrow(() -> new AssertionError("no 'listening on' line: " + serverOut + serverErr));
            Matcher m = LISTENING.matcher(listening);
            assertTrue(m.matches());
            String target = "127.0.0.1:" + m.group(1);
            CliRun ok = CliRun.run("client", target, "--insecure", "--groups", "X25519", "--message", "hi");
            assertEquals(0, ok.exit(), ok.out() + ok.err());
            CliRun refused = CliRun.run("client", target, "--insecure", "--groups", "MLKEM768", "--timeout", "5");
            assertEquals(1, refused.exit(), refused.out() + refused.err());
            assertTrue(serverOut.await(l -> l.startsWith("metrics: ") && l.contains("completed=1")
                    && l.contains("failed=1 {handshake_failure=1}"), Duration.ofSeconds(10)).isPresent(), serverOut.toString());
        } finally {
            ((ServerCommand) server.getSubcommands().get("server").getCommand()).stop();
        }
        assertEquals(0, serverExit.get(10, TimeUnit.SECONDS), serverOut + serverErr.toString());
        assertTrue(serverOut.toString().contains("server stopped"), serverOut.toString());
        List<String> lines = Files.readAllLines(audit);
        assertEquals(1, lines.size(), lines.toString());
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertEquals("handshake_failed", line.get("event").asText());
        assertEquals("handshake_failure", line.get("alert").asText());
        assertTrue(line.get("peer").asText().startsWith("127.0.0.1:"), line.toString());
    }

    @Test
    @Timeout(30)
    void aLimitOutOfBoundsIsAUsageErrorNamingTheOption() {
        CliRun r = CliRun.run("server", "--port", "0", "--max-handshakes", "0");
        assertEquals(Main.EXIT_USAGE, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("maxHandshakes must be in [1, 10000000], was 0"), r.err());
    }
}
