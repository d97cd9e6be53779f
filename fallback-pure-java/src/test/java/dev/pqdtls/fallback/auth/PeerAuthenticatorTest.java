package dev.pqdtls.fallback.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.fallback.auth.TestPki.KeyType;
import dev.pqdtls.internal.auth.CertificateMessage;
import dev.pqdtls.internal.auth.CertificateRejectedException;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.auth.ServerIdentity;
import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerAuthenticatorTest {
    private TestPki.Authority root;
    private TestPki.Authority intermediate;
    private PeerAuthenticator trustRoot;

    @BeforeAll
    void pki() {
        root = TestPki.root("Auth Root");
        intermediate = root.intermediate("Auth Intermediate");
        trustRoot = PeerAuthenticator.builder().trustAnchors(List.of(root.certificate())).build();
    }

    private static int alert(ThrowingRunnable r) {
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class, r::run);
        assertFalse(e.getMessage().isBlank());
        return e.alert();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "ED25519", "RSA_2048"})
    void validChainThroughIntermediate(KeyType type) throws Exception {
        TestPki.Issued leaf = intermediate.leaf("server").keyType(type).dns("server.example").issue();
        List<X509Certificate> path = trustRoot.verifyServer(leaf.chain(), "server.example");
        assertEquals(List.of(leaf.leaf(), intermediate.certificate()), path);
        assertEquals(path, trustRoot.verifyClient(leaf.chain()));
        // Through the wire form too.
        CertificateMessage m = CertificateMessage.parse(CertificateMessage.of(new byte[0], leaf.chain()).encode());
        assertEquals(path, trustRoot.verifyServer(m, "SERVER.example."));
    }

    @Test
    void toleratesDisorderExtraneousCertificatesAndTheRoot() throws Exception {
        TestPki.Issued leaf = intermediate.leaf("server").dns("server.example").issue();
        X509Certificate stranger = TestPki.root("Stranger").certificate();
        List<X509Certificate> messy = List.of(leaf.leaf(), root.certificate(), stranger, intermediate.certificate());
        assertEquals(List.of(leaf.leaf(), intermediate.certificate()), trustRoot.verifyServer(messy, "server.example"));
    }

    @Test
    void missingIntermediateIsUnknownCa() {
        TestPki.Issued leaf = intermediate.leaf("server").dns("server.example").issue();
        assertEquals(CertificateRejectedException.UNKNOWN_CA,
                alert(() -> trustRoot.verifyServer(List.of(leaf.leaf()), "server.example")));
    }

    @Test
    void selfSignedUntrustedIsUnknownCa() {
        TestPki.Issued self = TestPki.selfSigned("self", KeyType.EC_P256, "server.example");
        assertEquals(CertificateRejectedException.UNKNOWN_CA,
                alert(() -> trustRoot.verifyServer(self.chain(), "server.example")));
    }

    @Test
    void otherCaIsUnknownCa() {
        TestPki.Issued leaf = TestPki.root("Other Root").leaf("server").dns("server.example").issue();
        assertEquals(CertificateRejectedException.UNKNOWN_CA,
                alert(() -> trustRoot.verifyServer(leaf.chain(), "server.example")));
    }

    @Test
    void impostorRootWithTheSameNameDoesNotVerify() {
        // Same subject name as the trusted root, different key: the leaf's signature cannot verify.
        TestPki.Authority impostor = TestPki.root("Auth Root", TestPki.freshKeyPair(KeyType.EC_P256));
        TestPki.Issued leaf = impostor.leaf("server").dns("server.example").issue();
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class,
                () -> trustRoot.verifyServer(leaf.chain(), "server.example"));
        assertEquals(CertificateRejectedException.UNKNOWN_CA, e.alert(), e.toString());
        assertTrue(e.getMessage().contains("different CA of the same name"), e.getMessage());
    }

    @Test
    void corruptSignatureInTheChainIsBadCertificate() throws Exception {
        TestPki.Issued leaf = intermediate.leaf("server").dns("server.example").issue();
        byte[] der = leaf.leaf().getEncoded();
        der[der.length - 1] ^= 0x01; // last byte of the ECDSA signature's s: still DER, no longer valid
        X509Certificate tampered = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class,
                () -> trustRoot.verifyServer(List.of(tampered, intermediate.certificate()), "server.example"));
        assertEquals(CertificateRejectedException.BAD_CERTIFICATE, e.alert(), e.toString());
    }

    @Test
    void pinnedSelfSignedCertificateIsAccepted() throws Exception {
        TestPki.Issued self = TestPki.selfSigned("self", KeyType.ED25519, "localhost");
        PeerAuthenticator pinned = PeerAuthenticator.builder().trustAnchors(self.chain()).build();
        assertEquals(self.chain(), pinned.verifyServer(self.chain(), "localhost"));
        assertEquals(CertificateRejectedException.CERTIFICATE_UNKNOWN,
                alert(() -> pinned.verifyServer(self.chain(), "otherhost")));
    }

    @Test
    void expiredLeafIsCertificateExpired() {
        Instant now = Instant.now();
        TestPki.Issued leaf = intermediate.leaf("old").dns("server.example")
                .validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))).issue();
        assertEquals(CertificateRejectedException.CERTIFICATE_EXPIRED,
                alert(() -> trustRoot.verifyServer(leaf.chain(), "server.example")));
    }

    @Test
    void notYetValidLeafIsBadCertificate() {
        Instant now = Instant.now();
        TestPki.Issued leaf = intermediate.leaf("future").dns("server.example")
                .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).issue();
        assertEquals(CertificateRejectedException.BAD_CERTIFICATE,
                alert(() -> trustRoot.verifyServer(leaf.chain(), "server.example")));
    }

    @Test
    void validityIsJudgedByTheInjectedClock() throws Exception {
        TestPki.Issued leaf = intermediate.leaf("server").dns("server.example").issue();
        PeerAuthenticator later = PeerAuthenticator.builder().trustAnchors(List.of(root.certificate()))
                .clock(Clock.fixed(Instant.now().plus(Duration.ofDays(2 * 365)), ZoneOffset.UTC)).build();
        assertEquals(CertificateRejectedException.CERTIFICATE_EXPIRED,
                alert(() -> later.verifyServer(leaf.chain(), "server.example")));
        PeerAuthenticator earlier = PeerAuthenticator.builder().trustAnchors(List.of(root.certificate()))
                .clock(Clock.fixed(Instant.now().minus(Duration.ofDays(10)), ZoneOffset.UTC)).build();
        assertEquals(CertificateRejectedException.BAD_CERTIFICATE,
                alert(() -> earlier.verifyServer(leaf.chain(), "server.example")));
        PeerAuthenticator fine = PeerAuthenticator.builder().trustAnchors(List.of(root.certificate()))
                .clock(Clock.fixed(Instant.now().plus(Duration.ofDays(100)), ZoneOffset.UTC)).build();
        fine.verifyServer(leaf.chain(), "server.example");
    }

    @Test
    void wrongNameIsCertificateUnknown() {
        TestPki.Issued leaf = intermediate.leaf("server").dns("server.example").issue();
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class,
                () -> trustRoot.verifyServer(leaf.chain(), "evil.example"));
        assertEquals(CertificateRejectedException.CERTIFICATE_UNKNOWN, e.alert());
        assertTrue(e.getMessage().contains("server.example"), e.getMessage());
    }

    @Test
    void commonNameIsNeverUsed() {
        TestPki.Issued leaf = intermediate.leaf("server.example").issue(); // CN only, no SAN
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class,
                () -> trustRoot.verifyServer(leaf.chain(), "server.example"));
        assertEquals(CertificateRejectedException.CERTIFICATE_UNKNOWN, e.alert());
        assertTrue(e.getMessage().contains("no subjectAltName"), e.getMessage());
    }

    @Test
    void wildcardMatchesExactlyOneLeftmostLabel() throws Exception {
        TestPki.Issued leaf = intermediate.leaf("wild").dns("*.example.com").issue();
        trustRoot.verifyServer(leaf.chain(), "a.example.com");
        trustRoot.verifyServer(leaf.chain(), "WWW.Example.COM");
        for (String no : List.of("example.com", "a.b.example.com", "aexample.com", "a.example.org", "xn--bcher-kva.example.com")) {
            assertEquals(CertificateRejectedException.CERTIFICATE_UNKNOWN,
                    alert(() -> trustRoot.verifyServer(leaf.chain(), no)), no);
        }
        X509Certificate c = leaf.leaf();
        assertFalse(ServerIdentity.matches(intermediate.leaf("tld").dns("*.com").issue().leaf(), "example.com"));
        assertFalse(ServerIdentity.matches(intermediate.leaf("partial").dns("f*.example.com").issue().leaf(),
                "foo.example.com"));
        assertFalse(ServerIdentity.matches(intermediate.leaf("inner").dns("a.*.example.com").issue().leaf(),
                "a.b.example.com"));
        assertTrue(ServerIdentity.matches(c, "z.example.com"));
    }

    @Test
    void ipLiteralsMatchOnlyIpAddressSans() throws Exception {
        TestPki.Issued leaf = intermediate.leaf("ip").ip("127.0.0.1").ip("::1").dns("10.0.0.1").issue();
        trustRoot.verifyServer(leaf.chain(), "127.0.0.1");
        trustRoot.verifyServer(leaf.chain(), "::1");
        trustRoot.verifyServer(leaf.chain(), "[0:0:0:0:0:0:0:1]");
        for (String no : List.of("127.0.0.2", "10.0.0.1", "::2", "localhost", "127.1")) {
            assertEquals(CertificateRejectedException.CERTIFICATE_UNKNOWN,
                    alert(() -> trustRoot.verifyServer(leaf.chain(), no)), no);
        }
    }

    @Test
    void leafMustAllowSigningForItsRole() throws Exception {
        TestPki.Issued serverOnly = intermediate.leaf("srv").dns("server.example")
                .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth).issue();
        trustRoot.verifyServer(serverOnly.chain(), "server.example");
        assertEquals(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                alert(() -> trustRoot.verifyClient(serverOnly.chain())));
        TestPki.Issued noSigning = intermediate.leaf("enc").dns("server.example")
                .keyUsage(new KeyUsage(KeyUsage.keyEncipherment)).issue();
        assertEquals(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                alert(() -> trustRoot.verifyServer(noSigning.chain(), "server.example")));
        TestPki.Issued unrestricted = intermediate.leaf("any").dns("server.example").keyUsage(null)
                .extendedKeyUsage().issue();
        trustRoot.verifyClient(unrestricted.chain());
    }

    @Test
    void unsupportedLeafKeyIsUnsupportedCertificate() {
        TestPki.Issued p384 = intermediate.leaf("p384").keyType(KeyType.EC_P384).dns("server.example").issue();
        assertEquals(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                alert(() -> trustRoot.verifyServer(p384.chain(), "server.example")));
    }

    @Test
    void emptyChains() {
        assertEquals(CertificateRejectedException.DECODE_ERROR,
                alert(() -> trustRoot.verifyServer(List.of(), "server.example")));
        assertEquals(CertificateRejectedException.CERTIFICATE_REQUIRED, alert(() -> trustRoot.verifyClient(List.of())));
        assertEquals(CertificateRejectedException.DECODE_ERROR,
                alert(() -> PeerAuthenticator.insecure().verifyServer(List.of(), "x")));
    }

    @Test
    void trustAnchorsFromAKeyStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("root", root.certificate());
        PeerAuthenticator fromStore = PeerAuthenticator.builder().trustAnchors(ks).build();
        TestPki.Issued leaf = intermediate.leaf("server").dns("server.example").issue();
        fromStore.verifyServer(leaf.chain(), "server.example");

        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        assertThrows(IllegalArgumentException.class, () -> PeerAuthenticator.builder().trustAnchors(empty));
    }

    @Test
    void noAnchorsIsAConfigurationError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PeerAuthenticator.builder().build());
        assertTrue(e.getMessage().contains("trust anchors"));
    }

    @Test
    void jdkDefaultsLoadAndRejectOurTestPki() {
        PeerAuthenticator jdk = PeerAuthenticator.builder().trustJdkDefaults().build();
        assertFalse(jdk.trustedCertificates().isEmpty());
        TestPki.Issued leaf = intermediate.leaf("server").dns("server.example").issue();
        assertEquals(CertificateRejectedException.UNKNOWN_CA, alert(() -> jdk.verifyServer(leaf.chain(), "server.example")));
    }

    @Test
    void insecureAcceptsAnythingAndWarnsOncePerProcess() throws Exception {
        Logger logger = Logger.getLogger(PeerAuthenticator.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (records) {
                    records.add(record);
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
        try {
            // Once per process: other tests in this JVM may have had the warning already.
            long expected = PeerAuthenticator.insecureWarningLogged() ? 0 : 1;
            PeerAuthenticator insecure = PeerAuthenticator.insecure();
            assertTrue(insecure.isInsecure());
            assertTrue(insecure.toString().contains("INSECURE"));
            TestPki.Issued self = TestPki.selfSigned("self", KeyType.EC_P256, "server.example");
            Instant now = Instant.now();
            TestPki.Issued expired = TestPki.root("Gone").leaf("gone")
                    .validity(now.minus(Duration.ofDays(9)), now.minus(Duration.ofDays(2))).issue();
            insecure.verifyServer(self.chain(), "wrong.name");
            insecure.verifyServer(expired.chain(), "anything");
            insecure.verifyClient(self.chain());
            // A second instance (each connection's endpoint makes one) stays quiet too.
            PeerAuthenticator.insecure().verifyClient(self.chain());
            PeerAuthenticator.insecure().verifyServer(self.chain(), "server.example");
            assertEquals(expected, records.stream().filter(r -> r.getLevel() == Level.WARNING).count());
            assertTrue(records.stream().allMatch(r -> r.getMessage().contains("INSECURE")), records.toString());
            assertTrue(PeerAuthenticator.insecureWarningLogged());
        } finally {
            logger.removeHandler(h);
        }
        assertFalse(trustRoot.isInsecure());
    }
}
