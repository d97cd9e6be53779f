package dev.pqdtls.fallback.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.PreSharedKey;
import dev.pqdtls.SessionCache;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.SessionTicket;
import dev.pqdtls.TicketKeys;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.internal.psk.TicketSealer;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session tickets and external PSKs through the sans-I/O engine (RFC 8446 §2.2, §4.2.11, §4.6.1;
 * RFC 9147 §5.8.4): real crypto, datagrams exchanged in memory.
 */
@Timeout(60)
class SessionResumptionTest {
    private static final CryptoBackend CRYPTO = new FallbackBackend();
    private static final TestPki.Pki PKI = TestPki.quickServer();
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 4433);
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static DtlsConfig.Builder server() {
        return EngineHandshakeTest.serverConfig();
    }

    private static DtlsConfig.Builder client() {
        return EngineHandshakeTest.clientConfig();
    }

    /** A connected pair; the server has no certificate when its configuration names none (PSK only). */
    private static Connection[] connect(DtlsConfig clientConfig, DtlsConfig serverConfig) {
        Connection[] p = pair(clientConfig, serverConfig);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000), () -> "client " + p[0].state() + " " + p[0].failure() + " / server "
                + p[1].state() + " " + p[1].failure());
        pump.settle(100); // the ticket and its ACK
        assertFalse(p[1].flightPending(), "the client ACKed the ticket (RFC 9147 §5.8.4)");
        exchange(p[0], p[1], pump);
        return p;
    }

    private static Connection[] pair(DtlsConfig clientConfig, DtlsConfig serverConfig) {
        return pair(clientConfig, serverConfig, List.of());
    }

    private static Connection[] pair(DtlsConfig clientConfig, DtlsConfig serverConfig, List<String> earlyData) {
        long now = 1_000_000;
        PeerAuthenticator trust = clientConfig.trustedCertificates().isEmpty() ? PeerAuthenticator.insecure()
                : PeerAuthenticator.builder().trustAnchors(clientConfig.trustedCertificates()).build();
        ClientConnection c = new ClientConnection(clientConfig, CRYPTO, SERVER, trust,
                clientConfig.certificateChain().isEmpty() ? null
                        : LocalCredentials.of(clientConfig.certificateChain(), clientConfig.privateKey().get()), now);
        ServerConnection s = new ServerConnection(serverConfig, CRYPTO, CLIENT,
                serverConfig.certificateChain().isEmpty() ? null
                        : LocalCredentials.of(serverConfig.certificateChain(), serverConfig.privateKey().get()),
                serverConfig.trustedCertificates().isEmpty() ? PeerAuthenticator.insecure()
                        : PeerAuthenticator.builder().trustAnchors(serverConfig.trustedCertificates()).build(), now);
        c.earlyData(earlyData.stream().map(d -> ByteBuffer.wrap(d.getBytes(StandardCharsets.UTF_8))).toList());
        c.start(now);
        return new Connection[] {c, s};
    }

    private static List<String> strings(List<byte[]> data) {
        return data.stream().map(d -> new String(d, StandardCharsets.UTF_8)).toList();
    }

    /** Early data through a pumped handshake; returns the pair once established. */
    private static Connection[] connectWithEarlyData(DtlsConfig clientConfig, DtlsConfig serverConfig, List<String> early) {
        Connection[] p = pair(clientConfig, serverConfig, early);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000), () -> p[0].failure() + " / " + p[1].failure());
        pump.settle(100);
        return p;
    }

    private static final List<String> EARLY = List.of("GET /status", "GET /time");

    @Test
    void earlyDataRidesWithTheClientHelloOfAResumptionAndIsKeptApartFromLaterData() {
        DtlsConfig clientConfig = client().build();
        DtlsConfig serverConfig = server().maxEarlyData(1024).build();
        Connection[] full = connectWithEarlyData(clientConfig, serverConfig, EARLY);
        assertFalse(full[0].earlyDataAccepted(), "no ticket yet: sent after the handshake");
        assertTrue(full[1].takeEarlyData().isEmpty());
        assertEquals(EARLY.get(0), new String(full[1].pollApplicationData(), StandardCharsets.UTF_8));
        assertEquals(EARLY.get(1), new String(full[1].pollApplicationData(), StandardCharsets.UTF_8));

        Connection[] resumed = connectWithEarlyData(clientConfig, serverConfig, EARLY);
        assertTrue(resumed[0].session().resumed());
        assertTrue(resumed[0].earlyDataAccepted(), "the server said so in EncryptedExtensions");
        assertTrue(resumed[1].earlyDataAccepted());
        assertEquals(EARLY, strings(resumed[1].takeEarlyData()));
        assertTrue(resumed[1].takeEarlyData().isEmpty(), "taken once");
        assertEquals(null, resumed[1].pollApplicationData(), "0-RTT data is not repeated as ordinary data");
        exchange(resumed[0], resumed[1], new LoopbackPump(resumed[0], resumed[1]));
    }

    @Test
    void aReplayedClientHelloGetsNoEarlyDataAccepted() {
        DtlsConfig clientConfig = client().build();
        DtlsConfig serverConfig = server().maxEarlyData(1024).build();
        connect(clientConfig, serverConfig);
        Connection[] first = pair(clientConfig, serverConfig, EARLY);
        List<ByteBuffer> flight = new java.util.ArrayList<>();
        for (ByteBuffer d = first[0].pollOutgoing(); d != null; d = first[0].pollOutgoing()) {
            flight.add(d);
        }
        assertTrue(flight.size() >= 3, "the ClientHello and two 0-RTT records");
        Connection victim = first[1];
        Connection replayTarget = pair(client().build(), serverConfig)[1];
        for (ByteBuffer d : flight) {
            victim.onDatagram(d.duplicate(), 1_000_000);
            replayTarget.onDatagram(d.duplicate(), 1_000_000);
        }
        assertEquals(EARLY, strings(victim.takeEarlyData()));
        assertTrue(victim.earlyDataAccepted());
        assertFalse(replayTarget.earlyDataAccepted(), "the same ClientHello again: its binder was seen");
        assertTrue(replayTarget.takeEarlyData().isEmpty());
        assertTrue(replayTarget.stats().recordsDropped() >= 2, "its 0-RTT records are dropped and counted");
    }

    @Test
    void earlyDataTheServerRefusesIsSentAgainAfterTheHandshake() {
        TicketKeys keys = TicketKeys.of(List.of(new byte[32]));
        DtlsConfig clientConfig = client().build();
        connect(clientConfig, server().ticketKeys(keys).maxEarlyData(1024).build());
        // The same ticket keys, but early data turned off since the ticket was issued.
        Connection[] p = connectWithEarlyData(clientConfig, server().ticketKeys(keys).build(), EARLY);
        assertTrue(p[0].session().resumed());
        assertFalse(p[0].earlyDataAccepted(), "the server refused it in EncryptedExtensions");
        assertTrue(p[1].takeEarlyData().isEmpty());
        assertTrue(p[1].stats().recordsDropped() >= 2, "the 0-RTT records it could not read were dropped and counted");
        assertEquals(EARLY.get(0), new String(p[1].pollApplicationData(), StandardCharsets.UTF_8), "sent again: nothing lost");
        assertEquals(EARLY.get(1), new String(p[1].pollApplicationData(), StandardCharsets.UTF_8));
    }

    @Test
    void earlyDataTheTicketCannotCarryGoesAfterTheHandshake() {
        DtlsConfig clientConfig = client().build();
        DtlsConfig serverConfig = server().maxEarlyData(8).build();
        connect(clientConfig, serverConfig);
        Connection[] p = connectWithEarlyData(clientConfig, serverConfig, EARLY); // 20 bytes > 8
        assertTrue(p[0].session().resumed());
        assertFalse(p[0].earlyDataAccepted());
        assertEquals(EARLY.get(0), new String(p[1].pollApplicationData(), StandardCharsets.UTF_8));
    }

    @Test
    void aServerWithoutEarlyDataOrAHelloRetryRequestMeansOrdinaryDataAfterTheHandshake() {
        DtlsConfig clientConfig = client().build();
        DtlsConfig noEarly = server().build();
        connect(clientConfig, noEarly);
        Connection[] p = connectWithEarlyData(clientConfig, noEarly, EARLY);
        assertFalse(p[0].earlyDataAccepted());
        assertEquals(EARLY.get(0), new String(p[1].pollApplicationData(), StandardCharsets.UTF_8));

        DtlsConfig retrying = client().groups(NamedGroup.X25519, NamedGroup.X25519_MLKEM768).build();
        DtlsConfig hybridOnly = server().groups(NamedGroup.X25519_MLKEM768).maxEarlyData(1024).build();
        connect(retrying, hybridOnly);
        Connection[] r = connectWithEarlyData(retrying, hybridOnly, EARLY);
        assertTrue(r[0].session().helloRetryRequest());
        assertTrue(r[0].session().resumed());
        assertFalse(r[0].earlyDataAccepted(), "no 0-RTT after a HelloRetryRequest (RFC 8446 §4.2.10)");
        assertEquals(EARLY.get(0), new String(r[1].pollApplicationData(), StandardCharsets.UTF_8));
    }

    private static void exchange(Connection c, Connection s, LoopbackPump pump) {
        EngineHandshakeTest.exchange(c, s, pump);
        assertArrayEquals(c.exportKeyingMaterial("EXPORTER-test", new byte[0], 32),
                s.exportKeyingMaterial("EXPORTER-test", new byte[0], 32));
    }

    /** A failed handshake: the client's and the server's failures. */
    private static Connection[] fail(DtlsConfig clientConfig, DtlsConfig serverConfig) {
        return fail(clientConfig, serverConfig, List.of());
    }

    private static Connection[] fail(DtlsConfig clientConfig, DtlsConfig serverConfig, List<String> earlyData) {
        Connection[] p = pair(clientConfig, serverConfig, earlyData);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertFalse(pump.runUntilEstablished(1000));
        return p;
    }

    @Test
    void aSecondConnectionResumesWithTheTicketAndStillRunsTheHybridKeyExchange() {
        DtlsConfig clientConfig = client().build();
        DtlsConfig serverConfig = server().build();
        Connection[] full = connect(clientConfig, serverConfig);
        assertEquals(SessionInfo.Authentication.CERTIFICATE, full[0].session().authentication());
        assertFalse(full[1].session().resumed());

        Connection[] resumed = connect(clientConfig, serverConfig);
        SessionInfo client = resumed[0].session();
        assertTrue(client.resumed(), client::toString);
        assertTrue(resumed[1].session().resumed());
        assertEquals(NamedGroup.X25519_MLKEM768, client.group(), "psk_dhe_ke with the hybrid group by default");
        assertEquals(full[0].session().peerCertificates(), client.peerCertificates(),
                "the resumed session reports the server certificate verified when the ticket was issued");
        assertTrue(client.summary().endsWith(" resumed=yes"), client.summary());

        // The resumed session issued a fresh ticket: a third connection resumes as well.
        assertTrue(connect(clientConfig, serverConfig)[0].session().resumed());
    }

    @Test
    void aTicketIsOfferedOnceAndNotAfterItsLifetime() {
        SessionCache cache = SessionCache.inMemory(4);
        DtlsConfig clientConfig = client().sessionCache(cache).build();
        DtlsConfig serverConfig = server().ticketLifetime(java.time.Duration.ofSeconds(1)).build();
        connect(clientConfig, serverConfig);
        Optional<SessionTicket> t = cache.take("localhost:4433", System.currentTimeMillis());
        assertTrue(t.isPresent(), "the client cached the ticket under the server's name and port");
        assertEquals(1, t.get().lifetimeSeconds());
        assertTrue(cache.take("localhost:4433", System.currentTimeMillis()).isEmpty(), "taken once");
        cache.put("localhost:4433", t.get());
        assertTrue(cache.take("localhost:4433", System.currentTimeMillis() + 1000).isEmpty(), "expired after its lifetime");
    }

    @Test
    void resumptionSurvivesAHelloRetryRequestWithBindersOverTheNewTranscript() {
        DtlsConfig clientConfig = client().groups(NamedGroup.X25519, NamedGroup.X25519_MLKEM768).build();
        DtlsConfig serverConfig = server().groups(NamedGroup.X25519_MLKEM768).build();
        connect(clientConfig, serverConfig);
        Connection[] resumed = connect(clientConfig, serverConfig);
        assertTrue(resumed[0].session().helloRetryRequest());
        assertTrue(resumed[0].session().resumed());
        assertEquals(NamedGroup.X25519_MLKEM768, resumed[1].session().group());
    }

    @Test
    void aTicketSealedUnderAnotherKeyMeansAFullHandshakeAndServersSharingKeysResumeEachOthersSessions() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) 7);
        DtlsConfig clientConfig = client().build();
        connect(clientConfig, server().ticketKeys(TicketKeys.of(List.of(a))).build());
        Connection[] other = connect(clientConfig, server().ticketKeys(TicketKeys.of(List.of(b))).build());
        assertFalse(other[0].session().resumed(), "a server without the ticket's key makes a full handshake");
        // That full handshake left a ticket under b; a fleet that rotated to c but still accepts b resumes it.
        byte[] c = new byte[32];
        Arrays.fill(c, (byte) 9);
        Connection[] fleet = connect(clientConfig, server().ticketKeys(TicketKeys.of(List.of(c, b))).build());
        assertTrue(fleet[0].session().resumed());
    }

    /** A ticket sealed by the server's keys with the given state, as the client's cache would hold it. */
    private static SessionTicket craftedTicket(TicketKeys keys, long issuedAtMillis, long sealedMaxEarlyData,
            long clientMaxEarlyData) {
        byte[] psk = new byte[32];
        Arrays.fill(psk, (byte) 5);
        long now = System.currentTimeMillis();
        byte[] ticket = TicketSealer.seal(keys, new TicketSealer.State(
                CipherSuite.TLS_AES_128_GCM_SHA256.codepoint(), issuedAtMillis, 3600, 0, sealedMaxEarlyData, psk, new byte[0]), now);
        return new SessionTicket(ticket, psk, CipherSuite.TLS_AES_128_GCM_SHA256, now, 3600, 0,
                List.of(PKI.leaf().chain().get(0)), clientMaxEarlyData);
    }

    @Test
    void anExpiredTicketMeansAFullHandshake() {
        TicketKeys keys = TicketKeys.of(List.of(new byte[32]));
        DtlsConfig serverConfig = server().ticketKeys(keys).build();
        for (boolean expired : new boolean[] {true, false}) {
            SessionCache cache = SessionCache.inMemory(4);
            long issued = System.currentTimeMillis() - (expired ? 2 * 3600_000 : 0);
            cache.put("localhost:4433", craftedTicket(keys, issued, 0, 0));
            Connection[] p = connect(client().sessionCache(cache).build(), serverConfig);
            assertEquals(!expired, p[1].session().resumed(), expired ? "issued 2 h ago, good for 1 h" : "a fresh one resumes");
        }
    }

    @Test
    void moreEarlyDataThanTheTicketAllowsEndsTheHandshakeWithUnexpectedMessage() {
        TicketKeys keys = TicketKeys.of(List.of(new byte[32]));
        DtlsConfig serverConfig = server().ticketKeys(keys).maxEarlyData(1024).build();
        SessionCache cache = SessionCache.inMemory(4);
        // The server sealed 8 bytes into the ticket; a client that sends 20 breaks the ticket's terms.
        cache.put("localhost:4433", craftedTicket(keys, System.currentTimeMillis(), 8, 1024));
        Connection[] p = fail(client().sessionCache(cache).build(), serverConfig, EARLY);
        assertEquals(DtlsAlert.UNEXPECTED_MESSAGE, p[1].failure().alert());
        assertTrue(p[1].failure().getMessage().contains("more 0-RTT data than its ticket allows"), p[1].failure().getMessage());
    }

    @Test
    void aClientThatListsNoPskModeGetsNoTicket() {
        DtlsConfig serverConfig = server().build();
        long withTicket = connect(client().build(), serverConfig)[1].stats().recordsSent();
        // Without sessionTickets the client sends no psk_key_exchange_modes (RFC 8446 §4.2.9).
        long without = connect(client().sessionTickets(false).build(), serverConfig)[1].stats().recordsSent();
        assertEquals(withTicket - 1, without, "one record less: the NewSessionTicket");
    }

    @Test
    void aServerWithoutTicketsSendsNoneAndTheClientMakesFullHandshakes() {
        DtlsConfig clientConfig = client().build();
        DtlsConfig serverConfig = server().sessionTickets(false).build();
        connect(clientConfig, serverConfig);
        assertFalse(connect(clientConfig, serverConfig)[0].session().resumed());
    }

    @Test
    void clientCertificatesCarryOverToTheResumedSession() {
        TestPki.Pki clientPki = TestPki.quickServer();
        DtlsConfig clientConfig = client().certificate(clientPki.leaf().chain(), clientPki.leaf().privateKey()).build();
        DtlsConfig serverConfig = server().clientAuth(DtlsConfig.ClientAuth.REQUIRED)
                .trustedCertificates(List.of(clientPki.ca().certificate())).build();
        connect(clientConfig, serverConfig);
        Connection[] resumed = connect(clientConfig, serverConfig);
        assertTrue(resumed[1].session().resumed());
        assertEquals(clientPki.leaf().chain().get(0), resumed[1].session().peerCertificates().get(0));
    }

    @Test
    void anExternalKeyAloneAuthenticatesBothSidesWithTheHybridKeyExchange() {
        DtlsConfig serverConfig = DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", KEY))
                .cookiePolicy(DtlsConfig.CookiePolicy.NEVER).build();
        DtlsConfig clientConfig = DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", KEY)).build();
        Connection[] p = connect(clientConfig, serverConfig);
        assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY, p[0].session().authentication());
        assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY, p[1].session().authentication());
        assertEquals(NamedGroup.X25519_MLKEM768, p[1].session().group());
        assertTrue(p[0].session().peerCertificates().isEmpty());
    }

    @Test
    void pskKeOnlyWhenBothSidesAllowIt() {
        DtlsConfig serverConfig = DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", KEY))
                .pskModes(DtlsConfig.PskMode.PSK_KE, DtlsConfig.PskMode.PSK_DHE_KE).sessionTickets(false).build();
        Connection[] dhe = connect(DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", KEY)).build(), serverConfig);
        assertEquals(NamedGroup.X25519_MLKEM768, dhe[0].session().group(), "a client that allows only psk_dhe_ke gets it");
        Connection[] ke = connect(DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", KEY))
                .pskModes(DtlsConfig.PskMode.PSK_KE).build(), serverConfig);
        assertNull(ke[0].session().group(), "psk_ke: no key exchange");
        assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY, ke[1].session().authentication());
    }

    @Test
    void aSha384KeyNegotiatesTheSha384SuiteAheadOfTheServersFirstChoice() {
        PreSharedKey k = PreSharedKey.of("gw".getBytes(StandardCharsets.US_ASCII), new byte[48], HashAlgorithm.SHA384);
        DtlsConfig serverConfig = DtlsConfig.builder().preSharedKeys(k).build(); // TLS_AES_128_GCM_SHA256 first
        Connection[] p = connect(DtlsConfig.builder().preSharedKeys(k).build(), serverConfig);
        assertEquals(CipherSuite.TLS_AES_256_GCM_SHA384, p[0].session().cipherSuite());
        assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY, p[0].session().authentication());
    }

    @Test
    void aWrongKeyUnderAKnownIdentityEndsInDecryptError() {
        byte[] other = KEY.clone();
        other[0] ^= 1;
        Connection[] p = fail(DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", other)).build(),
                DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", KEY)).build());
        assertEquals(DtlsAlert.DECRYPT_ERROR, p[1].failure().alert());
        assertTrue(p[1].failure().getMessage().contains("binder"), p[1].failure().getMessage());
        assertEquals(DtlsAlert.DECRYPT_ERROR, p[0].failure().alert(), "the client got the alert");
    }

    @Test
    void aPskOnlyClientRefusesACertificateServerThatIgnoresItsKey() {
        Connection[] p = fail(DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", KEY)).build(), server().build());
        assertEquals(DtlsAlert.HANDSHAKE_FAILURE, p[0].failure().alert());
        assertTrue(p[0].failure().getMessage().contains("did not accept our pre-shared key ['device-17']"),
                p[0].failure().getMessage());
    }

    @Test
    void aPskOnlyServerRefusesAClientWithoutItsKey() {
        Connection[] p = fail(client().build(), DtlsConfig.builder().preSharedKeys(PreSharedKey.of("device-17", KEY)).build());
        assertEquals(DtlsAlert.HANDSHAKE_FAILURE, p[1].failure().alert());
        assertTrue(p[1].failure().getMessage().contains("no certificate"), p[1].failure().getMessage());
    }

    @Test
    void misconfiguredKeysFailAtBuildNamingTheOption() {
        var shortKey = assertThrows(IllegalArgumentException.class, () -> PreSharedKey.of("a", new byte[8]));
        assertTrue(shortKey.getMessage().startsWith("preSharedKeys:"), shortKey.getMessage());
        var twice = assertThrows(IllegalArgumentException.class, () -> DtlsConfig.builder()
                .preSharedKeys(PreSharedKey.of("a", KEY), PreSharedKey.of("a", KEY)).build());
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
        var noSuite = assertThrows(IllegalArgumentException.class, () -> DtlsConfig.builder()
                .preSharedKeys(PreSharedKey.of("a".getBytes(StandardCharsets.US_ASCII), new byte[48], HashAlgorithm.SHA384))
                .cipherSuites(CipherSuite.TLS_AES_128_GCM_SHA256).build());
        assertTrue(noSuite.getMessage().contains("SHA-384"), noSuite.getMessage());
        var lifetime = assertThrows(IllegalArgumentException.class, () -> DtlsConfig.builder()
                .ticketLifetime(java.time.Duration.ofDays(8)).build());
        assertTrue(lifetime.getMessage().startsWith("ticketLifetime"), lifetime.getMessage());
    }
}
