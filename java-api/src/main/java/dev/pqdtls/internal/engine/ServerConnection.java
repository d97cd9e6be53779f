package dev.pqdtls.internal.engine;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.internal.auth.CertificateMessage;
import dev.pqdtls.internal.auth.CertificateRejectedException;
import dev.pqdtls.internal.auth.CertificateRequestMessage;
import dev.pqdtls.internal.auth.CertificateTypes;
import dev.pqdtls.internal.auth.CertificateVerifyMessage;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.auth.SignatureSchemes;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionCodec;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.handshake.KeySchedule;
import dev.pqdtls.internal.handshake.ServerHello;
import dev.pqdtls.internal.psk.PskCodec;
import dev.pqdtls.internal.psk.TicketSealer;
import dev.pqdtls.internal.reliability.MessageReassembler;
import dev.pqdtls.internal.server.CookieIssuer;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The server side of the DTLS 1.3 handshake (RFC 8446 §4, RFC 9147 §5). */
public final class ServerConnection extends Connection {
    private enum Step { CLIENT_HELLO, CERTIFICATE, CERTIFICATE_VERIFY, FINISHED, DONE }

    private final LocalCredentials credentials;
    private final PeerAuthenticator clientAuthenticator;
    private final byte[] ownCid;
    private Step step = Step.CLIENT_HELLO;
    private Negotiation retry;
    /** Whether the client's psk_key_exchange_modes admit a ticket of ours (RFC 8446 §4.2.9). */
    private boolean clientTakesTickets;
    /** The cookie of our stateful HelloRetryRequest, which the second ClientHello must echo. */
    private byte[] retryCookie;
    private byte[] clientHandshakeSecret;
    private KeySchedule.Traffic.Pair application;
    private byte[] exporterSecret;
    /** {@link #clientHelloTag(byte[])} of the ClientHello that started this connection. */
    private long clientHelloTag;

    public ServerConnection(DtlsConfig config, CryptoBackend crypto, InetSocketAddress client, LocalCredentials credentials,
            PeerAuthenticator clientAuthenticator, long nowMillis) {
        this(config, crypto, client, credentials, clientAuthenticator, randomCid(config, crypto), nowMillis);
    }

    /**
     * @param ownCid the connection ID to ask the client for, {@code connectionIdLength} bytes (the
     *     runtime picks one that is unique on its loop and names the loop)
     */
    public ServerConnection(DtlsConfig config, CryptoBackend crypto, InetSocketAddress client, LocalCredentials credentials,
            PeerAuthenticator clientAuthenticator, byte[] ownCid, long nowMillis) {
        super(false, config, crypto, client, nowMillis);
        if (ownCid.length != config.connectionIdLength()) {
            throw new IllegalArgumentException("connection ID must be " + config.connectionIdLength() + " bytes");
        }
        this.credentials = credentials;
        this.clientAuthenticator = clientAuthenticator;
        this.ownCid = ownCid.clone();
    }

    /**
     * The first 8 bytes of a ClientHello's random (after its 2-byte legacy_version), or 0 if it is
     * shorter: the client keeps its random when it resends or answers a HelloRetryRequest and picks a
     * new one for a new connection (RFC 8446 §4.1.2), so equal tags mean copies of one ClientHello.
     */
    public static long clientHelloTag(byte[] body) {
        if (body.length < 10) {
            return 0;
        }
        long tag = 0;
        for (int i = 2; i < 10; i++) {
            tag = tag << 8 | (body[i] & 0xFF);
        }
        return tag;
    }

    /** {@link #clientHelloTag(byte[])} of the ClientHello that started this connection. */
    public long clientHelloTag() {
        return clientHelloTag;
    }

    private static byte[] randomCid(DtlsConfig config, CryptoBackend crypto) {
        byte[] cid = new byte[config.connectionIdLength()];
        crypto.randomBytes(cid);
        return cid;
    }

    @Override
    public byte[] ownConnectionId() {
        return connectionIds ? ownCid.clone() : new byte[0];
    }

    /**
     * Starts the handshake with a ClientHello the endpoint already reassembled. When {@code cookie}
     * is given, it is the second ClientHello after a stateless HelloRetryRequest and its cookie has
     * verified; the transcript is rebuilt from it (RFC 8446 §4.4.1).
     *
     * @param messageSeq the ClientHello's message_seq: the server numbers its messages from there
     * @param recordSeq the ClientHello's record number, reused for our first record (RFC 9147 §5.1)
     */
    public void acceptClientHello(byte[] body, int messageSeq, long recordSeq, CookieIssuer.CookieState cookie,
            byte[] cookieBytes, long nowMillis) {
        clientHelloTag = clientHelloTag(body);
        reassembler = new MessageReassembler(MAX_HANDSHAKE_MESSAGE, messageSeq + 1);
        nextSendSeq(messageSeq);
        records.plaintextSendSequence(recordSeq);
        try {
            if (cookie == null) {
                onClientHello(HandshakeType.CLIENT_HELLO, body, nowMillis);
                return;
            }
            helloRetried = true;
            ClientHello ch = ClientHello.parse(body);
            Negotiation n = Negotiation.of(config, ch);
            if (n.suite().codepoint() != cookie.cipherSuite() || n.keyShare().isEmpty()
                    || (cookie.group() != 0 && n.group().codepoint() != cookie.group())) {
                throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "second ClientHello does not follow the HelloRetryRequest");
            }
            transcript.startFromMessageHash(n.suite().hash(), cookie.clientHello1Hash());
            NamedGroup asked = cookie.group() == 0 ? null : n.group();
            transcript.add(HandshakeType.SERVER_HELLO, Negotiation.helloRetryRequest(n.suite(), asked, cookieBytes));
            respond(ch, body, n, nowMillis);
        } catch (DecodeException e) {
            failHandshake(decodeError(e));
        } catch (DtlsException e) {
            failHandshake(e);
        }
    }

    @Override
    protected boolean acceptsPlaintext(int msgType) {
        return msgType == HandshakeType.CLIENT_HELLO && step == Step.CLIENT_HELLO;
    }

    @Override
    protected void onHandshakeMessage(int type, byte[] body, long epoch, long nowMillis) throws DtlsException {
        try {
            switch (step) {
                case CLIENT_HELLO -> onClientHello(expect(type, HandshakeType.CLIENT_HELLO, epoch, 0), body, nowMillis);
                case CERTIFICATE -> onClientCertificate(expect(type, HandshakeType.CERTIFICATE, epoch, HANDSHAKE_EPOCH), body);
                case CERTIFICATE_VERIFY -> onClientCertificateVerify(expect(type, HandshakeType.CERTIFICATE_VERIFY, epoch, HANDSHAKE_EPOCH), body);
                case FINISHED -> onClientFinished(expect(type, HandshakeType.FINISHED, epoch, HANDSHAKE_EPOCH), body, nowMillis);
                case DONE -> throw fatal(DtlsAlert.UNEXPECTED_MESSAGE, "unexpected handshake message " + type + " after the handshake");
            }
        } catch (DecodeException e) {
            throw decodeError(e);
        } catch (CertificateRejectedException e) {
            throw rejected("client", e);
        }
    }

    private void onClientHello(int type, byte[] body, long nowMillis) throws DecodeException, DtlsException {
        ClientHello ch = ClientHello.parse(body);
        Negotiation n = Negotiation.of(config, ch);
        if (retry != null) {
            // Second ClientHello after our stateful HelloRetryRequest.
            byte[] echoed = ch.extensions().get(ExtensionType.COOKIE).isPresent()
                    ? ExtensionCodec.parseCookie(ch.extensions().get(ExtensionType.COOKIE).get()) : new byte[0];
            if (n.suite() != retry.suite() || n.group() != retry.group() || n.keyShare().isEmpty()
                    || !MessageDigest.isEqual(echoed, retryCookie)) {
                throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "second ClientHello does not follow the HelloRetryRequest");
            }
            respond(ch, body, n, nowMillis);
            return;
        }
        if (n.keyShare().isEmpty()) {
            // RFC 8446 §4.1.4: ask for a share in a group we accept; this server keeps state for it.
            retry = n;
            helloRetried = true;
            transcript.start(n.suite().hash());
            transcript.add(type, body);
            transcript.replaceWithMessageHash();
            // A cookie although we keep state: clients (wolfSSL's) send a ClientHello that needs
            // fragments, as a hybrid share does, only to a server that sent one.
            retryCookie = new byte[16];
            crypto.randomBytes(retryCookie);
            byte[] hrr = Negotiation.helloRetryRequest(n.suite(), n.group(), retryCookie);
            transcript.add(HandshakeType.SERVER_HELLO, hrr);
            HandshakeFlight f = new HandshakeFlight();
            f.add(newMessage(HandshakeType.SERVER_HELLO, hrr, 0));
            sendFlight(f, nowMillis);
            return;
        }
        transcript.start(n.suite().hash());
        respond(ch, body, n, nowMillis);
    }

    /**
     * Key exchange and the whole server flight: ServerHello .. Finished (RFC 8446 §2); with a PSK
     * the certificate messages are left out (§2.2).
     */
    private void respond(ClientHello ch, byte[] chBody, Negotiation n, long nowMillis) throws DtlsException, DecodeException {
        flightAnswered(nowMillis);
        ServerPsk psk = ServerPsk.choose(config, crypto, ch, chBody, n.suite(), transcript, helloRetried).orElse(null);
        if (psk == null) {
            if (credentials == null) {
                throw fatal(DtlsAlert.HANDSHAKE_FAILURE, "this server has no certificate and the client offered none of its "
                        + "pre-shared keys (DtlsConfig.preSharedKeys) in a mode both allow (pskModes)");
            }
            // Certificate types (RFC 7250) matter only when certificates are sent: not with a PSK.
            certificateTypes = CertificateTypes.choose(ch.extensions(), credentials, clientAuthenticator,
                    config.clientAuth() != DtlsConfig.ClientAuth.NONE); // before any key exchange work
        }
        transcript.add(HandshakeType.CLIENT_HELLO, chBody);
        suite = n.suite();
        clientTakesTickets = takesTickets(ch);
        schedule = new KeySchedule(crypto, suite, KeySchedule.DTLS13);
        if (psk != null) {
            schedule.earlySecret(psk.psk());
            Arrays.fill(psk.psk(), (byte) 0);
            if (psk.earlyDataLimit() > 0) {
                // 0-RTT records arrive in epoch 1 under the client's early traffic keys (RFC 9147 §6.1).
                records.installRead(epochCipher(EARLY_EPOCH, schedule.earlyTrafficKeys(transcript.current())));
                acceptEarlyData(psk.earlyDataLimit());
            }
        }
        boolean keyExchange = psk == null || psk.mode() == DtlsConfig.PskMode.PSK_DHE_KE;
        byte[] sharedSecret;
        Extensions.Builder shExt = new Extensions.Builder()
                .add(ExtensionType.SUPPORTED_VERSIONS, ExtensionCodec.serverSupportedVersion());
        if (keyExchange) {
            KeyExchange.ServerKeyShare ks;
            try {
                ks = crypto.keyExchange(n.group()).respond(n.keyShare().get());
            } catch (InvalidKeyShareException e) {
                throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false, "invalid client key share: " + e.getMessage(), e);
            }
            group = n.group();
            sharedSecret = ks.sharedSecret();
            shExt.add(ExtensionType.KEY_SHARE, ExtensionCodec.serverKeyShare(new ExtensionCodec.KeyShareEntry(group.codepoint(), ks.publicShare())));
        } else {
            sharedSecret = new byte[suite.hash().length()]; // psk_ke: zeros in place of the (EC)DHE secret (§7.1)
        }
        if (psk != null) {
            shExt.add(ExtensionType.PRE_SHARED_KEY, PskCodec.serverPsk(psk.index()));
            authentication = psk.resumption() ? SessionInfo.Authentication.RESUMPTION : SessionInfo.Authentication.PRE_SHARED_KEY;
            peerCertificates = psk.clientCertificates();
        }
        if (ch.extensions().has(ExtensionType.CONNECTION_ID)) {
            byte[] peerCid = ExtensionCodec.parseConnectionId(ch.extensions().get(ExtensionType.CONNECTION_ID).get());
            shExt.add(ExtensionType.CONNECTION_ID, ExtensionCodec.connectionId(ownCid));
            records.connectionIds(peerCid, ownCid.length);
            connectionIds = true;
        }
        byte[] random = new byte[32];
        crypto.randomBytes(random);
        byte[] sh = new ServerHello(ClientHello.DTLS12, random, Negotiation.NO_SESSION_ID, suite.codepoint(), shExt.build()).encode();
        transcript.add(HandshakeType.SERVER_HELLO, sh);

        KeySchedule.Traffic.Pair handshake = schedule.handshakeStep(sharedSecret, transcript.current());
        Arrays.fill(sharedSecret, (byte) 0);
        clientHandshakeSecret = handshake.client().secret();
        byte[] serverHandshakeSecret = handshake.server().secret();
        records.installRead(epochCipher(HANDSHAKE_EPOCH, handshake.client().keys()));
        records.installWrite(epochCipher(HANDSHAKE_EPOCH, handshake.server().keys()));

        HandshakeFlight f = new HandshakeFlight();
        f.add(newMessage(HandshakeType.SERVER_HELLO, sh, 0));
        add(f, HandshakeType.ENCRYPTED_EXTENSIONS, earlyDataAccepted()
                ? EARLY_DATA_ACCEPTED
                : certificateTypes.encryptedExtensions());
        boolean askClient = psk == null && config.clientAuth() != DtlsConfig.ClientAuth.NONE;
        if (psk == null) {
            authenticate(f, ch, askClient);
        }
        add(f, HandshakeType.FINISHED, schedule.finishedVerifyData(serverHandshakeSecret, transcript.current()));
        Arrays.fill(serverHandshakeSecret, (byte) 0);

        application = schedule.masterStep(transcript.current());
        exporterSecret = application.exporterMasterSecret();
        sendFlight(f, nowMillis);
        step = askClient ? Step.CERTIFICATE : Step.FINISHED;
    }

    /** CertificateRequest if asked, Certificate and CertificateVerify (RFC 8446 §4.3.2, §4.4.2-3). */
    private void authenticate(HandshakeFlight f, ClientHello ch, boolean askClient) throws DtlsException, DecodeException {
        if (askClient) {
            add(f, HandshakeType.CERTIFICATE_REQUEST, CertificateRequestMessage.create(new byte[0],
                    SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS, SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS_CERT, List.of()).encode());
        }
        List<Integer> peerSchemes = ExtensionCodec.parseUint16List(ch.extensions().get(ExtensionType.SIGNATURE_ALGORITHMS).get(),
                "signature_algorithms");
        List<Integer> peerCertSchemes = ch.extensions().get(ExtensionType.SIGNATURE_ALGORITHMS_CERT).isPresent()
                ? ExtensionCodec.parseUint16List(ch.extensions().get(ExtensionType.SIGNATURE_ALGORITHMS_CERT).get(), "signature_algorithms_cert")
                : peerSchemes;
        LocalCredentials.Selection sel = LocalCredentials.select(List.of(credentials), peerSchemes, peerCertSchemes)
                .orElseThrow(() -> fatal(DtlsAlert.HANDSHAKE_FAILURE, "client accepts no signature scheme our "
                        + credentials.publicKey().getAlgorithm() + " key can sign with"));
        add(f, HandshakeType.CERTIFICATE, sel.credentials().certificateMessage(new byte[0]).encode());
        add(f, HandshakeType.CERTIFICATE_VERIFY, CertificateVerifyMessage.sign(crypto, true, sel.scheme(),
                sel.credentials().privateKey(), transcript.current()).encode());
    }

    private void add(HandshakeFlight f, int type, byte[] body) {
        transcript.add(type, body);
        f.add(newMessage(type, body, HANDSHAKE_EPOCH));
    }

    private void onClientCertificate(int type, byte[] body) throws DecodeException, CertificateRejectedException, DtlsException {
        CertificateMessage cm = CertificateMessage.parse(body);
        if (cm.isEmpty()) {
            if (config.clientAuth() == DtlsConfig.ClientAuth.REQUIRED) {
                throw fatal(DtlsAlert.CERTIFICATE_REQUIRED, "client sent no certificate but this server requires one");
            }
            transcript.add(type, body);
            step = Step.FINISHED;
            return;
        }
        if (certificateTypes.clientRaw()) {
            peerRawPublicKey = clientAuthenticator.verifyRawPublicKey(cm, "client");
        } else {
            peerCertificates = clientAuthenticator.verifyClient(cm);
        }
        transcript.add(type, body);
        step = Step.CERTIFICATE_VERIFY;
    }

    private void onClientCertificateVerify(int type, byte[] body) throws DecodeException, CertificateRejectedException {
        CertificateVerifyMessage cv = CertificateVerifyMessage.parse(body);
        List<SignatureScheme> offered = SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS;
        cv.verify(crypto, false, peerKey(), transcript.current(), offered);
        transcript.add(type, body);
        step = Step.FINISHED;
    }

    private void onClientFinished(int type, byte[] body, long nowMillis) throws DtlsException {
        byte[] expected = schedule.finishedVerifyData(clientHandshakeSecret, transcript.current());
        if (!MessageDigest.isEqual(expected, body)) {
            throw fatal(DtlsAlert.DECRYPT_ERROR, "client Finished does not verify: the handshake was altered");
        }
        transcript.add(type, body);
        Arrays.fill(clientHandshakeSecret, (byte) 0);
        flightAnswered(nowMillis);
        step = Step.DONE;
        byte[] ticketPsk = config.sessionTickets() && clientTakesTickets ? ticketPsk() : null;
        established(application, nowMillis);
        application = null; // TrafficKeys took the secrets over (and ratchets them on KeyUpdate)
        // RFC 9147 §5.8: the client's final flight has no reply, so acknowledge it explicitly. The
        // handshake read keys stay: if this ACK is lost the client resends Finished and we ACK again.
        acknowledgePeerFlight();
        if (ticketPsk != null) {
            sendTicket(ticketPsk, nowMillis);
        }
    }

    /**
     * Whether the client listed a PSK mode we allow: tickets that fit none of its modes are not sent
     * (RFC 8446 §4.2.9), and a client without the extension keeps no tickets.
     */
    private boolean takesTickets(ClientHello ch) throws DecodeException {
        Optional<byte[]> modes = ch.extensions().get(ExtensionType.PSK_KEY_EXCHANGE_MODES);
        if (modes.isEmpty()) {
            return false;
        }
        List<Integer> offered = PskCodec.parseModes(modes.get());
        return config.pskModes().stream().anyMatch(m -> offered.contains(PskCodec.code(m)));
    }

    /** The PSK of the one ticket we issue: its nonce need be unique per connection only (RFC 8446 §4.6.1). */
    private byte[] ticketPsk() {
        byte[] resumptionMaster = schedule.resumptionMasterSecret(transcript.current());
        try {
            return schedule.resumptionPsk(resumptionMaster, TICKET_NONCE);
        } finally {
            Arrays.fill(resumptionMaster, (byte) 0);
        }
    }

    private static final byte[] TICKET_NONCE = {0};
    /** EncryptedExtensions with an empty early_data: the server takes the 0-RTT data (RFC 8446 §4.2.10). */
    private static final byte[] EARLY_DATA_ACCEPTED = {0, 4, 0, (byte) ExtensionType.EARLY_DATA, 0, 0};

    /**
     * NewSessionTicket, sealed with our ticket keys, in its own flight: retransmitted until the
     * client ACKs it (RFC 9147 §5.8.4).
     */
    private void sendTicket(byte[] psk, long nowMillis) {
        long wallClock = System.currentTimeMillis();
        long lifetime = config.ticketLifetime().toSeconds();
        byte[] clientCertificate = new byte[0];
        try {
            if (!peerCertificates.isEmpty()) {
                clientCertificate = peerCertificates.get(0).getEncoded();
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            Arrays.fill(psk, (byte) 0);
            return; // a certificate we parsed re-encodes; if not, the client goes without a ticket
        }
        byte[] random = new byte[4];
        crypto.randomBytes(random);
        int ageAdd = java.nio.ByteBuffer.wrap(random).getInt();
        byte[] ticket = TicketSealer.seal(config.ticketKeys(), new TicketSealer.State(suite.codepoint(), wallClock, lifetime,
                ageAdd, config.maxEarlyData(), psk, clientCertificate), wallClock);
        Arrays.fill(psk, (byte) 0);
        byte[] body = new PskCodec.NewSessionTicket(lifetime, ageAdd, TICKET_NONCE, ticket, config.maxEarlyData()).encode();
        HandshakeFlight f = new HandshakeFlight();
        f.add(newMessage(HandshakeType.NEW_SESSION_TICKET, body, records.writeEpoch()));
        f.expectAck(true);
        sendFlight(f, nowMillis);
    }

    @Override
    public byte[] exportKeyingMaterial(String label, byte[] context, int length) {
        if (exporterSecret == null || state() != State.CONNECTED) {
            throw new IllegalStateException("keying material can be exported only on an established connection");
        }
        return schedule.export(exporterSecret, label, context, length);
    }
}
