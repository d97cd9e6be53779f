package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --psk}, {@code --psk-file}, {@code --psk-only} and {@code client --reconnect} (session resumption). */
@Timeout(90)
class SessionsCliTest {
    private static final String KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final String OTHER_KEY = "ff".repeat(32);

    private static List<String> handshakes(String out) {
        return out.lines().filter(l -> l.startsWith("handshake: ")).toList();
    }

    @Test
    void aClientReconnectingResumesItsSessionWithTheServersTicket() throws Exception {
        try (RunningServer server = new RunningServer("--echo")) {
            CliRun r = CliRun.run("client", server.target(), "--insecure", "--message", "again", "--reconnect", "2");
            assertEquals(0, r.exit(), r.out() + r.err());
            List<String> lines = handshakes(r.out());
            assertEquals(3, lines.size(), r.out());
            assertFalse(lines.get(0).contains(" auth="), "the first is a full handshake: " + lines.get(0));
            assertTrue(lines.get(1).endsWith(" resumed=yes"), lines.get(1));
            assertTrue(lines.get(2).endsWith(" resumed=yes"), "the resumed session got a ticket too: " + lines.get(2));
            assertEquals(3, r.out().lines().filter("echo: again"::equals).count(), r.out());
            // The server says so too, once per connection (its lines come from the connections' threads).
            for (int i = 0; i < 2; i++) {
                assertTrue(server.out.await(l -> l.startsWith("handshake: ") && l.endsWith(" resumed=yes"),
                        java.time.Duration.ofSeconds(10)).isPresent(), server.out.toString());
            }
        }
    }

    @Test
    void aPskOnlyServerServesClientsHoldingAKeyAndNoOneElse(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "# identity:hex\n\ndevice-17:" + KEY + "\ndevice:with:colons:" + OTHER_KEY + "\n");
        try (RunningServer server = new RunningServer("--echo", "--psk-only", "--psk-file", keys.toString())) {
            String all = server.out.toString();
            assertTrue(all.contains("2 pre-shared key(s) and no certificate"), all);
            assertFalse(all.contains("ephemeral"), "no certificate is made: " + all);

            CliRun ok = CliRun.run("client", server.target(), "--psk", "device-17:" + KEY, "--message", "keyed");
            assertEquals(0, ok.exit(), ok.out() + ok.err());
            assertTrue(handshakes(ok.out()).get(0).endsWith(" resumed=no auth=psk"), ok.out());
            assertTrue(ok.out().contains("echo: keyed"), ok.out());

            Path clientKeys = dir.resolve("client-keys");
            Files.writeString(clientKeys, "device:with:colons:" + OTHER_KEY + "\n");
            CliRun fromFile = CliRun.run("client", server.target(), "--psk-file", clientKeys.toString());
            assertEquals(0, fromFile.exit(), fromFile.out() + fromFile.err());
            assertTrue(handshakes(fromFile.out()).get(0).endsWith(" resumed=no auth=psk"), fromFile.out());

            CliRun wrongKey = CliRun.run("client", server.target(), "--psk", "device-17:" + OTHER_KEY);
            assertEquals(Main.EXIT_FAILURE, wrongKey.exit(), wrongKey.out() + wrongKey.err());
            assertTrue(wrongKey.err().contains("decrypt_error"), "the binder proves the key: " + wrongKey.err());

            CliRun noKey = CliRun.run("client", server.target(), "--insecure");
            assertEquals(Main.EXIT_FAILURE, noKey.exit(), noKey.out() + noKey.err());
            assertTrue(noKey.err().contains("handshake_failure"), noKey.err());

            String everything = server.out + server.err.toString() + wrongKey.err() + ok.out() + fromFile.out();
            assertFalse(everything.contains(KEY) || everything.contains(OTHER_KEY), "no key is ever printed");
        }
    }

    @Test
    void aServerWithKeysStillServesCertificateClientsUnlessPskOnly() throws Exception {
        try (RunningServer server = new RunningServer("--echo", "--psk", "device-17:" + KEY)) {
            assertTrue(server.out.toString().contains("ephemeral"), server.out.toString());
            CliRun cert = CliRun.run("client", server.target(), "--insecure");
            assertEquals(0, cert.exit(), cert.out() + cert.err());
            assertFalse(handshakes(cert.out()).get(0).contains(" auth="), cert.out());
            CliRun psk = CliRun.run("client", server.target(), "--psk", "device-17:" + KEY, "--reconnect", "1");
            assertEquals(0, psk.exit(), psk.out() + psk.err());
            List<String> lines = handshakes(psk.out());
            assertTrue(lines.get(0).endsWith(" resumed=no auth=psk"), psk.out());
            // The ticket comes first in the offer (README: "after a ticket, if it has one").
            assertTrue(lines.get(1).endsWith(" resumed=yes"), psk.out());
        }
    }

    @Test
    void badKeysAreUsageErrorsThatNameTheOptionAndNeverShowTheKey(@TempDir Path dir) throws Exception {
        String shortKey = "00112233445566778899aabbccddee"; // 15 bytes
        CliRun tooShort = CliRun.run("client", "127.0.0.1:4433", "--psk", "dev:" + shortKey);
        assertEquals(Main.EXIT_USAGE, tooShort.exit(), tooShort.err());
        assertTrue(tooShort.err().contains("--psk") && tooShort.err().contains("must be 16 to 255 bytes"), tooShort.err());
        assertFalse(tooShort.err().contains(shortKey), tooShort.err());

        String notHex = "zz" + KEY.substring(2);
        CliRun bad = CliRun.run("server", "--port", "0", "--psk", "dev:" + notHex);
        assertEquals(Main.EXIT_USAGE, bad.exit(), bad.err());
        assertTrue(bad.err().contains("--psk") && bad.err().contains("is not hex"), bad.err());
        assertFalse(bad.err().contains(notHex), bad.err());
        assertEquals("", bad.out(), "no work before the options are checked");

        CliRun noColon = CliRun.run("client", "127.0.0.1:4433", "--psk", KEY);
        assertEquals(Main.EXIT_USAGE, noColon.exit(), noColon.err());
        assertTrue(noColon.err().contains("expected IDENTITY:HEXKEY"), noColon.err());

        Path file = dir.resolve("keys");
        Files.writeString(file, "# comment\ngood:" + KEY + "\nbad:" + KEY.substring(1) + "\n");
        CliRun line = CliRun.run("server", "--port", "0", "--psk-file", file.toString());
        assertEquals(Main.EXIT_USAGE, line.exit(), line.err());
        assertTrue(line.err().contains("--psk-file " + file + " line 3: the key of identity 'bad' is not hex"), line.err());
        assertEquals("", line.out());

        Files.writeString(file, "twice:" + KEY + "\n");
        CliRun twice = CliRun.run("client", "127.0.0.1:4433", "--psk", "twice:" + OTHER_KEY, "--psk-file", file.toString());
        assertEquals(Main.EXIT_USAGE, twice.exit(), twice.err());
        assertTrue(twice.err().contains("identity 'twice' is given twice"), twice.err());

        CliRun missing = CliRun.run("server", "--port", "0", "--psk-file", dir.resolve("nope").toString());
        assertEquals(Main.EXIT_FAILURE, missing.exit(), missing.err());
        assertTrue(missing.err().contains("cannot read --psk-file") && missing.err().contains("no such file"), missing.err());
        assertEquals("", missing.out(), "the missing file costs no key generation");
    }

    @Test
    void contradictoryPskOptionsAreUsageErrors() {
        String psk = "dev:" + KEY;
        CliRun r = CliRun.run("server", "--port", "0", "--psk-only");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("--psk-only needs --psk"), r.err());
        r = CliRun.run("server", "--port", "0", "--psk", psk, "--psk-only", "--cert", "c.pem", "--key", "k.pem");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("--psk-only and --cert contradict each other"), r.err());
        r = CliRun.run("server", "--port", "0", "--psk", psk, "--psk-only", "--client-auth", "required", "--ca", "ca.pem");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("--client-auth and --psk-only contradict each other"), r.err());
        r = CliRun.run("client", "127.0.0.1:4433", "--psk", psk, "--insecure");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("--psk and --insecure contradict each other"), r.err());
        r = CliRun.run("client", "127.0.0.1:4433", "--psk", psk, "--suites", "TLS_AES_256_GCM_SHA384");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().startsWith("pqdtls: --psk/--psk-file: the key for 'dev' is for SHA-256"), r.err());
        r = CliRun.run("server", "--port", "0", "--psk", psk, "--suites", "TLS_AES_256_GCM_SHA384");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().startsWith("pqdtls: --psk/--psk-file: the key for 'dev' is for SHA-256"), r.err());
        assertEquals("", r.out(), "refused before the ephemeral key is made");
        r = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--reconnect", "-1");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("--reconnect must be 0..1000, was -1"), r.err());
    }

    @Test
    void resumeAndEarlyDataAsTheIssueSpellsThem() throws Exception {
        try (RunningServer server = new RunningServer("--echo", "--early-data")) {
            CliRun r = CliRun.run("client", server.target(), "--insecure", "--resume", "--early-data", "GET /status");
            assertEquals(0, r.exit(), r.out() + r.err());
            List<String> lines = handshakes(r.out());
            assertEquals(2, lines.size(), r.out());
            assertTrue(lines.get(0).endsWith(" resumed=no"), lines.get(0));
            assertTrue(lines.get(1).endsWith(" resumed=yes"), lines.get(1));
            assertTrue(r.out().contains("early data: sent after the handshake"), "no ticket yet: " + r.out());
            assertTrue(r.out().contains("early data: accepted (0-RTT)"), "the second rides the ClientHello: " + r.out());
            assertEquals(2, r.out().lines().filter("echo: GET /status"::equals).count(), r.out());
            assertTrue(server.out.await(l -> l.startsWith("early data from ") && l.endsWith("(0-RTT, replayable): GET /status"),
                    java.time.Duration.ofSeconds(10)).isPresent(), server.out.toString());
        }
    }

    @Test
    void aKeyGivenAsIdentityAndHex() throws Exception {
        try (RunningServer server = new RunningServer("--echo", "--psk-only", "--psk-identity", "device-17", "--psk-hex", KEY)) {
            CliRun ok = CliRun.run("client", server.target(), "--psk-identity", "device-17", "--psk-hex", KEY);
            assertEquals(0, ok.exit(), ok.out() + ok.err());
            assertTrue(handshakes(ok.out()).get(0).endsWith(" resumed=no auth=psk"), ok.out());
        }
        CliRun half = CliRun.run("client", "127.0.0.1:4433", "--psk-identity", "device-17");
        assertEquals(Main.EXIT_USAGE, half.exit(), half.err());
        assertTrue(half.err().contains("--psk-identity and --psk-hex go together"), half.err());
    }

    @Test
    void aRawPublicKeyServerIsReachedByPinningItsKey() throws Exception {
        try (RunningServer server = new RunningServer("--echo", "--raw-public-key")) {
            java.util.regex.Matcher pin = java.util.regex.Pattern.compile("--pin (sha256/\\S+) --pin-only")
                    .matcher(server.out.toString());
            assertTrue(pin.find(), server.out.toString());
            CliRun ok = CliRun.run("client", server.target(), "--pin", pin.group(1), "--pin-only");
            assertEquals(0, ok.exit(), ok.out() + ok.err());
            CliRun unpinned = CliRun.run("client", server.target(), "--insecure");
            assertEquals(Main.EXIT_FAILURE, unpinned.exit(), unpinned.out() + unpinned.err());
            assertTrue(unpinned.err().contains("unsupported_certificate") && unpinned.err().contains("--pin PIN --pin-only"),
                    unpinned.err());
        }
    }
}
