package dev.pqdtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DtlsConfigTest {

    @TempDir
    Path dir;

    private static String rejected(String option, Consumer<DtlsConfig.Builder> change) {
        DtlsConfig.Builder b = DtlsConfig.builder();
        change.accept(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().startsWith(option), "the message names the option: " + e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
        }
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        DtlsConfig c = DtlsConfig.builder().build();
        assertEquals(NamedGroup.X25519_MLKEM768, c.groups().get(0));
        assertEquals(List.of(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384,
                CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_CCM_SHA256), c.cipherSuites(),
                "every suite but AES-CCM-8");
        assertEquals(1200, c.mtu());
        assertEquals(DtlsConfig.CookiePolicy.ALWAYS, c.cookiePolicy());
        assertEquals(0, c.connectionIdLength());
        assertTrue(c.udpOffload());
        assertEquals(1L << 23, c.keyUpdateAfterRecords());
    }

    @Test
    void everyOutOfRangeValueIsRejectedNamingTheOption() {
        rejected("groups", b -> b.groups(List.of()));
        rejected("groups", b -> b.groups(NamedGroup.X25519, NamedGroup.X25519));
        rejected("cipherSuites", b -> b.cipherSuites(List.of()));
        rejected("mtu", b -> b.mtu(100));
        rejected("mtu", b -> b.mtu(70_000));
        rejected("initialRetransmitTimeout", b -> b.initialRetransmitTimeout(Duration.ZERO));
        rejected("handshakeTimeout", b -> b.handshakeTimeout(Duration.ofHours(1)));
        rejected("connectionIdLength", b -> b.connectionIdLength(21));
        rejected("keyUpdateAfterRecords", b -> b.keyUpdateAfterRecords(1L << 24));
        rejected("cookieLifetime", b -> b.cookieLifetime(Duration.ofMillis(10)));
        rejected("receiveQueueCapacity", b -> b.receiveQueueCapacity(0));
        rejected("socketReceiveBufferSize", b -> b.socketReceiveBufferSize(100));
        rejected("socketSendBufferSize", b -> b.socketSendBufferSize(-1));
        rejected("certificate", b -> {
            try {
                b.certificate(List.of(), java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate());
            } catch (java.security.GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void unknownNamesListTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamedGroup.byName("X448"));
        assertTrue(e.getMessage().contains("X25519MLKEM768"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CipherSuite.byName("TLS_AES_256_CCM_SHA384"));
        assertTrue(e.getMessage().contains("TLS_AES_128_CCM_8_SHA256"), e.getMessage());
    }

    @Test
    void anUnknownBackendIsRejectedAtBuildNamingTheOptionAndTheValidValues() {
        // No backend is on this module's test class path: the message says what to add.
        String m = rejected("backend:", b -> b.backend("nope"));
        assertContains(m, "unknown backend 'nope'", "valid values: none", "dev.pqdtls:pqdtls");
    }

    @Test
    void aMissingCertificateFileIsRejectedAtBuildNamingOptionFileAndFix() {
        Path chain = dir.resolve("absent-cert.pem");
        Path key = dir.resolve("absent-key.pem");
        DtlsConfig.Builder b = DtlsConfig.builder().certificate(chain, key); // files are read by build(), not here
        String m = assertThrows(IllegalArgumentException.class, b::build).getMessage();
        assertTrue(m.startsWith("certificate: "), m);
        assertContains(m, "certificate chain file " + chain + " does not exist", "PEM file with the certificate chain");
    }

    @Test
    void aMissingKeyFileIsNamedToo() throws Exception {
        Path chain = Files.writeString(dir.resolve("cert.pem"), SAMPLE_CERTIFICATE);
        Path key = dir.resolve("absent-key.pem");
        String m = rejected("certificate: ", b -> b.certificate(chain, key));
        assertContains(m, "private key file " + key + " does not exist", "unencrypted PKCS#8 PEM");
    }

    @Test
    void aDirectoryOrAFileThatIsNotPemIsRejected() throws Exception {
        String m = rejected("certificate: ", b -> b.certificate(dir, dir.resolve("k.pem")));
        assertContains(m, "certificate chain file " + dir + " is a directory");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        m = rejected("certificate: ", b -> b.certificate(text, text));
        assertContains(m, text + " is not a certificate file", "pass the PEM certificate file");
        Path chain = Files.writeString(dir.resolve("cert.pem"), SAMPLE_CERTIFICATE);
        m = rejected("certificate: ", b -> b.certificate(chain, text));
        assertContains(m, text + " contains no \"-----BEGIN PRIVATE KEY-----\" block", "PKCS#8");
    }

    @Test
    void swappedCertificateAndKeyFilesAreRecognised() throws Exception {
        Path chain = Files.writeString(dir.resolve("cert.pem"), SAMPLE_CERTIFICATE);
        String m = rejected("certificate: ", b -> b.certificate(chain, chain));
        assertContains(m, chain + " contains no \"-----BEGIN PRIVATE KEY-----\" block but a certificate",
                "swapped");
    }

    @Test
    void anUnreadableFileSaysPermissionDenied() throws Exception {
        Path chain = Files.writeString(dir.resolve("cert.pem"), SAMPLE_CERTIFICATE);
        Files.setPosixFilePermissions(chain, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(chain), "this user (root?) reads files without read permission");
        String m = rejected("certificate: ", b -> b.certificate(chain, dir.resolve("key.pem")));
        assertContains(m, "certificate chain file " + chain + " cannot be read (permission denied)");
    }

    @Test
    void aMissingTrustFileIsRejectedAtBuild() {
        Path ca = dir.resolve("ca.pem");
        String m = rejected("trustedCertificates: ", b -> b.trustedCertificates(ca));
        assertContains(m, "trusted certificates file " + ca + " does not exist", "CA certificates to trust");
    }

    @Test
    void theLastCertificateSourceWins() throws Exception {
        // A later certificate(chain, key) replaces earlier files (and vice versa): nothing stale is read.
        DtlsConfig c = DtlsConfig.builder().certificate(dir.resolve("gone.pem"), dir.resolve("gone.key"))
                .certificate(List.of(), null).trustedCertificates(dir.resolve("gone-ca.pem"))
                .trustedCertificates(List.of()).build();
        assertTrue(c.certificateChain().isEmpty() && c.privateKey().isEmpty() && c.trustedCertificates().isEmpty());
    }

    /** A real self-signed EC P-256 certificate ("CN=localhost"), so the files above parse. */
    private static final String SAMPLE_CERTIFICATE = """
            -----BEGIN CERTIFICATE-----
            MIIBfzCCASWgAwIBAgIUX2ARYsL3ozcFhHL1gtmET8qrSGwwCgYIKoZIzj0EAwIw
            FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNTE2MTYyMFoYDzIxMjYxMTEx
            MTYxNjIwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
            PQMBBwNCAATzY8olyMgI17ostQsyobwJIwEotMnUtChyvBBWIshjfG3bqreo/DlO
            a8pijdKxa6uIb0IXlvMck2mR3duIFCg3o1MwUTAdBgNVHQ4EFgQUQDgX0TcjyFid
            P8ItgCZBp8/hDeYwHwYDVR0jBBgwFoAUQDgX0TcjyFidP8ItgCZBp8/hDeYwDwYD
            VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAqQj8bcS1j2U/wvwa/ZZ2
            EA1fC4Sj41VY3zIETg5ttxUCIBduFOtq6wJCzCridzfbk3CozMc/z8HUrHxeXHJ4
            AJKZ
            -----END CERTIFICATE-----
            """;
}
