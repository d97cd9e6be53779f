package dev.pqdtls.fallback.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionCodec;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.spi.KeyExchange;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hostile or odd input to the engine: dropped and counted, or answered with the right alert. */
class BadInputTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40001);

    private static ServerConnection server() {
        var config = EngineHandshakeTest.serverConfig().build();
        return new ServerConnection(config, new FallbackBackend(), CLIENT,
                LocalCredentials.of(config.certificateChain(), config.privateKey().get()), PeerAuthenticator.insecure(), 0);
    }

    /** An epoch-0 record carrying one unfragmented ClientHello. */
    private static ByteBuffer clientHelloDatagram(List<Integer> suites, List<Integer> groups, int shareGroup, byte[] share,
            int extraExtension) {
        Extensions ext = new Extensions.Builder()
                .add(extraExtension, new byte[] {1, 2, 3})
                .add(ExtensionType.SUPPORTED_VERSIONS, ExtensionCodec.clientSupportedVersions())
                .add(ExtensionType.SUPPORTED_GROUPS, ExtensionCodec.uint16List(groups))
                .add(ExtensionType.SIGNATURE_ALGORITHMS, ExtensionCodec.uint16List(List.of(0x0403, 0x0804)))
                .add(ExtensionType.KEY_SHARE, ExtensionCodec.clientKeyShares(List.of(new ExtensionCodec.KeyShareEntry(shareGroup, share))))
                .build();
        byte[] body = new ClientHello(ClientHello.DTLS12, new byte[32], new byte[0], new byte[0], suites, ext).encode();
        ByteBuffer d = ByteBuffer.allocate(13 + 12 + body.length);
        d.put((byte) 22).putShort((short) 0xFEFD).putShort((short) 0).putShort((short) 0).putInt(0)
                .putShort((short) (12 + body.length));
        HandshakeFragment.writeHeader(d, HandshakeType.CLIENT_HELLO, body.length, 0, 0, body.length);
        return d.put(body).flip();
    }

    @Test
    void aPlaintextCloseNotifyCannotEndAnEstablishedConnection() {
        Connection[] p = EngineHandshakeTest.pair(EngineHandshakeTest.clientConfig().build(),
                EngineHandshakeTest.serverConfig().build(), 0);
        assertTrue(new LoopbackPump(p[0], p[1]).runUntilEstablished(1000));
        for (Connection c : p) {
            // What an off-path attacker who knows the addresses can send: an epoch-0 close_notify.
            ByteBuffer alert = ByteBuffer.allocate(15).put((byte) 21).putShort((short) 0xFEFD).putShort((short) 0)
                    .putShort((short) 0).putInt(99).putShort((short) 2).put((byte) 1).put((byte) 0).flip();
            c.onDatagram(alert, 0);
            assertEquals(Connection.State.CONNECTED, c.state(), "an unauthenticated alert is dropped");
        }
    }

    @Test
    void unknownExtensionsGroupsAndSuitesAreIgnored() {
        ServerConnection s = server();
        KeyExchange.ClientKeyShare share = new FallbackBackend().keyExchange(dev.pqdtls.NamedGroup.X25519).newClientShare();
        s.onDatagram(clientHelloDatagram(List.of(0x0A0A, 0x1301, 0xC02F), List.of(0x1A1A, 0x001D, 0x9999), 0x001D,
                share.publicShare(), 0xFAFA), 0);
        assertEquals(Connection.State.HANDSHAKING, s.state(), () -> String.valueOf(s.failure()));
        assertTrue(s.pollOutgoing() != null, "the server answered with its flight");
    }

    @Test
    void noSuiteInCommonIsAHandshakeFailureAlert() {
        ServerConnection s = server();
        s.onDatagram(clientHelloDatagram(List.of(0xC02F, 0x009C), List.of(0x001D), 0x001D, new byte[32], 0xFAFA), 0);
        assertEquals(Connection.State.FAILED, s.state());
        assertEquals(DtlsAlert.HANDSHAKE_FAILURE, s.failure().alert());
        ByteBuffer alert = s.pollOutgoing();
        assertEquals(21, alert.get(0), "a plaintext alert record");
        assertEquals(DtlsAlert.HANDSHAKE_FAILURE.code(), alert.get(alert.limit() - 1));
    }

    @Test
    void invalidKeyShareIsAnIllegalParameterAlert() {
        ServerConnection s = server();
        s.onDatagram(clientHelloDatagram(List.of(0x1301), List.of(0x001D), 0x001D, new byte[32], 0xFAFA), 0);
        assertEquals(DtlsAlert.ILLEGAL_PARAMETER, s.failure().alert(), "an all-zero X25519 share");
    }

    @Test
    void garbageTruncatedWrongEpochAndOversizeRecordsAreDroppedAndCounted() {
        Connection[] p = EngineHandshakeTest.pair(EngineHandshakeTest.clientConfig().build(),
                EngineHandshakeTest.serverConfig().build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000));
        Connection server = p[1];
        long before = server.stats().recordsDropped();
        Random rnd = new Random(3);
        int sent = 0;
        for (int i = 0; i < 500; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(junk);
            junk[0] = switch (i % 5) {
                case 0 -> (byte) 0x2E;           // unified header, 16-bit seq, length, epoch bits 2
                case 1 -> (byte) 0x2D;           // epoch bits 1: an epoch nobody has
                case 2 -> (byte) 23;              // DTLS 1.2-style application data: never valid in 1.3
                case 3 -> (byte) 22;              // plaintext handshake with a random epoch/length
                default -> (byte) 0x2F;           // epoch 3 bits, forged
            };
            server.onDatagram(ByteBuffer.wrap(junk), pump.now);
            sent++;
        }
        server.onDatagram(ByteBuffer.wrap(new byte[] {0x2F, 0x00}), pump.now); // truncated header
        server.onDatagram(ByteBuffer.wrap(new byte[] {0x2F, 0x00, 0x01, (byte) 0xFF, (byte) 0xFF, 1, 2}), pump.now); // oversize length
        assertEquals(Connection.State.CONNECTED, server.state(), () -> String.valueOf(server.failure()));
        assertTrue(server.stats().recordsDropped() - before >= sent, "every bad datagram was counted");
        p[0].send(ByteBuffer.wrap("still fine".getBytes(StandardCharsets.UTF_8)), pump.now);
        pump.settle(100);
        assertEquals("still fine", new String(server.pollApplicationData(), StandardCharsets.UTF_8));
    }

    @Test
    void aClientIgnoresForgedPlaintextAlertsAfterTheHandshake() {
        Connection[] p = EngineHandshakeTest.pair(EngineHandshakeTest.clientConfig().build(),
                EngineHandshakeTest.serverConfig().build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000));
        ByteBuffer forged = ByteBuffer.allocate(15).put((byte) 21).putShort((short) 0xFEFD).putShort((short) 0)
                .putShort((short) 0).putInt(99).putShort((short) 2).put((byte) 2).put((byte) 40).flip();
        p[0].onDatagram(forged, pump.now);
        assertEquals(Connection.State.CONNECTED, p[0].state(), "an unauthenticated alert cannot end the connection");
    }

    /** Found by fuzzing (RecordLayerFuzzTest#alert): a forged close_notify used to close the connection. */
    @Test
    void aForgedPlaintextCloseNotifyDoesNotCloseAnEstablishedConnection() {
        Connection[] p = EngineHandshakeTest.pair(EngineHandshakeTest.clientConfig().build(),
                EngineHandshakeTest.serverConfig().build(), 1_000_000);
        LoopbackPump pump = new LoopbackPump(p[0], p[1]);
        assertTrue(pump.runUntilEstablished(1000));
        for (Connection c : p) {
            long dropped = c.stats().recordsDropped();
            ByteBuffer forged = ByteBuffer.allocate(15).put((byte) 21).putShort((short) 0xFEFD).putShort((short) 0)
                    .putShort((short) 0).putInt(99).putShort((short) 2).put((byte) 1).put((byte) 0).flip();
            c.onDatagram(forged, pump.now);
            assertEquals(Connection.State.CONNECTED, c.state(), "a plaintext close_notify is not authentic");
            assertEquals(dropped + 1, c.stats().recordsDropped(), "it is dropped and counted");
        }
        p[0].send(ByteBuffer.wrap("still fine".getBytes(StandardCharsets.UTF_8)), pump.now);
        pump.settle(100);
        assertEquals("still fine", new String(p[1].pollApplicationData(), StandardCharsets.UTF_8));
    }
}
