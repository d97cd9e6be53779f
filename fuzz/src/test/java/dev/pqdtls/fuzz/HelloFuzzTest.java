package dev.pqdtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsException;
import dev.pqdtls.conformance.support.Rfc8448Simple1Rtt;
import dev.pqdtls.internal.auth.CertificateRequestMessage;
import dev.pqdtls.internal.engine.StatelessReplies;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionCodec;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.handshake.ServerHello;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ClientHello, ServerHello/HelloRetryRequest and every extension codec. Each parse either throws
 * {@link DecodeException} or returns a value whose encoding is the canonical one: a TLS structure has
 * exactly one encoding, so re-encoding a parsed value must give the input back byte for byte (or, for
 * a ClientHello, parse to the same value). A parsed ClientHello then goes through the server's
 * negotiation, which may only refuse it with a {@link DtlsException} carrying the alert to send.
 */
class HelloFuzzTest {
    private static final int MAX_INPUT = 16 * 1024;

    static Stream<Arguments> clientHelloSeeds() {
        return Stream.of(
                Seeds.named("real ClientHello1", Seeds.firstHandshakeBody(Seeds.clientDatagrams().get(0))),
                Seeds.named("real ClientHello2 (cookie)", Seeds.firstHandshakeBody(Seeds.clientDatagrams().get(1))),
                Seeds.named("RFC 8448 ClientHello", Seeds.rfc8448Body(Rfc8448Simple1Rtt.CLIENT_HELLO)));
    }

    @MethodSource("clientHelloSeeds")
    @FuzzTest(maxDuration = "10m")
    void clientHello(byte[] input) throws Exception {
        byte[] body = Bounds.cap(input, MAX_INPUT);
        Bounds.allocation(1 << 20, 64, body.length, () -> {
            ClientHello ch;
            try {
                ch = ClientHello.parse(body);
            } catch (DecodeException e) {
                return;
            }
            assertEquals(32, ch.random().length);
            assertTrue(ch.legacySessionId().length <= 32);
            assertTrue(!ch.cipherSuites().isEmpty());
            assertUniqueTypes(ch.extensions());
            ClientHello again = ClientHello.parse(ch.encode());
            assertEquals(ch.legacyVersion(), again.legacyVersion());
            assertArrayEquals(ch.random(), again.random());
            assertArrayEquals(ch.legacySessionId(), again.legacySessionId());
            assertArrayEquals(ch.legacyCookie(), again.legacyCookie());
            assertEquals(ch.cipherSuites(), again.cipherSuites());
            assertArrayEquals(encode(ch.extensions()), encode(again.extensions()));
            try {
                StatelessReplies.Hello hello = StatelessReplies.parse(Duel.SERVER_CONFIG, body);
                assertNotNull(hello);
                hello.cookie().ifPresent(c -> assertTrue(c.length >= 1));
            } catch (DecodeException e) {
                // malformed inside an extension: decode_error
            } catch (DtlsException e) {
                assertNotNull(e.alert());
                assertNotEquals(DtlsAlert.INTERNAL_ERROR, e.alert(), e.getMessage());
                assertTrue(!e.fromPeer());
            }
        });
    }

    static Stream<Arguments> serverHelloSeeds() {
        List<byte[]> server = Seeds.serverDatagrams();
        return Stream.of(
                Seeds.named("real HelloRetryRequest (cookie)", Seeds.firstHandshakeBody(server.get(0))),
                Seeds.named("real ServerHello", Seeds.firstHandshakeBody(server.get(1))),
                Seeds.named("RFC 8448 ServerHello", Seeds.rfc8448Body(Rfc8448Simple1Rtt.SERVER_HELLO)));
    }

    @MethodSource("serverHelloSeeds")
    @FuzzTest(maxDuration = "10m")
    void serverHello(byte[] input) throws Exception {
        byte[] body = Bounds.cap(input, MAX_INPUT);
        Bounds.allocation(1 << 20, 64, body.length, () -> {
            ServerHello sh;
            try {
                sh = ServerHello.parse(body);
            } catch (DecodeException e) {
                return;
            }
            assertUniqueTypes(sh.extensions());
            assertArrayEquals(body, sh.encode(), "a ServerHello re-encodes to its input");
            if (sh.isHelloRetryRequest()) {
                assertArrayEquals(ServerHello.HELLO_RETRY_REQUEST_RANDOM, sh.random());
            }
        });
    }

    static Stream<Arguments> extensionSeeds() {
        return Stream.of(
                Seeds.named("supported_versions (client)", tagged(0, ExtensionCodec.clientSupportedVersions())),
                Seeds.named("supported_versions (server)", tagged(1, ExtensionCodec.serverSupportedVersion())),
                Seeds.named("supported_groups", tagged(2, ExtensionCodec.uint16List(List.of(0x11EC, 0x001D, 0x0017)))),
                Seeds.named("key_share (client)", tagged(3, ExtensionCodec.clientKeyShares(List.of(
                        new ExtensionCodec.KeyShareEntry(0x001D, new byte[32]), new ExtensionCodec.KeyShareEntry(0x0017, new byte[65]))))),
                Seeds.named("key_share (server)", tagged(4, ExtensionCodec.serverKeyShare(new ExtensionCodec.KeyShareEntry(0x001D, new byte[32])))),
                Seeds.named("key_share (HelloRetryRequest)", tagged(5, ExtensionCodec.selectedGroup(0x11EC))),
                Seeds.named("cookie", tagged(6, ExtensionCodec.cookie(new byte[] {1, 2, 3, 4}))),
                Seeds.named("connection_id", tagged(7, ExtensionCodec.connectionId(new byte[] {9, 8, 7, 6}))),
                Seeds.named("RFC 8448 EncryptedExtensions", tagged(8, Seeds.rfc8448Body(Rfc8448Simple1Rtt.ENCRYPTED_EXTENSIONS))),
                Seeds.named("certificate_authorities", tagged(9, CertificateRequestMessage.encodeCertificateAuthorities(
                        List.of(Duel.PKI.ca().certificate().getSubjectX500Principal().getEncoded())))));
    }

    /**
     * The first byte picks the codec, the rest is its extension_data: supported_versions (client,
     * server), a uint16 list (supported_groups, signature_algorithms), key_share (client, server,
     * HelloRetryRequest), cookie, connection_id, a whole extension block, certificate_authorities.
     */
    @MethodSource("extensionSeeds")
    @FuzzTest(maxDuration = "10m")
    void extensions(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        byte[] data = java.util.Arrays.copyOfRange(input, 1, Math.min(input.length, MAX_INPUT));
        Bounds.allocation(1 << 20, 64, data.length, () -> {
            try {
                byte[] again = switch ((input[0] & 0xFF) % 10) {
                    case 0 -> uint16List(8, ExtensionCodec.parseClientSupportedVersions(data));
                    case 1 -> new WireWriter().uint16(ExtensionCodec.parseServerSupportedVersion(data)).toByteArray();
                    case 2 -> ExtensionCodec.uint16List(ExtensionCodec.parseUint16List(data, "supported_groups"));
                    case 3 -> {
                        List<ExtensionCodec.KeyShareEntry> shares = ExtensionCodec.parseClientKeyShares(data);
                        Set<Integer> groups = new HashSet<>();
                        shares.forEach(s -> assertTrue(groups.add(s.group()), "a group offered twice was accepted"));
                        yield ExtensionCodec.clientKeyShares(shares);
                    }
                    case 4 -> ExtensionCodec.serverKeyShare(ExtensionCodec.parseServerKeyShare(data));
                    case 5 -> ExtensionCodec.selectedGroup(ExtensionCodec.parseSelectedGroup(data));
                    case 6 -> ExtensionCodec.cookie(ExtensionCodec.parseCookie(data));
                    case 7 -> ExtensionCodec.connectionId(ExtensionCodec.parseConnectionId(data));
                    case 8 -> {
                        WireReader r = new WireReader(data);
                        Extensions e = Extensions.parse(r, "extensions");
                        r.finish("extensions");
                        assertUniqueTypes(e);
                        yield encode(e);
                    }
                    default -> CertificateRequestMessage.encodeCertificateAuthorities(
                            CertificateRequestMessage.parseCertificateAuthorities(data));
                };
                assertArrayEquals(data, again, "the extension re-encodes to its input");
            } catch (DecodeException e) {
                // the documented outcome of malformed extension data
            }
        });
    }

    private static byte[] tagged(int codec, byte[] data) {
        byte[] out = new byte[data.length + 1];
        out[0] = (byte) codec;
        System.arraycopy(data, 0, out, 1, data.length);
        return out;
    }

    /** A uint16 list with an {@code lengthBits}-bit length prefix. */
    private static byte[] uint16List(int lengthBits, List<Integer> values) {
        WireWriter w = lengthBits == 8 ? new WireWriter().begin8() : new WireWriter().begin16();
        values.forEach(w::uint16);
        return w.end().toByteArray();
    }

    static byte[] encode(Extensions e) {
        WireWriter w = new WireWriter();
        e.write(w);
        return w.toByteArray();
    }

    static void assertUniqueTypes(Extensions e) {
        Set<Integer> types = new HashSet<>();
        for (Extensions.Extension x : e.list()) {
            assertTrue(types.add(x.type()), "extension " + x.type() + " accepted twice");
        }
    }
}
