package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.handshake.KeySchedule;
import dev.pqdtls.internal.psk.PskCodec;
import dev.pqdtls.internal.recordlayer.EpochCipher;
import dev.pqdtls.spi.CryptoBackend;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client offers of PSKs (RFC 8446 §4.2.9–4.2.11): a cached ticket for this server, then its
 * external keys, each with its binder; and the 0-RTT data the ticket may carry (§4.2.10).
 */
final class ClientPsks {
    private final DtlsConfig config;
    private final CryptoBackend crypto;
    private final List<PskOffer> offers = new ArrayList<>();
    /** The offers in the last ClientHello sent, whose order the server's selected_identity indexes. */
    private List<PskOffer> sent = List.of();
    /** Datagrams to send first: as 0-RTT data if a ticket allows, else right after the handshake. */
    private List<ByteBuffer> earlyData = List.of();
    private boolean earlyDataSent;

    ClientPsks(DtlsConfig config, CryptoBackend crypto) {
        this.config = config;
        this.crypto = crypto;
    }

    void earlyData(List<ByteBuffer> datagrams) {
        earlyData = datagrams.stream().map(ByteBuffer::duplicate).toList();
    }

    /** The early data, to send as 0-RTT data; kept to send again if the server refuses it. */
    List<ByteBuffer> earlyData() {
        return earlyData.stream().map(ByteBuffer::duplicate).toList();
    }

    /** The early data, taken once: after the handshake, what the server did not take as 0-RTT data. */
    List<ByteBuffer> takeEarlyData() {
        List<ByteBuffer> taken = earlyData;
        earlyData = List.of();
        return taken;
    }

    boolean earlyDataSent() {
        return earlyDataSent;
    }

    /** Takes this server's ticket out of the session cache (offered once, RFC 8446 §C.4) and adds the external keys. */
    void collect(String serverKey) {
        if (config.sessionTickets()) {
            long now = System.currentTimeMillis(); // tickets carry wall-clock time
            config.sessionCache().take(serverKey, now).ifPresent(t -> {
                if (config.cipherSuites().stream().anyMatch(s -> s.hash() == t.cipherSuite().hash())) {
                    offers.add(PskOffer.of(t, now));
                }
                t.destroy();
            });
        }
        config.preSharedKeys().forEach(k -> offers.add(PskOffer.of(k)));
    }

    boolean any() {
        return !offers.isEmpty();
    }

    /** About what the PSK extensions add to a ClientHello. */
    int extensionsLength() {
        if (offers.isEmpty()) {
            return 0;
        }
        int n = 8 + 4 + 3 + PskCodec.bindersLength(offers.stream().map(o -> o.hash().length()).toList());
        for (PskOffer o : offers) {
            n += 6 + o.identity().length;
        }
        return n;
    }

    /** Whether the first ClientHello will carry 0-RTT data. */
    boolean earlyDataFits() {
        return earlyDataFits(offers, false);
    }

    /** Whether the first offer is a ticket that takes our early data in one of our suites (§4.2.10). */
    private boolean earlyDataFits(List<PskOffer> candidates, boolean afterRetry) {
        if (earlyData.isEmpty() || afterRetry || candidates.isEmpty() || candidates.get(0).external()) {
            return false;
        }
        PskOffer first = candidates.get(0);
        long bytes = earlyData.stream().mapToLong(ByteBuffer::remaining).sum();
        return bytes <= first.maxEarlyData() && config.cipherSuites().contains(first.ticketSuite());
    }

    /**
     * Adds early_data, psk_key_exchange_modes and, last, pre_shared_key with zero binders; after a
     * HelloRetryRequest only PSKs of its suite's hash remain (§4.1.4) and no early data. Returns
     * whether early data goes with this ClientHello.
     */
    boolean addExtensions(Extensions.Builder ext, CipherSuite retrySuite) {
        sent = offers.stream().filter(o -> retrySuite == null || o.hash() == retrySuite.hash()).toList();
        boolean early = earlyDataFits(sent, retrySuite != null);
        if (early) {
            ext.add(ExtensionType.EARLY_DATA, new byte[0]);
        }
        // The modes also say which tickets we take (RFC 8446 §4.2.9): sent whenever we keep tickets.
        if (!sent.isEmpty() || config.sessionTickets()) {
            ext.add(ExtensionType.PSK_KEY_EXCHANGE_MODES, PskCodec.modes(config.pskModes()));
        }
        if (!sent.isEmpty()) {
            ext.add(ExtensionType.PRE_SHARED_KEY, PskCodec.clientPsks(sent.stream()
                    .map(o -> new PskCodec.Identity(o.identity(), o.obfuscatedTicketAge())).toList(), binderLengths()));
        }
        return early;
    }

    private List<Integer> binderLengths() {
        return sent.stream().map(o -> o.hash().length()).toList();
    }

    /**
     * Writes the binders over the zeros at the end of the ClientHello (pre_shared_key is its last
     * extension): each over the transcript through the ClientHello without its binders (§4.2.11.2).
     */
    void fillBinders(byte[] body, Transcript transcript) {
        if (sent.isEmpty()) {
            return;
        }
        int truncated = body.length - PskCodec.bindersLength(binderLengths());
        int pos = truncated + 2;
        for (PskOffer o : sent) {
            byte[] hash = transcript.withTruncated(o.hash(), HandshakeType.CLIENT_HELLO, body, truncated);
            byte[] binder = KeySchedule.binder(crypto, o.hash(), KeySchedule.DTLS13, o.psk(), o.external(), hash);
            body[pos] = (byte) binder.length;
            System.arraycopy(binder, 0, body, pos + 1, binder.length);
            pos += 1 + binder.length;
        }
    }

    /**
     * The epoch-1 write cipher for the early data: client_early_traffic_secret of the first offer over
     * the ClientHello (RFC 8446 §7.1, RFC 9147 §6.1). The caller sends {@link #earlyData()} with it.
     */
    EpochCipher earlyCipher(Transcript transcript, long epoch) {
        PskOffer first = sent.get(0);
        KeySchedule early = new KeySchedule(crypto, first.ticketSuite(), KeySchedule.DTLS13);
        early.earlySecret(first.psk());
        KeySchedule.TrafficKeys keys = early.earlyTrafficKeys(transcript.hashAs(first.hash()));
        early.destroy();
        earlyDataSent = true;
        return new EpochCipher(epoch, early.recordProtection(keys));
    }

    /** The offer the server selected (pre_shared_key's selected_identity), which must suit its suite. */
    PskOffer selected(int index, CipherSuite suite) throws DtlsException {
        if (index >= sent.size()) {
            throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false, "server selected PSK " + index + " of the "
                    + sent.size() + " we offered");
        }
        PskOffer chosen = sent.get(index);
        if (chosen.hash() != suite.hash()) {
            throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false, "server selected a PSK for "
                    + chosen.hash().jcaName() + " with " + suite);
        }
        return chosen;
    }

    /** Whether {@code offer} is the first sent, the only one that may carry early data. */
    boolean first(PskOffer offer) {
        return !sent.isEmpty() && sent.get(0) == offer;
    }

    /** Wipes the offered keys (the chosen one has gone into the key schedule). */
    void wipe() {
        offers.forEach(PskOffer::wipe);
    }
}
