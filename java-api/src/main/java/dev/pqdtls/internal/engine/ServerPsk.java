package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.PreSharedKey;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.handshake.KeySchedule;
import dev.pqdtls.internal.psk.PskCodec;
import dev.pqdtls.internal.psk.TicketSealer;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.spi.CryptoBackend;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A server's choice among the PSKs a ClientHello offers (RFC 8446 §4.2.11): the first identity that
 * is one of our external keys or a ticket we sealed, usable with the suite already chosen (by
 * {@link Negotiation}, which puts a suite of a named external key's hash first) and in a mode both
 * sides allow. Its binder must verify; an identity we do not know is skipped, and
 * with none left the handshake goes on with certificates.
 *
 * @param index the identity's position, echoed in the ServerHello
 * @param psk the key; the caller wipes it
 * @param clientCertificates the client's certificate from the resumed session, if it had one
 */
record ServerPsk(int index, byte[] psk, boolean resumption, DtlsConfig.PskMode mode,
        List<X509Certificate> clientCertificates) {

    static Optional<ServerPsk> choose(DtlsConfig config, CryptoBackend crypto, ClientHello ch, byte[] body,
            CipherSuite suite, Transcript transcript) throws DtlsException, DecodeException {
        Optional<byte[]> ext = ch.extensions().get(ExtensionType.PRE_SHARED_KEY);
        if (ext.isEmpty()) {
            return Optional.empty();
        }
        List<Extensions.Extension> all = ch.extensions().list();
        if (all.get(all.size() - 1).type() != ExtensionType.PRE_SHARED_KEY) {
            throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false,
                    "pre_shared_key is not the last extension of the ClientHello (RFC 8446 §4.2.11)");
        }
        List<Integer> clientModes = PskCodec.parseModes(ch.extensions().get(ExtensionType.PSK_KEY_EXCHANGE_MODES)
                .orElseThrow(() -> new DtlsException(DtlsAlert.MISSING_EXTENSION, false,
                        "ClientHello offers a PSK without psk_key_exchange_modes (RFC 8446 §4.2.9)")));
        PskCodec.ClientPsks offered = PskCodec.parseClientPsks(ext.get());
        DtlsConfig.PskMode mode = config.pskModes().stream().filter(m -> clientModes.contains(PskCodec.code(m)))
                .findFirst().orElse(null);
        if (mode == null) {
            return Optional.empty();
        }
        long now = System.currentTimeMillis(); // tickets carry wall-clock time: other servers may open them
        for (int i = 0; i < offered.identities().size(); i++) {
            byte[] identity = offered.identities().get(i).identity();
            Optional<ServerPsk> candidate = external(config, identity, suite, i, mode);
            if (candidate.isEmpty() && config.sessionTickets()) {
                candidate = ticket(config, identity, suite, i, mode, now);
            }
            if (candidate.isPresent()) {
                verifyBinder(crypto, suite, body, offered, candidate.get(), transcript);
                return candidate;
            }
        }
        return Optional.empty();
    }

    private static Optional<ServerPsk> external(DtlsConfig config, byte[] identity, CipherSuite suite, int index,
            DtlsConfig.PskMode mode) {
        for (PreSharedKey k : config.preSharedKeys()) {
            if (k.hash() == suite.hash() && Arrays.equals(k.identity(), identity)) {
                return Optional.of(new ServerPsk(index, k.key(), false, mode, List.of()));
            }
        }
        return Optional.empty();
    }

    private static Optional<ServerPsk> ticket(DtlsConfig config, byte[] identity, CipherSuite suite, int index,
            DtlsConfig.PskMode mode, long now) {
        Optional<TicketSealer.State> opened = TicketSealer.open(config.ticketKeys(), identity, now);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        TicketSealer.State s = opened.get();
        boolean sameHash = CipherSuite.byCodepoint(s.cipherSuite()).map(c -> c.hash() == suite.hash()).orElse(false);
        boolean clientKnown = s.clientCertificate().length > 0 || config.clientAuth() != DtlsConfig.ClientAuth.REQUIRED;
        if (s.expired(now) || !sameHash || !clientKnown) {
            s.wipe();
            return Optional.empty();
        }
        List<X509Certificate> certs = List.of();
        if (s.clientCertificate().length > 0) {
            try {
                certs = List.of((X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(s.clientCertificate())));
            } catch (CertificateException e) {
                s.wipe();
                return Optional.empty();
            }
        }
        return Optional.of(new ServerPsk(index, s.psk(), true, mode, certs));
    }

    /** A binder that does not verify ends the handshake with decrypt_error (RFC 8446 §4.2.11). */
    private static void verifyBinder(CryptoBackend crypto, CipherSuite suite, byte[] body, PskCodec.ClientPsks offered,
            ServerPsk chosen, Transcript transcript) throws DtlsException {
        int truncated = body.length - PskCodec.bindersLength(offered.binders().stream().map(b -> b.length).toList());
        byte[] hash = transcript.withTruncated(suite.hash(), HandshakeType.CLIENT_HELLO, body, truncated);
        byte[] expected = KeySchedule.binder(crypto, suite.hash(), KeySchedule.DTLS13, chosen.psk(), !chosen.resumption(), hash);
        if (!MessageDigest.isEqual(expected, offered.binders().get(chosen.index()))) {
            Arrays.fill(chosen.psk(), (byte) 0);
            throw new DtlsException(DtlsAlert.DECRYPT_ERROR, false, "the binder of the client's "
                    + (chosen.resumption() ? "session ticket" : "pre-shared key") + " does not verify: "
                    + (chosen.resumption() ? "the ticket was altered" : "the client holds another key under that identity"));
        }
    }
}
