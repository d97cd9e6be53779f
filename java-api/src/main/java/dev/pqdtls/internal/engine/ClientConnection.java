package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.NamedGroup;
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
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireWriter;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import java.net.InetSocketAddress;
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

    public ClientConnection(DtlsConfig config, CryptoBackend crypto, InetSocketAddress server,
            PeerAuthenticator authenticator, LocalCredentials credentials, long nowMillis) {
        super(true, config, crypto, server, nowMillis);
        this.authenticator = authenticator;
        this.credentials = credentials;
        crypto.randomBytes(random);
        ownCid = new byte[config.connectionIdLength()];
        crypto.randomBytes(ownCid);
    }

    /**
     * Sends the first ClientHello with a key share for the preferred group — unless that would not
     * fit one datagram (a hybrid share at the default MTU): some servers, wolfSSL among them, ignore a
     * fragmented first ClientHello without a cookie, so we then send an empty key_share and let the
     * HelloRetryRequest (which cookie-checking servers send anyway) name the group (RFC 8446 §4.2.8).
     */
    public void start(long nowMillis) {
        NamedGroup preferred = config.groups().get(0);
        int helloWithoutShare = 300 + 8 * config.groups().size();
        if (helloWithoutShare + preferred.clientShareLength() + RecordLayer.PLAINTEXT_HEADER + 12 <= config.mtu()) {
            newShare(preferred);
        }
        sendClientHello(nowMillis);
    }

    private void newShare(NamedGroup g) {
        if (share != null) {
            share.close();
        }
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
        ClientHello hello = new ClientHello(ClientHello.DTLS12, random, new byte[0], new byte[0],
                config.cipherSuites().stream().map(CipherSuite::codepoint).toList(), ext.build());
        byte[] body = hello.encode();
        transcript.add(HandshakeType.CLIENT_HELLO, body);
        HandshakeFlight f = new HandshakeFlight();
        f.add(newMessage(HandshakeType.CLIENT_HELLO, body, 0));
        sendFlight(f, nowMillis);
    }

    /** A handshake that failed or was closed before the ServerHello leaves our private key unused: free it now. */
    @Override
    protected void releaseHandshakeState() {
        if (share != null) {
            share.close();
            share = null;
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
        ExtensionCodec.KeyShareEntry serverShare = ExtensionCodec.parseServerKeyShare(sh.extensions().get(ExtensionType.KEY_SHARE)
                .orElseThrow(() -> fatal(DtlsAlert.MISSING_EXTENSION, "ServerHello has no key_share (PSK-only is not supported)")));
        if (share == null || serverShare.group() != shareGroup.codepoint()) {
            throw fatal(DtlsAlert.ILLEGAL_PARAMETER, "server answered group " + serverShare.group() + " but we offered " + shareGroup);
        }
        byte[] secret;
        try {
            secret = share.finish(serverShare.keyExchange());
        } catch (InvalidKeyShareException e) {
            throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false, "invalid server key share: " + e.getMessage(), e);
        }
        share = null;
        byte[] peerCid = sh.extensions().get(ExtensionType.CONNECTION_ID).isPresent()
                ? ExtensionCodec.parseConnectionId(sh.extensions().get(ExtensionType.CONNECTION_ID).get()) : null;
        if (peerCid != null && ownCid.length > 0) {
            records.connectionIds(peerCid, ownCid.length);
            connectionIds = true;
        }
        suite = selected;
        group = shareGroup;
        if (!transcript.started()) {
            transcript.start(suite.hash());
        }
        transcript.add(type, body);
        schedule = new KeySchedule(crypto, suite, KeySchedule.DTLS13);
        KeySchedule.Traffic.Pair handshake = schedule.handshakeStep(secret, transcript.current());
        Arrays.fill(secret, (byte) 0);
        clientHandshakeSecret = handshake.client().secret();
        serverHandshakeSecret = handshake.server().secret();
        records.installRead(epochCipher(HANDSHAKE_EPOCH, handshake.server().keys()));
        records.installWrite(epochCipher(HANDSHAKE_EPOCH, handshake.client().keys()));
        step = Step.ENCRYPTED_EXTENSIONS;
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
        if (share == null) {
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
        transcript.add(type, body);
        step = Step.CERTIFICATE_REQUEST_OR_CERTIFICATE;
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
        established(application, nowMillis);
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
