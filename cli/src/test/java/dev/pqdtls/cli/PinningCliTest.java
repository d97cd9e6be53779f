package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code pin}, and {@code --pin} / {@code --pin-only} on {@code client} and {@code server}. */
@Timeout(60)
class PinningCliTest {
    private static final Pattern EPHEMERAL_PIN = Pattern.compile("--pin (sha256/\\S+) --pin-only");

    @Test
    void pinPrintsTheKeyPinOfEachCertificateInBothForms(@TempDir Path dir) throws Exception {
        SelfSignedCertificate id = SelfSignedCertificate.create();
        Path cert = dir.resolve("cert.pem");
        Files.writeString(cert, pem("CERTIFICATE", id.certificate().getEncoded())
                + pem("PUBLIC KEY", id.certificate().getPublicKey().getEncoded()));
        CliRun r = CliRun.run("pin", cert.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        String pin = DtlsConfig.publicKeyPin(id.certificate().getPublicKey());
        assertEquals(pin + " " + cert + ": certificate " + id.certificate().getSubjectX500Principal().getName() + "\n"
                + pin + " " + cert + ": public key\n", r.out());
        CliRun hex = CliRun.run("pin", "--hex", cert.toString());
        String sha256sum = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(id.certificate().getPublicKey().getEncoded()));
        assertTrue(hex.out().startsWith(sha256sum + " "), hex.out());
        CliRun missing = CliRun.run("pin", dir.resolve("nope.pem").toString());
        assertEquals(Main.EXIT_FAILURE, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }

    @Test
    void aClientPinsTheServersEphemeralKeyInsteadOfTrustingItsChain() throws Exception {
        try (RunningServer server = new RunningServer("--echo")) {
            // The ephemeral certificate's line comes before 'listening on', which RunningServer waited for.
            Matcher m = EPHEMERAL_PIN.matcher(server.out.toString());
            assertTrue(m.find(), server.out.toString());
            CliRun ok = CliRun.run("client", server.target(), "--pin", m.group(1), "--pin-only", "--message", "pinned");
            assertEquals(0, ok.exit(), ok.out() + ok.err());
            assertTrue(ok.out().contains("echo: pinned"), ok.out());

            String other = DtlsConfig.publicKeyPin(SelfSignedCertificate.create().certificate().getPublicKey());
            CliRun wrong = CliRun.run("client", server.target(), "--pin", other, "--pin-only");
            assertEquals(Main.EXIT_FAILURE, wrong.exit(), wrong.out() + wrong.err());
            assertTrue(wrong.err().contains("has pin " + m.group(1)), wrong.err());
            assertTrue(wrong.err().contains("not among the 1 pinned key(s)"), wrong.err());
        }
    }

    @Test
    void aServerAcceptsOnlyPinnedClientKeys(@TempDir Path dir) throws Exception {
        SelfSignedCertificate client = SelfSignedCertificate.create();
        Path cert = dir.resolve("client.pem");
        Path key = dir.resolve("client.key.pem");
        Files.writeString(cert, pem("CERTIFICATE", client.certificate().getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", client.privateKey().getEncoded()));
        String pin = DtlsConfig.publicKeyPin(client.certificate().getPublicKey());
        try (RunningServer server = new RunningServer("--echo", "--client-auth", "required", "--pin", pin, "--pin-only")) {
            CliRun ok = CliRun.run("client", server.target(), "--insecure", "--cert", cert.toString(), "--key", key.toString());
            assertEquals(0, ok.exit(), ok.out() + ok.err());
        }
    }

    @Test
    void contradictoryOrIncompletePinOptionsAreUsageErrors() {
        String pin = "sha256/" + "A".repeat(43) + "=";
        CliRun r = CliRun.run("client", "127.0.0.1:4433", "--pin-only");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("--pin-only needs at least one --pin PIN"), r.err());
        r = CliRun.run("client", "127.0.0.1:4433", "--pin", pin, "--insecure");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("--pin and --insecure contradict each other"), r.err());
        r = CliRun.run("server", "--port", "0", "--pin", pin);
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("needs --client-auth"), r.err());
        r = CliRun.run("client", "127.0.0.1:4433", "--pin", "nonsense");
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--pin"), r.err());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
