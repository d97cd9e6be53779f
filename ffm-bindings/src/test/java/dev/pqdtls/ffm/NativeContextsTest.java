package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.nativeabi.testing.EnginePump;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The backend's count of live native contexts ({@code CryptoBackend.liveNativeContexts}) comes back to
 * where it was once connections end, whichever way they end: closed after a handshake, failed before
 * the server answered (the client's private key used to stay allocated then), or timed out half-way.
 */
@Timeout(120)
class NativeContextsTest {
    private static final FfmBackend FFM = new FfmBackend();
    private static final TestPki.Pki PKI = TestPki.quickServer();
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40404);
    private static final DtlsConfig SERVER = DtlsConfig.builder().certificate(PKI.leaf().chain(), PKI.leaf().privateKey())
            .cookiePolicy(DtlsConfig.CookiePolicy.NEVER).groups(NamedGroup.X25519).build();
    private static final DtlsConfig CLIENT = DtlsConfig.builder().groups(NamedGroup.X25519)
            .trustedCertificates(List.of(PKI.ca().certificate())).serverName("localhost").build();

    private static long live(String kind) {
        return FFM.liveNativeContexts().get(kind);
    }

    private static ClientConnection client() {
        return new ClientConnection(CLIENT, FFM, PEER, PeerAuthenticator.builder().trustAnchors(CLIENT.trustedCertificates())
                .build(), null, 0);
    }

    private static ServerConnection server() {
        return new ServerConnection(SERVER, FFM, PEER, LocalCredentials.of(SERVER.certificateChain(),
                SERVER.privateKey().get()), PeerAuthenticator.insecure(), 0);
    }

    @Test
    void everyKindIsCounted() {
        assertEquals(List.of("record protection", "key share", "transcript hash"),
                List.copyOf(FFM.liveNativeContexts().keySet()));
    }

    @Test
    void closedConnectionsFreeTheirRecordProtectionAndKeys() {
        long records = live("record protection");
        long shares = live("key share");
        ClientConnection c = client();
        ServerConnection s = server();
        c.start(0);
        assertEquals(shares + 1, live("key share"), "the client's X25519 key waits for the ServerHello");
        EnginePump.exchangeAll(c, s);
        assertEquals(Connection.State.CONNECTED, s.state());
        assertEquals(shares, live("key share"), "used once and freed");
        assertTrue(live("record protection") > records);
        c.close();
        s.close();
        assertEquals(records, live("record protection"));
    }

    @Test
    void aClientWhoseHandshakeFailsFreesItsPrivateKey() {
        long shares = live("key share");
        ClientConnection c = client();
        c.start(0);
        assertEquals(shares + 1, live("key share"));
        c.onTimer(CLIENT.handshakeTimeout().toMillis()); // nobody answered
        assertEquals(Connection.State.FAILED, c.state());
        assertEquals(shares, live("key share"), "no ServerHello will come: the key goes with the connection");
    }

    @Test
    void aServerHandshakeThatTimesOutFreesItsContexts() {
        long records = live("record protection");
        ClientConnection c = client();
        ServerConnection s = server();
        c.start(0);
        s.onDatagram(c.pollOutgoing(), 0); // the server answers; the client is never heard of again
        assertTrue(live("record protection") > records);
        s.onTimer(SERVER.handshakeTimeout().toMillis());
        assertEquals(Connection.State.FAILED, s.state());
        c.close();
        assertEquals(records, live("record protection"));
    }

    @Test
    void transcriptHashesAreFreedByTheCollector() throws InterruptedException {
        Map<String, Long> before = FFM.liveNativeContexts();
        for (int i = 0; i < 50; i++) {
            FFM.newTranscriptHash(dev.pqdtls.spi.HashAlgorithm.SHA256).update(java.nio.ByteBuffer.wrap(new byte[] {1}));
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (live("transcript hash") > before.get("transcript hash") && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50); // the JDK's cleaner thread frees them after a collection: no event to wait on
        }
        assertTrue(live("transcript hash") <= before.get("transcript hash"), "freed after collection: " + FFM.liveNativeContexts());
    }
}
