package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.SessionTicket;
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
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireWriter;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The client side of the DTLS 1.3 handshake (RFC 8446 §4, RFC 9147 §5). */
public final class ClientConnection extends Connection {
    private enum Step { SERVER_HELLO, ENCRYPTED_EXTENSIONS, CERTIFICATE_REQUEST_OR_CERTIFICATE, CERTIFICATE_VERIFY, FINISHED, DONE }

    private final PeerAuthenticator authenticator;
    private final LocalCredentials credentials;
    private final byte[] random = new byte[32];
    private final byte[] ownCid;
    private Step step = Step.SERVER_HELLO;
    private KeyExchange.ClientKeyShare share;
    private NamedGroup shareGroup;
    private byte[] cookie;
    private CipherSuite retrySuite;
    private byte[] serverHandshakeSecret;
    private byte[] clientHandshakeSecret;
    private byte[] exporterSecret;
    private CertificateRequestMessage certificateRequest;
    private List<SignatureScheme> offeredSignatureSchemes = SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS;
    private final ClientPsks psks;
    private PskOffer chosenPsk;
    /** resumption_master_secret, kept to derive the PSK of each NewSessionTicket (RFC 8446 §4.6.1). */
    private byte[] resumptionMaster;

    public ClientConnection(DtlsConfig config, CryptoBackend crypto, InetSocketAddress server,
            PeerAuthenticator authenticator, LocalCredentials credentials, long nowMillis) {
        super(true, config, crypto, server, nowMillis);
        this.authenticator = authenticator;
        this.credentials = credentials;
        crypto.randomBytes(random);
        ownCid = new byte[config.connectionIdLength()];
        crypto.randomBytes(ownCid);
        psks = new ClientPsks(config, crypto);
    }

    /**
     * Sends the first ClientHello with a key share for the preferred group — unless that would not
     * fit one datagram (a hybrid share at the default MTU): some servers, wolfSSL among them, ignore a
     * fragmented first ClientHello without a cookie, so we then send an empty key_share and let the
     * HelloRetryRequest (which cookie-checking servers send anyway) name the group (RFC 8446 §4.2.8).
     */
    public void start(long nowMillis) {
        psks.collect(serverKey());
        NamedGroup preferred = config.groups().get(0);
        int helloWithoutShare = 300 + 8 * config.groups().size() + psks.extensionsLength();
        // 0-RTT data is lost to a HelloRetryRequest, so then the share goes even if the ClientHello
        // must be fragmented (the server took early data before: it is one that reassembles).
        if (helloWithoutShare + preferred.clientShareLength() + RecordLayer.PLAINTEXT_HEADER + 12 <= config.mtu()
                || psks.earlyDataFits()) {
            newShare(preferred);
        }
        sendClientHello(nowMillis);
    }

    /**
     * Datagrams to send before anything else, set before {@link #start}: with the ClientHello as 0-RTT
     * data (RFC 8446 §2.3) when this server's ticket allows that many bytes, else (or when the server
     * refuses them) as ordinary data as soon as the handshake completes, so none is lost to a refusal.
     */
    public void earlyData(List<ByteBuffer> datagrams) {
        psks.earlyData(datagrams);
    }

    /** Where this connection's tickets are cached: the server's name (or address) and port. */
    private String serverKey() {
        return config.serverName().orElse(peer.getHostString()) + ":" + peer.getPort();
    }

    /** A client with external keys and nothing to verify a certificate with must get a PSK handshake. */
    private boolean pskOnly() {
        return !config.preSharedKeys().isEmpty() && config.trustedCertificates().isEmpty() && config.pinnedPublicKeys().isEmpty()
                && !config.insecureTrustAll();
    }

    private void releaseShare() {
        if (share != null) {
            share.close();
            share = null;
        }
    }

    private void newShare(NamedGroup g) {
        releaseShare();
        shareGroup = g;
        share = crypto.keyExchange(g).newClientShare();
    }

    private void sendClientHello(long nowMillis) {
        // The cookie goes first and the big key share last, so that the first fragment of a
        // fragmented second ClientHello carries the cookie: wolfSSL admits fragments only then.
        Extensions.Builder ext = new Extensions.Builder()
                .add(ExtensionType.SUPPORTED_VERSIONS, ExtensionCodec.clientSupportedVersions());
        if (cookie != null) {
            ext.add(ExtensionType.COOKIE, ExtensionCodec.cookie(cookie));
        }
        ext.add(ExtensionType.SUPPORTED_GROUPS, ExtensionCodec.uint16List(
                        config.groups().stream().map(NamedGroup::codepoint).toList()))
                .add(ExtensionType.SIGNATURE_ALGORITHMS, ExtensionCodec.uint16List(SignatureSchemes.codepoints(offeredSignatureSchemes)))
                .add(ExtensionType.SIGNATURE_ALGORITHMS_CERT, ExtensionCodec.uint16List(
                        SignatureSchemes.codepoints(SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS_CERT)));
        config.serverName().filter(ClientConnection::isHostName).ifPresent(name ->
                ext.add(ExtensionType.SERVER_NAME, new WireWriter().begin16().uint8(0)
                        .vector16(name.getBytes(StandardCharsets.US_ASCII)).end()));
        if (ownCid.length > 0) {
            ext.add(ExtensionType.CONNECTION_ID, ExtensionCodec.connectionId(ownCid));
        }
        CertificateTypes.offer(ext, credentials, authenticator);
        ext.add(ExtensionType.KEY_SHARE, ExtensionCodec.clientKeyShares(share == null ? List.of() : List.of(
                new ExtensionCodec.KeyShareEntry(shareGroup.codepoint(), share.publicShare()))));
        boolean sendEarly = psks.addExtensions(ext, retrySuite);
        ClientHello hello = new ClientHello(ClientHello.DTLS12, random, new byte[0], new byte[0],
                config.cipherSuites().stream().map(CipherSuite::codepoint).toList(), ext.build());
        byte[] body = hello.encode();
        psks.fillBinders(body, transcript);
        transcript.add(HandshakeType.CLIENT_HELLO, body);
        HandshakeFlight f = new HandshakeFlight();
        f.add(newMessage(HandshakeType.CLIENT_HELLO, body, 0));
        sendFlight(f, nowMillis);
        if (sendEarly) {
            // After the ClientHello, which the server needs to read them (RFC 9147 §6.1: epoch 1).
            records.installWrite(psks.earlyCipher(transcript, EARLY_EPOCH));
            queueEarlyData(psks.earlyData());
        }
    }

    /**
     * Frees what the handshake left: our private key if no ServerHello used it, the offered PSKs,
     * and the resumption secret once the connection ends.
     */
    @Override
    protected void releaseHandshakeState() {
        releaseShare();
        psks.wipe();
        if (resumptionMaster != null) {
            Arrays.fill(resumptionMaster, (byte) 0);
            resumptionMaster = null;
        }
    }

    /** SNI carries host names only, never IP literals (RFC 6066 §3). */
    private static boolean isHostName(String name) {
        return !name.isEmpty() && !name.contains(":") && !name.matches("[0-9.]+");
    }

    @Override
    protected boolean acceptsPlaintext(int msgType) {
        return msgType == HandshakeType.SERVER_HELLO && step == Step.SERVER_HELLO;
    }

    @Override
    protected void onHandshakeMessage(int type, byte[] body, long epoch, long nowMillis) throws DtlsException {
        try {
            switch (step) {
                case SERVER_HELLO -> onServerHello(expect(type, HandshakeType.SERVER_HELLO, epoch, 0), body, nowMillis);
                case ENCRYPTED_EXTENSIONS -> onEncryptedExtensions(expect(type, HandshakeType.ENCRYPTED_EXTENSIONS, epoch, HANDSHAKE_EPOCH), body);
                case CERTIFICATE_REQUEST_OR_CERTIFICATE -> {
                    if (type == HandshakeType.CERTIFICATE_REQUEST && certificateRequest == null) {
                        expect(type, type, epoch, HANDSHAKE_EPOCH);
                        certificateRequest = CertificateRequestMessage.parse(body);
                        transcript.add(type, body);
                    } else {
                        onCertificate(expect(type, HandshakeType.CERTIFICATE, epoch, HANDSHAKE_EPOCH), body);
                    }
                }
                case CERTIFICATE_VERIFY -> onCertificateVerify(expect(type, HandshakeType.CERTIFICATE_VERIFY, epoch, HANDSHAKE_EPOCH), body);
                case FINISHED -> onServerFinished(expect(type, HandshakeType.FINISHED, epoch, HANDSHAKE_EPOCH), body, nowMillis);
                case DONE -> throw fatal(DtlsAlert.UNEXPECTED_MESSAGE, "unexpected handshake message " + type + " after the handshake");
            }
        } catch (DecodeException e) {
            throw decodeError(e);
        } catch (CertificateRejectedException e) {
            throw rejected("server", e);
        }
    }

    private void onServerHello(int type, byte[] body, long nowMillis) throws DecodeException, DtlsException {
        ServerHello sh = ServerHello.parse(body);
        int version = ExtensionCodec.parseServerSupportedVersion(sh.extensions().get(ExtensionType.SUPPORTED_VERSIONS)
                .orElseThrow(() -> fatal(DtlsAlert.PROTOCOL_VERSION, "server does not speak DTLS 1.3 (no supported_versions)")));
        if (version != ExtensionCodec.DTLS13 || sh.legacyVersion() != ClientHello.DTLS12) {
            throw fatal(DtlsAlert.PROTOCOL_VERSION, String.format("server selected version 0x%04x; only DTLS 1.3 is supported", version));
        }
        if (sh.legacySessionIdEcho().length != 0) {
            throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "server echoed a session id we did not send");
        }
        CipherSuite selected = offeredSuite(sh.cipherSuite());
        flightAnswered(nowMillis);
        if (sh.isHelloRetryRequest()) {
            onHelloRetryRequest(sh, selected, nowMillis);
            return;
        }
        if (retrySuite != null && selected != retrySuite) {
            throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "ServerHello suite differs from the HelloRetryRequest's");
        }
        chosenPsk = chosenPsk(sh, selected);
        byte[] secret = sharedSecret(sh, selected);
        byte[] peerCid = sh.extensions().get(ExtensionType.CONNECTION_ID).isPresent()
                ? ExtensionCodec.parseConnectionId(sh.extensions().get(ExtensionType.CONNECTION_ID).get()) : null;
        if (peerCid != null && ownCid.length > 0) {
            records.connectionIds(peerCid, ownCid.length);
            connectionIds = true;
        }
        suite = selected;
        if (!transcript.started()) {
            transcript.start(suite.hash());
        }
        transcript.add(type, body);
        schedule = new KeySchedule(crypto, suite, KeySchedule.DTLS13);
        if (chosenPsk != null) {
            schedule.earlySecret(chosenPsk.psk());
            authentication = chosenPsk.external() ? SessionInfo.Authentication.PRE_SHARED_KEY
                    : SessionInfo.Authentication.RESUMPTION;
            peerCertificates = chosenPsk.peerCertificates();
        }
        psks.wipe();
        KeySchedule.Traffic.Pair handshake = schedule.handshakeStep(secret, transcript.current());
        Arrays.fill(secret, (byte) 0);
        clientHandshakeSecret = handshake.client().secret();
        serverHandshakeSecret = handshake.server().secret();
        records.installRead(epochCipher(HANDSHAKE_EPOCH, handshake.server().keys()));
        records.installWrite(epochCipher(HANDSHAKE_EPOCH, handshake.client().keys()));
        step = Step.ENCRYPTED_EXTENSIONS;
    }

    /** The PSK the server took (pre_shared_key, RFC 8446 §4.2.11), or null for a certificate handshake. */
    private PskOffer chosenPsk(ServerHello sh, CipherSuite selected) throws DecodeException, DtlsException {
        if (sh.extensions().get(ExtensionType.PRE_SHARED_KEY).isEmpty()) {
            if (pskOnly()) {
                throw fatal(DtlsAlert.HANDSHAKE_FAILURE, "the server did not accept our pre-shared key "
                        + config.preSharedKeys().stream().map(k -> "'" + k.displayIdentity() + "'").toList()
                        + " and we have nothing to verify a certificate by (DtlsConfig.trustedCertificates or pinnedPublicKeys)");
            }
            return null;
        }
        return psks.selected(PskCodec.parseServerPsk(sh.extensions().get(ExtensionType.PRE_SHARED_KEY).get()), selected);
    }

    /**
     * The (EC)DHE/KEM secret from the server's key share; zeros when the server took our PSK in
     * psk_ke mode, without one (RFC 8446 §7.1), which we must have allowed.
     */
    private byte[] sharedSecret(ServerHello sh, CipherSuite selected) throws DecodeException, DtlsException {
        if (sh.extensions().get(ExtensionType.KEY_SHARE).isEmpty()) {
            if (chosenPsk == null) {
                throw fatal(DtlsAlert.MISSING_EXTENSION, "ServerHello has neither key_share nor pre_shared_key");
            }
            if (!config.pskModes().contains(DtlsConfig.PskMode.PSK_KE)) {
                throw fatal(DtlsAlert.MISSING_EXTENSION, "server resumed without a key exchange (psk_ke), which we do not allow");
            }
            releaseShare();
            group = null;
            return new byte[selected.hash().length()];
        }
        ExtensionCodec.KeyShareEntry serverShare = ExtensionCodec.parseServerKeyShare(sh.extensions().get(ExtensionType.KEY_SHARE).get());
        if (share == null || serverShare.group() != shareGroup.codepoint()) {
            throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "server answered group " + serverShare.group() + " but we offered " + shareGroup);
        }
        try {
            return share.finish(serverShare.keyExchange());
        } catch (InvalidKeyShareException e) {
            throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false, "invalid server key share: " + e.getMessage(), e);
        } finally {
            share = null;
            group = shareGroup;
        }
    }

    private void onHelloRetryRequest(ServerHello hrr, CipherSuite selected, long nowMillis) throws DecodeException, DtlsException {
        if (helloRetried) {
            throw fatal(DtlsAlert.UNEXPECTED_MESSAGE, "second HelloRetryRequest");
        }
        helloRetried = true;
        retrySuite = selected;
        transcript.start(selected.hash());
        transcript.replaceWithMessageHash();
        transcript.add(HandshakeType.SERVER_HELLO, hrr.encode());
        boolean changed = false;
        if (hrr.extensions().get(ExtensionType.KEY_SHARE).isPresent()) {
            int wanted = ExtensionCodec.parseSelectedGroup(hrr.extensions().get(ExtensionType.KEY_SHARE).get());
            NamedGroup g = NamedGroup.byCodepoint(wanted).filter(config.groups()::contains).orElseThrow(() ->
                    fatal(DtlsAlert.ILLEGAL_PARAMETER, "HelloRetryRequest asks for group " + wanted + " which we did not offer"));
            if (g == shareGroup) {
                throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "HelloRetryRequest asks for the group we already sent");
            }
            newShare(g);
            changed = true;
        }
        if (hrr.extensions().get(ExtensionType.COOKIE).isPresent()) {
            cookie = ExtensionCodec.parseCookie(hrr.extensions().get(ExtensionType.COOKIE).get());
            changed = true;
        }
        if (!changed) {
            throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "HelloRetryRequest changes nothing (RFC 8446 §4.1.4)");
        }
        // Without a share we need the server to name a group, unless it may take our PSK without one (psk_ke).
        boolean pskKe = psks.any() && config.pskModes().contains(DtlsConfig.PskMode.PSK_KE);
        if (share == null && !pskKe) {
            throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "HelloRetryRequest names no group although we sent no key share");
        }
        sendClientHello(nowMillis);
    }

    @Override
    public byte[] ownConnectionId() {
        return connectionIds ? ownCid.clone() : new byte[0];
    }

    /** A server that refuses the ClientHello outright (RFC 8446 §4.1.1) accepts nothing we offered. */
    @Override
    protected String refusalHint(DtlsAlert alert) {
        if (alert != DtlsAlert.HANDSHAKE_FAILURE && alert != DtlsAlert.INSUFFICIENT_SECURITY
                && alert != DtlsAlert.PROTOCOL_VERSION) {
            return "";
        }
        return ": the server refused our ClientHello, which offered groups "
                + config.groups().stream().map(NamedGroup::displayName).toList() + " and suites " + config.cipherSuites()
                + " (DtlsConfig.groups / cipherSuites must share at least one of each with the server)";
    }

    private CipherSuite offeredSuite(int codepoint) throws DtlsException {
        for (CipherSuite s : config.cipherSuites()) {
            if (s.codepoint() == codepoint) {
                return s;
            }
        }
        throw fatal(DtlsAlert.ILLEGAL_PARAMETER, String.format("server selected cipher suite 0x%04x which we did not offer", codepoint));
    }

    private void onEncryptedExtensions(int type, byte[] body) throws DecodeException, DtlsException {
        var r = new dev.pqdtls.internal.wire.WireReader(body);
        Extensions ee = Extensions.parse(r, "EncryptedExtensions");
        r.finish("EncryptedExtensions");
        certificateTypes = CertificateTypes.accepted(ee, credentials, authenticator);
        if (ee.has(ExtensionType.EARLY_DATA)) {
            if (!psks.earlyDataSent() || chosenPsk == null || !psks.first(chosenPsk)) {
                throw fatal(DtlsAlert.UNSUPPORTED_EXTENSION, "the server accepted early data we did not send");
            }
            earlyDataAccepted(true);
        }
        transcript.add(type, body);
        step = chosenPsk != null ? Step.FINISHED : Step.CERTIFICATE_REQUEST_OR_CERTIFICATE;
    }

    private void onCertificate(int type, byte[] body) throws DecodeException, CertificateRejectedException {
        CertificateMessage cm = CertificateMessage.parse(body);
        if (certificateTypes.serverRaw()) {
            peerRawPublicKey = authenticator.verifyRawPublicKey(cm, "server");
        } else {
            // Without a configured name the certificate must match what we connected to (RFC 6125 §6).
            peerCertificates = authenticator.verifyServer(cm, config.serverName().orElse(peer.getHostString()));
        }
        transcript.add(type, body);
        step = Step.CERTIFICATE_VERIFY;
    }

    private void onCertificateVerify(int type, byte[] body) throws DecodeException, CertificateRejectedException {
        CertificateVerifyMessage cv = CertificateVerifyMessage.parse(body);
        cv.verify(crypto, true, peerKey(), transcript.current(), offeredSignatureSchemes);
        transcript.add(type, body);
        step = Step.FINISHED;
    }

    private void onServerFinished(int type, byte[] body, long nowMillis) throws DtlsException {
        byte[] expected = schedule.finishedVerifyData(serverHandshakeSecret, transcript.current());
        if (!MessageDigest.isEqual(expected, body)) {
            throw fatal(DtlsAlert.DECRYPT_ERROR, "server Finished does not verify: the handshake was altered");
        }
        transcript.add(type, body);
        KeySchedule.Traffic.Pair application = schedule.masterStep(transcript.current());
        exporterSecret = application.exporterMasterSecret();

        HandshakeFlight f = new HandshakeFlight();
        if (certificateRequest != null) {
            sendClientAuthentication(f);
        }
        byte[] finished = schedule.finishedVerifyData(clientHandshakeSecret, transcript.current());
        transcript.add(HandshakeType.FINISHED, finished);
        f.add(newMessage(HandshakeType.FINISHED, finished, HANDSHAKE_EPOCH));
        f.expectAck(true);
        sendFlight(f, nowMillis);
        Arrays.fill(clientHandshakeSecret, (byte) 0);
        step = Step.DONE;
        if (config.sessionTickets()) {
            resumptionMaster = schedule.resumptionMasterSecret(transcript.current());
        }
        established(application, nowMillis);
        List<ByteBuffer> early = psks.takeEarlyData();
        if (!earlyDataAccepted()) {
            early.forEach(d -> send(d, nowMillis)); // refused or never sent as 0-RTT: now as ordinary data
        }
    }

    /** Keeps the server's ticket in the session cache, with the PSK it resumes with (RFC 8446 §4.6.1). */
    @Override
    protected void onNewSessionTicket(byte[] body) throws DtlsException {
        PskCodec.NewSessionTicket nst;
        try {
            nst = PskCodec.NewSessionTicket.parse(body);
        } catch (DecodeException e) {
            throw decodeError(e);
        }
        if (resumptionMaster == null || nst.lifetimeSeconds() == 0) {
            return; // tickets are off here, or the server says this one is not to be used
        }
        long lifetime = Math.min(nst.lifetimeSeconds(), 604_800); // 7 days at most (§4.6.1)
        byte[] psk = schedule.resumptionPsk(resumptionMaster, nst.nonce());
        config.sessionCache().put(serverKey(), new SessionTicket(nst.ticket(), psk, suite, System.currentTimeMillis(),
                lifetime, nst.ageAdd(), peerCertificates, nst.maxEarlyData()));
        Arrays.fill(psk, (byte) 0);
    }

    /** Certificate (possibly empty) and CertificateVerify in answer to a CertificateRequest (RFC 8446 §4.4.2). */
    private void sendClientAuthentication(HandshakeFlight f) {
        byte[] context = certificateRequest.context();
        // Only the type the server chose (RFC 7250 §4.2): without it, a raw key goes unsent.
        boolean fits = credentials != null && credentials.isRawPublicKey() == certificateTypes.clientRaw();
        var selection = !fits ? java.util.Optional.<LocalCredentials.Selection>empty()
                : LocalCredentials.select(List.of(credentials), certificateRequest.signatureAlgorithms(),
                        certificateRequest.chainSignatureAlgorithms());
        CertificateMessage cm = selection.map(s -> s.credentials().certificateMessage(context))
                .orElse(CertificateMessage.of(context, new ArrayList<>()));
        byte[] certBody = cm.encode();
        transcript.add(HandshakeType.CERTIFICATE, certBody);
        f.add(newMessage(HandshakeType.CERTIFICATE, certBody, HANDSHAKE_EPOCH));
        if (selection.isPresent()) {
            byte[] cv = CertificateVerifyMessage.sign(crypto, false, selection.get().scheme(),
                    selection.get().credentials().privateKey(), transcript.current()).encode();
            transcript.add(HandshakeType.CERTIFICATE_VERIFY, cv);
            f.add(newMessage(HandshakeType.CERTIFICATE_VERIFY, cv, HANDSHAKE_EPOCH));
        }
    }

    @Override
    public byte[] exportKeyingMaterial(String label, byte[] context, int length) {
        if (exporterSecret == null || state() != State.CONNECTED) {
            throw new IllegalStateException("keying material can be exported only on an established connection");
        }
        return schedule.export(exporterSecret, label, context, length);
    }
}
