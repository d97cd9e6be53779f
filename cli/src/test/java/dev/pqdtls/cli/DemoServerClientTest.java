package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.NamedGroup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code demo}, {@code server} and {@code client} run in-process through picocli, output captured. */
class DemoServerClientTest {
    private static final Pattern LISTENING = Pattern.compile("^listening on 127\\.0\\.0\\.1:(\\d+) .*");

    @Test
    @Timeout(60)
    void demoShakesHandsWithTheHybridGroupAndReportsThroughput() {
        CliRun r = CliRun.run("demo", "--megabytes", "1");
        assertEquals(0, r.exit(), r.out() + r.err());
        long hybridHandshakes = r.out().lines()
                .filter(l -> l.contains("handshake: version=DTLSv1.3 ") && l.contains(" group=X25519MLKEM768 ")).count();
        assertEquals(2, hybridHandshakes, r.out());
        assertTrue(Pattern.compile("\\d+(\\.\\d+)? MB/s").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("records/s"), r.out());
        assertTrue(Pattern.compile("delivered [\\d,]+ of [\\d,]+ datagrams").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("backend "), r.out());
    }

    @Test
    @Timeout(60)
    void demoOnTheFallbackSaysWhyNotFfm() {
        CliRun r = CliRun.run("demo", "--megabytes", "1", "--backend", "fallback", "--group", "X25519");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("backend=fallback"), r.out());
        assertTrue(r.out().contains("requested"), r.out());
        assertTrue(r.out().contains("NOT post-quantum"), r.out());
    }

    @Test
    @Timeout(60)
    void clientGetsEveryEchoFromTheServer() throws Exception {
        LineCapture serverOut = new LineCapture();
        StringWriter serverErr = new StringWriter();
        CommandLine server = Main.commandLine();
        server.setOut(new PrintWriter(serverOut, true));
        server.setErr(new PrintWriter(serverErr, true));
        CompletableFuture<Integer> serverExit = CompletableFuture.supplyAsync(
                () -> server.execute("server", "--port", "0", "--echo"));
        try {
            String listening = serverOut.await(l -> LISTENING.matcher(l).matches(), Duration.ofSeconds(30))
                    .orElseThrow(() -> new AssertionError("no 'listening on' line: " + serverOut + serverErr));
            Matcher m = LISTENING.matcher(listening);
            assertTrue(m.matches());
            int port = Integer.parseInt(m.group(1));
            assertTrue(serverOut.toString().contains("ephemeral self-signed ECDSA P-256"), serverOut.toString());

            CliRun c = CliRun.run("client", "127.0.0.1:" + port, "--insecure", "--message", "hi", "--count", "3", "--timeout", "10");
            assertEquals(0, c.exit(), c.out() + c.err());
            assertEquals(List.of("echo: hi", "echo: hi", "echo: hi"),
                    c.out().lines().filter(l -> l.startsWith("echo: ")).toList(), c.out());
            assertTrue(c.out().lines().anyMatch(l -> l.startsWith("handshake: version=DTLSv1.3 suite=")
                    && l.contains(" group=X25519MLKEM768 ") && l.endsWith(" peer=127.0.0.1:" + port)), c.out());
            assertTrue(c.err().contains("--insecure"), "a loud warning on stderr: " + c.err());
            // The server printed its own handshake line for this client.
            assertTrue(serverOut.await(l -> l.startsWith("handshake: version=DTLSv1.3 "), Duration.ofSeconds(10)).isPresent(),
                    serverOut.toString());

            CliRun ku = CliRun.run("client", "127.0.0.1:" + port, "--insecure", "--key-update", "--groups", "X25519",
                    "--suites", "TLS_CHACHA20_POLY1305_SHA256", "--message", "after update", "--count", "2");
            assertEquals(0, ku.exit(), ku.out() + ku.err());
            assertTrue(ku.out().contains("suite=TLS_CHACHA20_POLY1305_SHA256 group=X25519 "), ku.out());
            assertTrue(ku.out().lines().anyMatch(l -> l.startsWith("key update: ")), ku.out());
            assertEquals(2, ku.out().lines().filter(l -> l.equals("echo: after update")).count(), ku.out());
        } finally {
            ((ServerCommand) server.getSubcommands().get("server").getCommand()).stop();
        }
        assertEquals(0, serverExit.get(10, TimeUnit.SECONDS), serverOut + serverErr.toString());
        assertTrue(serverOut.toString().contains("server stopped"), serverOut.toString());
    }

    @Test
    @Timeout(30)
    void clientFailsWithinTheTimeoutWhenNobodyListens() throws Exception {
        int port;
        // A port that was free a moment ago; UDP gives no error for it, so only the timeout ends the wait.
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        CliRun r = CliRun.run("client", "127.0.0.1:" + port, "--insecure", "--timeout", "1");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(seconds < 10, "took " + seconds + " s");
        List<String> reasons = r.err().lines().filter(l -> l.startsWith("pqdtls: ") && !l.contains("WARNING")).toList();
        assertEquals(1, reasons.size(), r.err());
        assertTrue(reasons.get(0).contains("127.0.0.1:" + port), reasons.get(0));
    }

    @Test
    @Timeout(30)
    void unknownNamesAreUsageErrorsListingTheValidOnes() {
        CliRun g = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--groups", "X25519,Kyber512");
        assertEquals(Main.EXIT_USAGE, g.exit(), g.err());
        assertEquals(1, g.err().lines().count(), g.err());
        for (NamedGroup n : NamedGroup.values()) {
            assertTrue(g.err().contains(n.displayName()), g.err());
        }
        CliRun demo = CliRun.run("demo", "--group", "nope");
        assertEquals(Main.EXIT_USAGE, demo.exit(), demo.err());
        assertTrue(demo.err().contains("X25519MLKEM768"), demo.err());

        CliRun s = CliRun.run("server", "--port", "0", "--suites", "TLS_AES_128_CCM_SHA256");
        assertEquals(Main.EXIT_USAGE, s.exit(), s.err());
        assertTrue(s.err().contains("TLS_CHACHA20_POLY1305_SHA256"), s.err());

        CliRun cookie = CliRun.run("server", "--port", "0", "--cookie", "sometimes");
        assertEquals(Main.EXIT_USAGE, cookie.exit(), cookie.err());
        assertTrue(cookie.err().contains("under-load"), cookie.err());

        CliRun target = CliRun.run("client", "localhost");
        assertEquals(Main.EXIT_USAGE, target.exit(), target.err());

        CliRun backend = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--backend", "quantum");
        assertEquals(Main.EXIT_USAGE, backend.exit(), backend.err());
        assertTrue(backend.err().contains("fallback"), backend.err());

        CliRun mtu = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--mtu", "10");
        assertEquals(Main.EXIT_USAGE, mtu.exit(), mtu.err());
        assertTrue(mtu.err().contains("mtu"), mtu.err());
    }

    @Test
    void helpTextsListTheValidNames() {
        assertEquals(ProtocolOptions.GROUP_NAMES.length(), ProtocolOptions.GROUPS_HELP.length());
        for (String n : ProtocolOptions.GROUP_NAMES.split(", ")) {
            assertTrue(ProtocolOptions.GROUPS_HELP.contains(n), n);
        }
        for (String n : ProtocolOptions.SUITE_NAMES.split(", ")) {
            assertTrue(ProtocolOptions.SUITES_HELP.contains(n), n);
        }
        CliRun help = CliRun.run("--help");
        for (String cmd : List.of("demo", "server", "client", "probe")) {
            assertTrue(help.out().contains(cmd), help.out());
        }
        CliRun clientHelp = CliRun.run("client", "--help");
        assertEquals(0, clientHelp.exit());
        assertTrue(clientHelp.out().contains("SecP256r1MLKEM768"), clientHelp.out());
    }

    @Test
    void addressesPrintAsPeopleWriteThem() throws Exception {
        assertEquals("[::1]:4433", HostPort.format(new InetSocketAddress(InetAddress.getByName("::1"), 4433)));
        assertEquals("[::]:1", HostPort.format(new InetSocketAddress(InetAddress.getByName("::"), 1)));
        assertEquals("[2001:db8::1:0:0:1]:5", HostPort.format(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 5)));
        assertEquals("[fe80::1:2]:5", HostPort.format(new InetSocketAddress(InetAddress.getByName("fe80::1:2"), 5)));
        assertEquals("127.0.0.1:9", HostPort.format(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)));
    }

    @Test
    void hostPortParsing() {
        assertEquals(new HostPort("::1", 4433), HostPort.parse("[::1]:4433"));
        assertEquals(new HostPort("localhost", 1), HostPort.parse("localhost:1"));
        for (String bad : List.of("localhost", "::1:4433", "host:0", "host:65536", ":4433", "[::1]4433", "h:x")) {
            try {
                HostPort.parse(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                // good
            }
        }
    }
}
