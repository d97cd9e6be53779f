package dev.pqdtls.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pqdtls.DtlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's {@code openssl} recipe for test certificates (section "Using the library",
 * "Certificates"), run as printed there: a test CA and a server certificate for localhost, whose
 * files DtlsConfig reads and a real handshake accepts. Keep the commands in step with the README.
 */
@Timeout(120)
class OpensslRecipeTest {
    private static final List<String> RECIPE = List.of(
            "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key.pem",
            "openssl req -x509 -new -key ca.key.pem -subj /CN=pqdtls-test-CA -days 30 -out ca.pem",
            "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pk8.pem",
            "openssl req -new -key key.pk8.pem -subj /CN=localhost"
                    + " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -out server.csr",
            "openssl x509 -req -in server.csr -copy_extensions copy -CA ca.pem -CAkey ca.key.pem -days 30 -out cert.pem");

    @TempDir
    Path dir;

    private void run(String command) throws Exception {
        Process p = new ProcessBuilder(command.split(" ")).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " did not finish");
        assertEquals(0, p.exitValue(), command + " failed:\n" + output);
    }

    private static boolean opensslPresent() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void certificatesMadeAsTheReadmeSaysWork() throws Exception {
        assumeTrue(opensslPresent(), "no openssl command on PATH");
        for (String command : RECIPE) {
            run(command);
        }
        DtlsConfig server = DtlsConfig.builder().certificate(dir.resolve("cert.pem"), dir.resolve("key.pk8.pem"))
                .backend("fallback").build();
        DtlsConfig client = DtlsConfig.builder().trustedCertificates(dir.resolve("ca.pem")).serverName("localhost")
                .backend("fallback").initialRetransmitTimeout(Duration.ofMillis(200)).build();
        try (LoopbackEcho echo = new LoopbackEcho(server)) {
            String out = echo.roundTrip(client, "hello");
            assertTrue(out.endsWith("\nhello"), out);
        }
    }
}
