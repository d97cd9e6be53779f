package dev.pqdtls.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConfig.PinMode;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.fallback.auth.TestPki.KeyType;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Raw public keys (RFC 7250) through the public API over loopback, always with pinned keys. */
@Timeout(60)
class RawPublicKeyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final KeyPair SERVER_KEY = TestPki.keyPair(KeyType.ED25519, 3);
    private static final KeyPair CLIENT_KEY = TestPki.keyPair(KeyType.EC_P256, 4);

    private static String pin(KeyPair keys) {
        return DtlsConfig.publicKeyPin(keys.getPublic());
    }

    private static DtlsConfig.Builder rawServer() {
        return DtlsConfig.builder().backend("fallback").rawPublicKey(SERVER_KEY);
    }

    private static DtlsConfig.Builder pinningClient(KeyPair server) {
        return DtlsConfig.builder().backend("fallback").handshakeTimeout(WAIT)
                .pinnedPublicKeys(List.of(pin(server)), PinMode.INSTEAD_OF_CHAIN);
    }

    @Test
    void aClientPinningTheServersRawKeyConnectsAndSeesOnlyTheKey() throws Exception {
        try (LoopbackEcho echo = new LoopbackEcho(rawServer().build());
                DtlsConnection c = DtlsClient.connect(echo.address(), pinningClient(SERVER_KEY).build())) {
            c.send(new byte[] {7});
            assertEquals(1, c.receive(WAIT).orElseThrow().length);
            assertTrue(c.session().peerCertificates().isEmpty());
            assertEquals(SERVER_KEY.getPublic(), c.session().peerPublicKey());
            assertEquals(pin(SERVER_KEY), c.session().peerPublicKeyPin().orElseThrow());
        }
    }

    @Test
    void aRawKeyThatIsNotPinnedFailsWithBadCertificate() throws Exception {
        try (LoopbackEcho echo = new LoopbackEcho(rawServer().build())) {
            DtlsException e = assertThrows(DtlsException.class, () -> DtlsClient.connect(echo.address(),
                    pinningClient(TestPki.freshKeyPair(KeyType.ED25519)).build()).close());
            assertEquals(DtlsAlert.BAD_CERTIFICATE, e.alert());
            assertTrue(e.getMessage().contains(pin(SERVER_KEY)), e.getMessage());
        }
    }

    @Test
    void aClientThatDoesNotPinIsRefusedARawKeyServerWithUnsupportedCertificate() throws Exception {
        TestPki.Pki pki = TestPki.quickServer();
        try (LoopbackEcho echo = new LoopbackEcho(rawServer().build())) {
            DtlsException e = assertThrows(DtlsException.class, () -> DtlsClient.connect(echo.address(),
                    DtlsConfig.builder().backend("fallback").handshakeTimeout(WAIT)
                            .trustedCertificates(List.of(pki.ca().certificate())).build()).close());
            assertEquals(DtlsAlert.UNSUPPORTED_CERTIFICATE, e.alert(), e.getMessage());
            assertTrue(e.fromPeer());
        }
    }

    @Test
    void aPinOnlyClientStillAcceptsAnX509ServerThatDoesNotChooseRawKeys() throws Exception {
        TestPki.Issued self = TestPki.selfSigned("x509 server", KeyType.EC_P256);
        KeyPair selfKeys = new KeyPair(self.leaf().getPublicKey(), self.privateKey());
        DtlsConfig server = DtlsConfig.builder().backend("fallback").certificate(self.chain(), self.privateKey()).build();
        try (LoopbackEcho echo = new LoopbackEcho(server);
                DtlsConnection c = DtlsClient.connect(echo.address(), pinningClient(selfKeys).build())) {
            assertEquals(self.leaf(), c.session().peerCertificates().get(0));
        }
    }

    @Test
    void bothSidesAuthenticateWithPinnedRawKeys() throws Exception {
        DtlsConfig server = rawServer().clientAuth(DtlsConfig.ClientAuth.REQUIRED)
                .pinnedPublicKeys(List.of(pin(CLIENT_KEY)), PinMode.INSTEAD_OF_CHAIN).build();
        try (LoopbackEcho echo = new LoopbackEcho(server)) {
            assertTrue(echo.roundTrip(pinningClient(SERVER_KEY).rawPublicKey(CLIENT_KEY).build(), "rpk").endsWith("\nrpk"));
            // A client whose key the server did not pin is refused by the server.
            DtlsException e = assertThrows(DtlsException.class, () -> echo.roundTrip(
                    pinningClient(SERVER_KEY).rawPublicKey(TestPki.freshKeyPair(KeyType.EC_P256)).build(), "x"));
            assertEquals(DtlsAlert.BAD_CERTIFICATE, e.alert(), e.getMessage());
            assertTrue(e.fromPeer());
            // A client without a key sends an empty Certificate: certificate_required.
            e = assertThrows(DtlsException.class, () -> echo.roundTrip(pinningClient(SERVER_KEY).build(), "x"));
            assertEquals(DtlsAlert.CERTIFICATE_REQUIRED, e.alert(), e.getMessage());
        }
    }

    @Test
    void aServerThatValidatesChainsRefusesARawClientKey() throws Exception {
        TestPki.Pki pki = TestPki.quickServer();
        DtlsConfig server = DtlsConfig.builder().backend("fallback").certificate(pki.leaf().chain(), pki.leaf().privateKey())
                .clientAuth(DtlsConfig.ClientAuth.REQUIRED).trustedCertificates(List.of(pki.ca().certificate())).build();
        try (LoopbackEcho echo = new LoopbackEcho(server)) {
            DtlsException e = assertThrows(DtlsException.class, () -> echo.roundTrip(DtlsConfig.builder().backend("fallback")
                    .handshakeTimeout(WAIT).trustedCertificates(List.of(pki.ca().certificate())).serverName("localhost")
                    .rawPublicKey(CLIENT_KEY).build(), "x"));
            assertEquals(DtlsAlert.UNSUPPORTED_CERTIFICATE, e.alert(), e.getMessage());
        }
    }

    @Test
    void contradictoryOrMismatchedRawKeysFailAtBuild() {
        TestPki.Pki pki = TestPki.quickServer();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DtlsConfig.builder()
                .certificate(pki.leaf().chain(), pki.leaf().privateKey()).rawPublicKey(SERVER_KEY).build());
        assertTrue(e.getMessage().startsWith("certificate and rawPublicKey contradict"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DtlsConfig.builder()
                .rawPublicKey(new KeyPair(SERVER_KEY.getPublic(), TestPki.freshKeyPair(KeyType.ED25519).getPrivate())).build());
        assertTrue(e.getMessage().startsWith("rawPublicKey: the private key"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DtlsConfig.builder()
                .rawPublicKey(TestPki.keyPair(KeyType.EC_P384)).build());
        assertTrue(e.getMessage().startsWith("rawPublicKey: the raw public key is a"), e.getMessage());
    }
}
