package dev.pqdtls.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.SelfSignedCertificate;
import dev.pqdtls.internal.auth.LocalCredentials;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The certificates of {@link SelfSignedCertificate}, encoded by this module's {@link BcCertificateIssuer}. */
@Timeout(60)
class SelfSignedCertificateTest {

    @Test
    void holdsTheNamesAndTheFieldsOfAnEndEntityCertificate() throws Exception {
        SelfSignedCertificate c = SelfSignedCertificate.create("localhost", "127.0.0.1", "::1", "*.test.example");
        X509Certificate x = c.certificate();
        x.verify(x.getPublicKey()); // self-signed, with the JDK's verifier
        x.checkValidity();
        assertEquals("CN=localhost", x.getSubjectX500Principal().getName());
        assertEquals(x.getSubjectX500Principal(), x.getIssuerX500Principal());
        assertEquals("SHA256withECDSA", x.getSigAlgName());
        assertEquals(3, x.getVersion());
        Set<String> names = x.getSubjectAlternativeNames().stream().map(n -> n.get(0) + ":" + n.get(1))
                .collect(Collectors.toSet());
        assertEquals(Set.of("2:localhost", "2:*.test.example", "7:127.0.0.1", "7:0:0:0:0:0:0:0:1"), names);
        assertEquals(-1, x.getBasicConstraints(), "not a CA");
        assertTrue(x.getKeyUsage()[0], "digitalSignature");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), x.getExtendedKeyUsage());
        assertEquals(SelfSignedCertificate.VALIDITY.plusHours(1),
                Duration.between(x.getNotBefore().toInstant(), x.getNotAfter().toInstant()));
        assertEquals(List.of(x), c.chain());
        LocalCredentials.of(c.chain(), c.privateKey()); // the key belongs to it and pqdtls signs with it
        assertEquals(HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                MessageDigest.getInstance("SHA-256").digest(x.getEncoded())), c.fingerprint());
        assertTrue(c.toString().contains(c.fingerprint()) && !c.toString().contains("PRIVATE"), c.toString());
    }

    @Test
    void everyCertificateHasItsOwnKeyAndSerial() {
        SelfSignedCertificate a = SelfSignedCertificate.create();
        SelfSignedCertificate b = SelfSignedCertificate.create();
        assertNotEquals(a.certificate().getSerialNumber(), b.certificate().getSerialNumber());
        assertTrue(!java.util.Arrays.equals(a.certificate().getPublicKey().getEncoded(),
                b.certificate().getPublicKey().getEncoded()));
        assertEquals(Set.of("2:localhost", "7:127.0.0.1", "7:0:0:0:0:0:0:0:1"), sans(a.certificate()));
    }

    private static Set<String> sans(X509Certificate x) {
        try {
            return x.getSubjectAlternativeNames().stream().map(n -> n.get(0) + ":" + n.get(1)).collect(Collectors.toSet());
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aClientTrustingExactlyItConnectsAndTheNameIsChecked() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        DtlsConfig server = DtlsConfig.builder().certificate(cert.chain(), cert.privateKey()).backend("fallback").build();
        try (LoopbackEcho echo = new LoopbackEcho(server)) {
            DtlsConfig.Builder client = DtlsConfig.builder().trustedCertificates(cert.chain()).backend("fallback")
                    .initialRetransmitTimeout(Duration.ofMillis(200));
            String out = echo.roundTrip(client.serverName("localhost").build(), "hello");
            assertTrue(out.endsWith("\nhello") && out.contains("group=X25519MLKEM768 backend=fallback"), out);

            DtlsException e = assertThrows(DtlsException.class,
                    () -> echo.roundTrip(client.serverName("other.example").build(), "hello"));
            assertTrue(e.getMessage().contains("other.example"), e.getMessage());
            // Another self-signed certificate is not trusted.
            DtlsConfig stranger = DtlsConfig.builder().trustedCertificates(SelfSignedCertificate.create().chain())
                    .serverName("localhost").backend("fallback").build();
            assertThrows(DtlsException.class, () -> echo.roundTrip(stranger, "hello"));
        }
    }
}
