package dev.pqdtls.fallback.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.spi.CryptoBackend;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The sans-I/O engine end to end: a client and a server connection exchanging datagrams in memory. */
public class EngineHandshakeTest {
    private static final CryptoBackend CRYPTO = new FallbackBackend();
    private static final TestPki.Pki PKI = TestPki.quickServer();
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 4433);

    public static DtlsConfig.Builder serverConfig() {
        return DtlsConfig.builder().certificate(PKI.leaf().chain(), PKI.leaf().privateKey()).cookiePolicy(DtlsConfig.CookiePolicy.NEVER);
    }

    public static DtlsConfig.Builder clientConfig() {
        return DtlsConfig.builder().trustedCertificates(List.of(PKI.ca().certificate())).serverName("localhost");
    }

    public static Connection[] pair(DtlsConfig clientConfig, DtlsConfig serverConfig, long now) {
        PeerAuthenticator trust = PeerAuthenticator.builder().trustAnchors(clientConfig.trustedCertificates()).build();
        ClientConnection c = new ClientConnection(clientConfig, CRYPTO, SERVER, trust,
                clientConfig.certificateChain().isEmpty() ? null
                        : LocalCredentials.of(clientConfig.certificateChain(), clientConfig.privateKey().get()), now);
        ServerConnection s = new ServerConnection(serverConfig, CRYPTO, CLIENT,
                LocalCredentials.of(serverConfig.certificateChain(), serverConfig.privateKey().get()),
                serverConfig.trustedCertificates().isEmpty() ? PeerAuthenticator.insecure()
                        : PeerAuthenticator.builder().trustAnchors(serverConfig.trustedCertificates()).build(), now);
        c.start(now);
        return new Connection[] {c, s};
    }

    static void exchange(Connection c, Connection s, LoopbackPump pump) {
        c.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)), pump.now);
        pump.settle(100);
        assertEquals("ping", new String(s.pollApplicationData(), StandardCharsets.UTF_8));
        s.send(ByteBuffer.wrap("pong".getBytes(StandardCharsets.UTF_8)), pump.now);
        pump.settle(100);
        assertEquals("pong", new String(c.pollApplicationData(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(NamedGroup.class)
    void everyGroupCompletesAndCarriesData(NamedGroup group) {
        Connection[] p = pair(clientConfig().groups(group).build(), serverConfig().groups(group).build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000), () -> "client " + p[0].state() + " " + p[0].failure() + " / server "
                + p[1].state() + " " + p[1].failure());
        assertEquals(group, p[0].session().group());
        assertEquals(group, p[1].session().group());
        exchange(p[0], p[1], pump);
        assertArrayEquals(p[0].exportKeyingMaterial("EXPORTER-test", new byte[3], 32),
                p[1].exportKeyingMaterial("EXPORTER-test", new byte[3], 32));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void everySuiteCompletes(CipherSuite suite) {
        // A default server accepts every suite but AES-CCM-8, which must be named (RFC 9147 §4.5.3).
        DtlsConfig.Builder server = suite == CipherSuite.TLS_AES_128_CCM_8_SHA256 ? serverConfig().cipherSuites(suite)
                : serverConfig();
        Connection[] p = pair(clientConfig().cipherSuites(suite).build(), server.build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000), () -> p[0].failure() + " / " + p[1].failure());
        assertEquals(suite, p[1].session().cipherSuite());
        exchange(p[0], p[1], pump);
    }

    @Test
    void groupMismatchTakesAHelloRetryRequest() {
        Connection[] p = pair(clientConfig().groups(NamedGroup.X25519, NamedGroup.X25519_MLKEM768).build(),
                serverConfig().groups(NamedGroup.X25519_MLKEM768).build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000), () -> p[0].failure() + " / " + p[1].failure());
        assertTrue(p[0].session().helloRetryRequest());
        assertEquals(NamedGroup.X25519_MLKEM768, p[0].session().group());
        exchange(p[0], p[1], pump);
    }

    @Test
    void keyUpdateSwitchesEpochsAndDataStillFlows() {
        Connection[] p = pair(clientConfig().build(), serverConfig().build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000));
        assertTrue(p[0].startKeyUpdate(true, pump.now));
        pump.settle(100);
        exchange(p[0], p[1], pump);
        assertEquals(1, p[0].stats().keyUpdates());
        assertEquals(1, p[1].stats().keyUpdates(), "update_requested makes the server update too");
        exchange(p[0], p[1], pump);
    }

    @Test
    void keyUpdatesStartAutomaticallyAfterTheConfiguredRecordCount() {
        Connection[] p = pair(clientConfig().keyUpdateAfterRecords(5).build(), serverConfig().build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000));
        for (int i = 0; i < 20; i++) {
            p[0].send(ByteBuffer.wrap(("m" + i).getBytes(StandardCharsets.UTF_8)), pump.now);
            pump.settle(100);
            assertEquals("m" + i, new String(p[1].pollApplicationData(), StandardCharsets.UTF_8));
        }
        assertTrue(p[0].stats().keyUpdates() >= 3, "20 records at 5 per key: " + p[0].stats());
    }

    @Test
    void aKeyUpdateTheMissingAckNeverCompletesEndsTheConnectionAtTheUsageLimit() {
        // No session ticket: the client's ACK of one would be a record under the key being counted.
        Connection[] p = pair(clientConfig().keyUpdateAfterRecords(5).build(), serverConfig().sessionTickets(false).build(),
                1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000));
        // From here nothing reaches the server: the KeyUpdate after record 5 is never acknowledged.
        // The key may protect 2 × 5 records: 9 of data plus the KeyUpdate message itself.
        for (int i = 0; i < 9; i++) {
            p[0].send(ByteBuffer.wrap(("m" + i).getBytes(StandardCharsets.UTF_8)), pump.now);
            while (p[0].pollOutgoing() != null) {
                // dropped
            }
        }
        assertEquals(0, p[0].stats().keyUpdates());
        assertEquals(Connection.State.CONNECTED, p[0].state(), "10 records = twice keyUpdateAfterRecords: still allowed");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> p[0].send(ByteBuffer.wrap("one too many".getBytes(StandardCharsets.UTF_8)), pump.now));
        assertTrue(refused.getMessage().contains("RFC 9147 §4.5.3"), refused.getMessage());
        assertEquals(Connection.State.FAILED, p[0].state());
        assertEquals(DtlsAlert.INTERNAL_ERROR, p[0].failure().alert());
    }

    /** AES-CCM-8's 8-byte tag allows 2^7 forged records per key (RFC 9147 §4.5.3); the 128th ends the connection. */
    @Test
    void ccm8EndsTheConnectionAtItsIntegrityLimit() {
        CipherSuite ccm8 = CipherSuite.TLS_AES_128_CCM_8_SHA256;
        Connection[] p = pair(clientConfig().cipherSuites(ccm8).build(), serverConfig().cipherSuites(ccm8).build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000));
        p[0].send(ByteBuffer.wrap("genuine".getBytes(StandardCharsets.UTF_8)), pump.now);
        ByteBuffer genuine = p[0].pollOutgoing();
        byte[] forged = new byte[genuine.remaining()];
        genuine.duplicate().get(forged);
        forged[forged.length - 1] ^= 1; // the tag's last byte
        for (int i = 1; i <= 128; i++) {
            p[1].onDatagram(ByteBuffer.wrap(forged.clone()), pump.now);
            if (i < 128) {
                assertEquals(Connection.State.CONNECTED, p[1].state(), "after " + i + " forgeries");
            }
        }
        assertEquals(Connection.State.FAILED, p[1].state());
        assertEquals(DtlsAlert.INTERNAL_ERROR, p[1].failure().alert());
        assertEquals(Connection.Ending.AEAD_INTEGRITY_LIMIT, p[1].ending());
        assertEquals(128, p[1].recordsFailedAuthentication());
    }

    @Test
    void keyUpdatesStartAutomaticallyAfterTheConfiguredTime() {
        Connection[] p = pair(clientConfig().keyUpdateAfterTime(java.time.Duration.ofSeconds(10)).build(),
                serverConfig().build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000));
        pump.advance(25_000);
        assertEquals(2, p[0].stats().keyUpdates(), "one update per 10 s of simulated time");
        exchange(p[0], p[1], pump);
    }

    @Test
    void connectionIdsAreNegotiated() {
        Connection[] p = pair(clientConfig().connectionIdLength(4).build(), serverConfig().connectionIdLength(8).build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000), () -> p[0].failure() + " / " + p[1].failure());
        assertTrue(p[0].session().connectionIds());
        assertEquals(8, ((ServerConnection) p[1]).ownConnectionId().length);
        exchange(p[0], p[1], pump);
    }

    @Test
    void mutualAuthentication() {
        TestPki.Pki clientPki = TestPki.quickServer();
        DtlsConfig client = clientConfig().certificate(clientPki.leaf().chain(), clientPki.leaf().privateKey()).build();
        DtlsConfig server = serverConfig().clientAuth(DtlsConfig.ClientAuth.REQUIRED)
                .trustedCertificates(List.of(clientPki.ca().certificate())).build();
        Connection[] p = pair(client, server, 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000), () -> p[0].failure() + " / " + p[1].failure());
        assertEquals(clientPki.leaf().leaf(), p[1].session().peerCertificates().get(0));
        exchange(p[0], p[1], pump);
    }

    @Test
    void completesUnderLossDuplicationAndReordering() {
        for (long seed = 1; seed <= 10; seed++) {
            Connection[] p = pair(clientConfig().build(), serverConfig().build(), 1_000_000);
            LoopbackPump pump = new LoopbackPump(p[0], p[1], seed, 0.2, 0.2, 0.5);
            long s = seed;
            assertTrue(pump.runUntilEstablished(20_000), () -> "seed " + s + ": " + p[0].state() + " " + p[0].failure()
                    + " / " + p[1].state() + " " + p[1].failure());
            assertNotNull(p[1].session());
        }
    }
}
