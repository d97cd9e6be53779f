package dev.pqdtls.internal.engine;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionCodec;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.server.CookieIssuer;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.spi.CryptoBackend;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a server may send before it keeps any state for a client (RFC 9147 §5.1): the stateless
 * cookie HelloRetryRequest and a fatal alert. The server's admission gate decides when; the wire
 * formats live here, next to the stateful handshake that must agree with them byte for byte.
 */
public final class StatelessReplies {
    /** Size of a DTLSPlaintext header (RFC 9147 §4). */
    public static final int PLAINTEXT_HEADER = RecordLayer.PLAINTEXT_HEADER;

    private StatelessReplies() {
    }

    /** A ClientHello the server can work with: what it asks for, and the cookie it carries (if any). */
    public static final class Hello {
        private final ClientHello clientHello;
        private final Negotiation negotiation;
        private final byte[] body;

        private Hello(ClientHello clientHello, Negotiation negotiation, byte[] body) {
            this.clientHello = clientHello;
            this.negotiation = negotiation;
            this.body = body;
        }

        /** The cookie the client echoed, if it sent a well-formed one. */
        public Optional<byte[]> cookie() {
            return clientHello.extensions().get(ExtensionType.COOKIE).flatMap(c -> {
                try {
                    return Optional.of(ExtensionCodec.parseCookie(c));
                } catch (DecodeException e) {
                    return Optional.empty();
                }
            });
        }
    }

    /**
     * Parses a reassembled ClientHello and decides suite and group as the server would.
     *
     * @throws DecodeException if it is malformed
     * @throws DtlsException if nothing in it is acceptable; its alert is the one to send
     */
    public static Hello parse(DtlsConfig config, byte[] clientHelloBody) throws DecodeException, DtlsException {
        ClientHello ch = ClientHello.parse(clientHelloBody);
        return new Hello(ch, Negotiation.of(config, ch), clientHelloBody);
    }

    /**
     * Sends a HelloRetryRequest carrying a fresh cookie (and the group to use, when the client sent
     * no usable key share), in the client's message and record numbers (RFC 9147 §5.1). The cookie
     * holds Hash(ClientHello1), suite and group, so the server can rebuild this HRR later.
     */
    public static void sendHelloRetryRequest(Hello hello, CryptoBackend crypto, CookieIssuer cookies,
            java.net.InetSocketAddress client, int messageSeq, long recordSeq, int mtu, Consumer<ByteBuffer> reply) {
        Negotiation n = hello.negotiation;
        NamedGroup ask = n.keyShare().isEmpty() ? n.group() : null;
        byte[] ch1Hash = crypto.digest(n.suite().hash(), Transcript.encode(HandshakeType.CLIENT_HELLO, hello.body));
        byte[] issued = cookies.issue(client, new CookieIssuer.CookieState(ch1Hash, n.suite().codepoint(),
                ask == null ? 0 : ask.codepoint()));
        byte[] hrr = Negotiation.helloRetryRequest(n.suite(), ask, issued);
        HandshakeFlight f = new HandshakeFlight();
        f.add(new HandshakeFlight.Message(HandshakeType.SERVER_HELLO, messageSeq, hrr, 0));
        RecordLayer stateless = new RecordLayer();
        stateless.plaintextSendSequence(recordSeq);
        f.transmit(stateless, mtu, reply, 0);
    }

    /** A fatal alert as a DTLSPlaintext record with the given record number: 15 bytes. */
    public static ByteBuffer alert(DtlsAlert alert, long recordSeq) {
        RecordLayer stateless = new RecordLayer();
        stateless.plaintextSendSequence(recordSeq);
        ByteBuffer out = ByteBuffer.allocate(PLAINTEXT_HEADER + 2);
        stateless.write(0, ContentType.ALERT, ByteBuffer.wrap(new byte[] {2, (byte) alert.code()}), out);
        return out.flip();
    }
}
