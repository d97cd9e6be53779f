package dev.pqdtls.fallback.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 8446 §4.2.9: psk_key_exchange_modes "restricts both the use of PSKs offered in this ClientHello
 * and those which the server might supply via NewSessionTicket", and servers SHOULD NOT send tickets
 * that do not fit the modes advertised. A client that sends the extension only when it offers a PSK
 * advertises no mode on its first connection, so a server that follows the SHOULD never gives it a
 * ticket to resume with.
 */
@Timeout(30)
class PskModesAdvertisedTest {
    @Test
    void aClientThatKeepsTicketsAdvertisesItsPskModesInItsFirstClientHello() throws Exception {
        DtlsConfig config = EngineHandshakeTest.clientConfig().build();
        assertTrue(config.sessionTickets());
        long now = 1_000_000;
        ClientConnection c = new ClientConnection(config, new FallbackBackend(), new InetSocketAddress("127.0.0.1", 4433),
                PeerAuthenticator.insecure(), null, now);
        c.start(now);
        ByteBuffer d = c.pollOutgoing();
        byte[] datagram = new byte[d.remaining()];
        d.get(datagram);
        // One unfragmented ClientHello: a 13-byte DTLSPlaintext header, a 12-byte handshake header (RFC 9147 §4, §5.2).
        ClientHello hello = ClientHello.parse(Arrays.copyOfRange(datagram, 13 + 12, datagram.length));
        assertTrue(hello.extensions().get(ExtensionType.KEY_SHARE).isPresent(), "parsed where the ClientHello is");
        assertTrue(hello.extensions().get(ExtensionType.PSK_KEY_EXCHANGE_MODES).isPresent(),
                "a client with sessionTickets on must say which PSK modes its tickets may be used with");
    }
}
