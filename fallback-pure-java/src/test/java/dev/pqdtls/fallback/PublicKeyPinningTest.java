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
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Public-key pinning through the public API over loopback: a client pinning its server's key, a
 * server pinning its clients' keys, with chain validation and instead of it.
 */
@Timeout(60)
class PublicKeyPinningTest {
    private static final TestPki.Pki PKI = TestPki.quickServer();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static DtlsConfig.Builder server() {
        return DtlsConfig.builder().backend("fallback").certificate(PKI.leaf().chain(), PKI.leaf().privateKey());
    }

    private static DtlsConfig.Builder client() {
        return DtlsConfig.builder().backend("fallback").trustedCertificates(List.of(PKI.ca().certificate()))
                .serverName("localhost").handshakeTimeout(WAIT);
    }

    private static String pin(PublicKey key) {
        return DtlsConfig.publicKeyPin(key);
    }

    /** The form sha256sum prints: lower-case hex of the SHA-256 of the DER SubjectPublicKeyInfo. */
    private static String hexPin(PublicKey key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    }

    @Test
    void aPinnedServerKeyIsAcceptedWithTheChainAndShowsInTheSession() throws Exception {
        PublicKey serverKey = PKI.leaf().leaf().getPublicKey();
        String other = pin(TestPki.freshKeyPair(KeyType.EC_P256).getPublic());
        try (LoopbackEcho echo = new LoopbackEcho(server().build());
                DtlsConnection c = DtlsClient.connect(echo.address(),
                        client().pinnedPublicKeys(List.of(other, hexPin(serverKey))).build())) {
            assertEquals(serverKey, c.session().peerPublicKey());
            assertEquals(pin(serverKey), c.session().peerPublicKeyPin().orElseThrow());
            assertEquals(PKI.leaf().leaf(), c.session().peerCertificates().get(0));
        }
    }

    @Test
    void anUnpinnedServerKeyFailsWithBadCertificateAndNamesItsPin() throws Exception {
        PublicKey serverKey = PKI.leaf().leaf().getPublicKey();
        String other = pin(TestPki.freshKeyPair(KeyType.EC_P256).getPublic());
        try (LoopbackEcho echo = new LoopbackEcho(server().build())) {
            long start = System.nanoTime();
            DtlsException e = assertThrows(DtlsException.class,
                    () -> DtlsClient.connect(echo.address(), client().pinnedPublicKeys(List.of(other)).build()).close());
            assertEquals(DtlsAlert.BAD_CERTIFICATE, e.alert());
            assertTrue(e.getMessage().contains(pin(serverKey)), e.getMessage());
            assertTrue(e.getMessage().contains(hexPin(serverKey)), e.getMessage());
            // Fails at once, not by a handshake timeout.
            assertTrue(System.nanoTime() - start < WAIT.toNanos() / 2, "took " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    @Test
    void aPinDoesNotReplaceChainValidationByDefault() throws Exception {
        // The pin matches, but the client does not trust the self-signed certificate: still refused.
        TestPki.Issued self = TestPki.selfSigned("peer", KeyType.ED25519, "localhost");
        DtlsConfig serverConfig = DtlsConfig.builder().backend("fallback").certificate(self.chain(), self.privateKey()).build();
        try (LoopbackEcho echo = new LoopbackEcho(serverConfig)) {
            DtlsException e = assertThrows(DtlsException.class, () -> DtlsClient.connect(echo.address(),
                    client().pinnedPublicKeys(List.of(pin(self.leaf().getPublicKey()))).build()).close());
            assertEquals(DtlsAlert.UNKNOWN_CA, e.alert(), e.getMessage());
        }
    }

    @Test
    void pinOnlyAcceptsASelfSignedServerByItsKey() throws Exception {
        TestPki.Issued self = TestPki.selfSigned("peer", KeyType.ED25519); // no names at all
        DtlsConfig serverConfig = DtlsConfig.builder().backend("fallback").certificate(self.chain(), self.privateKey()).build();
        DtlsConfig pinned = DtlsConfig.builder().backend("fallback").handshakeTimeout(WAIT)
                .pinnedPublicKeys(List.of(pin(self.leaf().getPublicKey())), PinMode.INSTEAD_OF_CHAIN).build();
        try (LoopbackEcho echo = new LoopbackEcho(serverConfig)) {
            assertTrue(echo.roundTrip(pinned, "hi").endsWith("\nhi"));
            DtlsConfig wrong = DtlsConfig.builder().backend("fallback").handshakeTimeout(WAIT).pinnedPublicKeys(
                    List.of(pin(TestPki.freshKeyPair(KeyType.ED25519).getPublic())), PinMode.INSTEAD_OF_CHAIN).build();
            DtlsException e = assertThrows(DtlsException.class, () -> echo.roundTrip(wrong, "hi"));
            assertEquals(DtlsAlert.BAD_CERTIFICATE, e.alert());
        }
    }

    @Test
    void aServerPinsItsClientsKeys() throws Exception {
        TestPki.Issued alice = PKI.ca().leaf("alice").issue();
        TestPki.Issued mallory = PKI.ca().leaf("mallory").keys(TestPki.freshKeyPair(KeyType.EC_P256)).issue();
        DtlsConfig serverConfig = server().clientAuth(DtlsConfig.ClientAuth.REQUIRED)
                .trustedCertificates(List.of(PKI.ca().certificate()))
                .pinnedPublicKeys(List.of(pin(alice.leaf().getPublicKey()))).build();
        try (LoopbackEcho echo = new LoopbackEcho(serverConfig)) {
            assertTrue(echo.roundTrip(client().certificate(alice.chain(), alice.privateKey()).build(), "a").endsWith("\na"));
            // Mallory's certificate is issued by the same trusted CA: only the pin keeps her out.
            DtlsException e = assertThrows(DtlsException.class, () -> echo.roundTrip(
                    client().certificate(mallory.chain(), mallory.privateKey()).build(), "m"));
            assertEquals(DtlsAlert.BAD_CERTIFICATE, e.alert(), e.getMessage());
            assertTrue(e.fromPeer(), "the server refused the client");
        }
    }

    @Test
    void aServerPinsSelfSignedClientsWithoutAnyCa() throws Exception {
        TestPki.Issued node = TestPki.selfSigned("node-7", KeyType.EC_P256);
        DtlsConfig serverConfig = server().clientAuth(DtlsConfig.ClientAuth.REQUIRED)
                .pinnedPublicKeys(List.of(pin(node.leaf().getPublicKey())), PinMode.INSTEAD_OF_CHAIN).build();
        try (LoopbackEcho echo = new LoopbackEcho(serverConfig);
                DtlsConnection c = DtlsClient.connect(echo.address(),
                        client().certificate(node.chain(), node.privateKey()).build())) {
            c.send(new byte[] {1});
            assertEquals(1, c.receive(WAIT).orElseThrow().length);
        }
    }

    /**
     * A digest whose first six bits are all ones encodes to base64 starting with '/', so its pin reads
     * "sha256//...": it must not be taken for the "sha256//" spelling of the prefix (1 key in 64; a CI
     * run drew one in RawPublicKeyTest).
     */
    @Test
    void aPinWhoseBase64StartsWithASlashIsThatPin() {
        byte[] digest = new byte[32];
        digest[0] = (byte) 0xFC;
        String pin = "sha256/" + java.util.Base64.getEncoder().encodeToString(digest);
        assertTrue(pin.startsWith("sha256//"), pin);
        assertEquals(1, dev.pqdtls.internal.auth.PublicKeyPins.parse("pinnedPublicKeys", List.of(pin)).size());
        DtlsConfig.builder().pinnedPublicKeys(List.of(pin), PinMode.INSTEAD_OF_CHAIN).build(); // no exception
        // And the "sha256//" spelling still works for a digest whose base64 does not start with '/'.
        String other = "sha256//" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        assertEquals(1, dev.pqdtls.internal.auth.PublicKeyPins.parse("pinnedPublicKeys", List.of(other)).size());
    }

    @Test
    void malformedPinsAndContradictionsFailAtBuild() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DtlsConfig.builder().pinnedPublicKeys(List.of("sha256/tooShort")).build());
        assertTrue(e.getMessage().startsWith("pinnedPublicKeys: entry 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DtlsConfig.builder().pinnedPublicKeys(List.of(), PinMode.INSTEAD_OF_CHAIN).build());
        assertTrue(e.getMessage().contains("INSTEAD_OF_CHAIN needs at least one pin"), e.getMessage());
        String good = "sha256/" + "A".repeat(43) + "=";
        e = assertThrows(IllegalArgumentException.class,
                () -> DtlsConfig.builder().insecureTrustAll().pinnedPublicKeys(List.of(good)).build());
        assertTrue(e.getMessage().contains("contradict"), e.getMessage());
        // Hex with colons, base64 without prefix and the canonical form name the same key.
        String hex = "ab:".repeat(31) + "ab";
        List<String> canonical = DtlsConfig.builder().pinnedPublicKeys(List.of(hex, good.substring(7))).build().pinnedPublicKeys();
        assertEquals(List.of("sha256/q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", good), canonical);
    }
}
