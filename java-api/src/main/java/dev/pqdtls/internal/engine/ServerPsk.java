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
import dev.pqdtls.internal.psk.EarlyDataGuard;
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
 * @param earlyDataLimit bytes of 0-RTT data to accept (RFC 8446 §4.2.10); 0 to refuse it
 */
record ServerPsk(int index, byte[] psk, boolean resumption, DtlsConfig.PskMode mode,
        List<X509Certificate> clientCertificates, long earlyDataLimit) {

    /**
     * @param afterRetry whether a HelloRetryRequest came first: early data is then refused (§4.2.10)
     */
    /** Resolved once per thread, not per resumption (a factory is not documented thread-safe). */
    private static final ThreadLocal<CertificateFactory> X509 = ThreadLocal.withInitial(() -> {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 CertificateFactory", e);
        }
    });

    static Optional<ServerPsk> choose(DtlsConfig config, CryptoBackend crypto, ClientHello ch, byte[] body,
            CipherSuite suite, Transcript transcript, boolean afterRetry) throws DtlsException, DecodeException {
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
            TicketSealer.State[] ticket = new TicketSealer.State[1];
            if (candidate.isEmpty() && config.sessionTickets()) {
                candidate = ticket(config, identity, suite, i, mode, now, ticket);
            }
            if (candidate.isPresent()) {
                verifyBinder(crypto, suite, body, offered, candidate.get(), transcript);
                long early = i == 0 && ticket[0] != null && !afterRetry && ch.extensions().has(ExtensionType.EARLY_DATA)
                        ? earlyDataLimit(config, ticket[0], suite, offered, now) : 0;
                return Optional.of(candidate.get().withEarlyDataLimit(early));
            }
        }
        return Optional.empty();
    }

    private static Optional<ServerPsk> external(DtlsConfig config, byte[] identity, CipherSuite suite, int index,
            DtlsConfig.PskMode mode) {
        return externalKey(config, identity).filter(k -> k.hash() == suite.hash())
                .map(k -> new ServerPsk(index, k.key(), false, mode, List.of(), 0));
    }

    /** Our external key of this identity, if there is one (identities are unique: {@code build()} checks). */
    static Optional<PreSharedKey> externalKey(DtlsConfig config, byte[] identity) {
        return config.preSharedKeys().stream().filter(k -> Arrays.equals(k.identity(), identity)).findFirst();
    }

    private static Optional<ServerPsk> ticket(DtlsConfig config, byte[] identity, CipherSuite suite, int index,
            DtlsConfig.PskMode mode, long now, TicketSealer.State[] opened) {
        Optional<TicketSealer.State> sealed = TicketSealer.open(config.ticketKeys(), identity, now);
        if (sealed.isEmpty()) {
            return Optional.empty();
        }
        TicketSealer.State s = sealed.get();
        boolean sameHash = CipherSuite.byCodepoint(s.cipherSuite()).map(c -> c.hash() == suite.hash()).orElse(false);
        boolean clientKnown = s.clientCertificate().length > 0 || config.clientAuth() != DtlsConfig.ClientAuth.REQUIRED;
        if (s.expired(now) || !sameHash || !clientKnown) {
            s.wipe();
            return Optional.empty();
        }
        List<X509Certificate> certs = List.of();
        if (s.clientCertificate().length > 0) {
            try {
                certs = List.of((X509Certificate) X509.get().generateCertificate(new ByteArrayInputStream(s.clientCertificate())));
            } catch (CertificateException e) {
                s.wipe();
                return Optional.empty();
            }
        }
        opened[0] = s;
        return Optional.of(new ServerPsk(index, s.psk(), true, mode, certs, 0));
    }

    private ServerPsk withEarlyDataLimit(long limit) {
        return new ServerPsk(index, psk, resumption, mode, clientCertificates, limit);
    }

    /**
     * 0-RTT is taken from the first identity only, a ticket that allows it, for the very suite of its
     * session (RFC 8446 §4.2.10), fresh and not seen before (§8, {@link EarlyDataGuard}).
     */
    private static long earlyDataLimit(DtlsConfig config, TicketSealer.State ticket, CipherSuite suite,
            PskCodec.ClientPsks offered, long now) {
        if (config.maxEarlyData() == 0 || ticket.maxEarlyData() == 0 || ticket.cipherSuite() != suite.codepoint()) {
            return 0;
        }
        long reportedAge = (offered.identities().get(0).obfuscatedTicketAge() - (ticket.ageAdd() & 0xFFFFFFFFL)) & 0xFFFFFFFFL;
        boolean fresh = EarlyDataGuard.of(config).admit(offered.binders().get(0), reportedAge, now - ticket.issuedAtMillis(), now);
        return fresh ? ticket.maxEarlyData() : 0; // what the ticket promised, even if the configuration changed since
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
