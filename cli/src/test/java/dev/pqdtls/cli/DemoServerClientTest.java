package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pqdtls.internal.auth.PeerAuthenticator;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo}, {@code server} and {@code client} run in-process through picocli, output captured. */
class DemoServerClientTest {

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
    void demoTakesTheProtocolOptionsOfServerAndClient() {
        CliRun r = CliRun.run("demo", "--megabytes", "1", "--groups", "SecP256r1MLKEM768,X25519",
                "--suites", "TLS_AES_256_GCM_SHA384", "--mtu", "1400");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(2, r.out().lines().filter(l -> l.contains(" suite=TLS_AES_256_GCM_SHA384 group=SecP256r1MLKEM768 ")).count(),
                r.out());
        assertTrue(r.out().contains("key exchange  SecP256r1MLKEM768 (hybrid"), r.out());
        assertTrue(r.out().contains("the most one 1400-byte UDP payload carries"), r.out());
    }

    @Test
    @Timeout(60)
    void demoOnTheFallbackSaysWhyNotFfm() {
        // --group: demo's old spelling, kept as a hidden alias of --groups.
        CliRun r = CliRun.run("demo", "--megabytes", "1", "--backend", "fallback", "--group", "X25519");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("backend=fallback"), r.out());
        assertTrue(r.out().contains("requested"), r.out());
        assertTrue(r.out().contains("NOT post-quantum"), r.out());
        assertTrue(r.out().contains("group=X25519 "), r.out());
    }

    @Test
    @Timeout(60)
    void clientGetsEveryEchoFromTheServer() throws Exception {
        int serverExit;
        try (RunningServer server = new RunningServer("--echo")) {
            assertEquals("127.0.0.1", server.host);
            assertTrue(server.out.toString().contains("ephemeral self-signed ECDSA P-256"), server.out.toString());

            CliRun c = CliRun.run("client", server.target(), "--insecure", "--message", "hi", "--count", "3", "--timeout", "10");
            assertEquals(0, c.exit(), c.out() + c.err());
            assertEquals(List.of("echo: hi", "echo: hi", "echo: hi"),
                    c.out().lines().filter(l -> l.startsWith("echo: ")).toList(), c.out());
            assertTrue(c.out().lines().findFirst().orElse("").startsWith("handshake: version=DTLSv1.3 suite="), c.out());
            assertTrue(c.out().lines().anyMatch(l -> l.contains(" group=X25519MLKEM768 ")
                    && l.contains(" peer=" + server.target() + " ")), c.out());
            // The server printed its own handshake line for this client.
            assertTrue(server.out.await(l -> l.startsWith("handshake: version=DTLSv1.3 "), Duration.ofSeconds(10)).isPresent(),
                    server.out.toString());

            CliRun ku = CliRun.run("client", server.target(), "--insecure", "--key-update", "--groups", "X25519",
                    "--suites", "TLS_CHACHA20_POLY1305_SHA256", "--message", "after update", "--count", "2");
            assertEquals(0, ku.exit(), ku.out() + ku.err());
            assertTrue(ku.out().contains("suite=TLS_CHACHA20_POLY1305_SHA256 group=X25519 "), ku.out());
            assertTrue(ku.out().lines().anyMatch(l -> l.startsWith("key update: ")), ku.out());
            assertEquals(2, ku.out().lines().filter(l -> l.equals("echo: after update")).count(), ku.out());
            serverExit = server.stop();
            assertTrue(server.out.toString().contains("server stopped"), server.out.toString());
        }
        assertEquals(0, serverExit);
    }

    @Test
    @Timeout(60)
    void insecureWarningsOncePerProcessFromTheLibraryAndOncePerRunFromTheCli() throws Exception {
        Logger logger = Logger.getLogger(PeerAuthenticator.class.getName());
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == Level.WARNING) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(h);
        try (RunningServer server = new RunningServer("--echo")) {
            boolean loggedBefore = PeerAuthenticator.insecureWarningLogged();
            for (int i = 0; i < 3; i++) {
                CliRun c = CliRun.run("client", server.target(), "--insecure");
                assertEquals(0, c.exit(), c.out() + c.err());
                assertEquals(1, c.err().lines().filter(l -> l.contains("--insecure")).count(), c.err());
            }
            // Earlier tests in this JVM may have had the one library warning already.
            assertEquals(loggedBefore ? 0 : 1, warnings.size(), warnings.toString());
        } finally {
            logger.removeHandler(h);
        }
    }

    @Test
    @Timeout(60)
    void handshakeLineOnlyOnceTheServerAcceptedTheClientCertificate(@TempDir Path dir) throws Exception {
        // One self-signed certificate serves as the client's and, pinned, as the server's --ca.
        dev.pqdtls.SelfSignedCertificate id = dev.pqdtls.SelfSignedCertificate.create();
        Path cert = dir.resolve("client.pem");
        Path key = dir.resolve("client.key.pem");
        Files.writeString(cert, pem("CERTIFICATE", id.certificate().getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", id.privateKey().getEncoded()));
        try (RunningServer server = new RunningServer("--echo", "--client-auth", "required", "--ca", cert.toString())) {
            CliRun without = CliRun.run("client", server.target(), "--insecure", "--timeout", "10");
            assertEquals(Main.EXIT_FAILURE, without.exit(), without.out() + without.err());
            assertFalse(without.out().contains("handshake:"), "no success line for a rejected handshake: " + without.out());
            String reason = without.err().lines().filter(l -> !l.contains("WARNING")).findFirst().orElse("");
            assertTrue(reason.startsWith("pqdtls: handshake with " + server.target() + " failed: the server sent alert "
                    + "certificate_required (116)"), without.err());
            assertTrue(reason.contains("--cert FILE --key FILE"), reason);

            CliRun with = CliRun.run("client", server.target(), "--insecure", "--cert", cert.toString(), "--key", key.toString());
            assertEquals(0, with.exit(), with.out() + with.err());
            assertEquals(List.of("handshake", "echo"), with.out().lines().map(l -> l.substring(0, l.indexOf(':'))).toList(),
                    with.out());
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Test
    @Timeout(60)
    void ipv6AddressesPrintAsPeopleWriteThem() throws Exception {
        assumeTrue(loopback6(), "no IPv6 loopback (::1) on this machine");
        // The fallback backend: this test is about how addresses print, and the ffm backend's native
        // transport does not complete handshakes over IPv6 yet (reported separately).
        try (RunningServer server = new RunningServer("--echo", "--bind", "::1", "--backend", "fallback")) {
            assertEquals("[::1]", server.host, server.out.toString());
            CliRun c = CliRun.run("client", server.target(), "--insecure", "--backend", "fallback");
            assertEquals(0, c.exit(), c.out() + c.err());
            assertTrue(c.out().lines().anyMatch(l -> l.startsWith("handshake: ") && l.contains(" peer=[::1]:" + server.port + " ")),
                    c.out());
            assertTrue(server.out.await(l -> l.startsWith("handshake: ") && l.contains(" peer=[::1]:"), Duration.ofSeconds(10))
                    .isPresent(), server.out.toString());
        }
    }

    private static boolean loopback6() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    @Timeout(30)
    void clientFailsAtOnceWhenNothingListens() throws Exception {
        int port;
        // A port that was free a moment ago: the host answers ICMP port unreachable, which the
        // client's connected socket reports, so it fails without waiting for the timeout.
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        CliRun r = CliRun.run("client", "127.0.0.1:" + port, "--insecure", "--timeout", "20");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(seconds < 10, "took " + seconds + " s");
        List<String> reasons = r.err().lines().filter(l -> l.startsWith("pqdtls: ") && !l.contains("WARNING")).toList();
        assertEquals(1, reasons.size(), r.err());
        assertEquals("pqdtls: nothing is listening at 127.0.0.1:" + port + " (the host answered ICMP port unreachable)",
                reasons.get(0));
    }

    @Test
    @Timeout(30)
    void clientFailsWithinTheTimeoutWhenTheListenerNeverAnswers() throws Exception {
        // Something holds the port but answers nothing (not a DTLS server): only the timeout ends the wait.
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = silent.getLocalPort();
            long t0 = System.nanoTime();
            CliRun r = CliRun.run("client", "127.0.0.1:" + port, "--insecure", "--timeout", "1");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertNotEquals(0, r.exit(), r.out());
            assertTrue(seconds < 10, "took " + seconds + " s");
            List<String> reasons = r.err().lines().filter(l -> l.startsWith("pqdtls: ") && !l.contains("WARNING")).toList();
            assertEquals(1, reasons.size(), r.err());
            assertEquals("pqdtls: handshake with 127.0.0.1:" + port + " failed: no answer within 1 s (is a DTLS 1.3 server "
                    + "listening there? --timeout waits longer)", reasons.get(0));
        }
    }

    @Test
    @Timeout(60)
    void aClientTheServerRefusesIsToldAtOnceWhatItOffered() throws Exception {
        try (RunningServer server = new RunningServer("--echo", "--groups", "X25519")) {
            long t0 = System.nanoTime();
            CliRun r = CliRun.run("client", server.target(), "--insecure", "--groups", "MLKEM768", "--timeout", "30");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertEquals(Main.EXIT_FAILURE, r.exit(), r.out() + r.err());
            assertTrue(seconds < 15, "refused at once, not after the 30 s timeout: " + seconds + " s");
            String reason = r.err().lines().filter(l -> l.startsWith("pqdtls: handshake")).findFirst().orElse(r.err());
            assertTrue(reason.contains("handshake_failure") && reason.contains("groups MLKEM768")
                    && reason.contains("--groups"), reason);
        }
    }
}
