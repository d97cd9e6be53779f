package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.PreSharedKey;
import dev.pqdtls.SessionTicket;
import dev.pqdtls.spi.HashAlgorithm;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * A PSK a client offers (RFC 8446 §4.2.11): a ticket from an earlier session or an external key.
 *
 * @param obfuscatedTicketAge the ticket's age plus the server's age_add, mod 2^32; 0 for an external key
 * @param peerCertificates what the ticket's session verified of the server; empty for an external key
 * @param ticketSuite the ticket's session suite, which 0-RTT must use; null for an external key
 * @param maxEarlyData bytes of 0-RTT data the ticket may carry
 */
record PskOffer(byte[] identity, long obfuscatedTicketAge, byte[] psk, HashAlgorithm hash, boolean external,
        List<X509Certificate> peerCertificates, CipherSuite ticketSuite, long maxEarlyData) {

    static PskOffer of(SessionTicket t, long nowMillis) {
        long age = (nowMillis - t.receivedAtMillis() + (t.ageAdd() & 0xFFFFFFFFL)) & 0xFFFFFFFFL;
        return new PskOffer(t.ticket(), age, t.resumptionSecret(), t.cipherSuite().hash(), false, t.peerCertificates(),
                t.cipherSuite(), t.maxEarlyData());
    }

    static PskOffer of(PreSharedKey k) {
        return new PskOffer(k.identity(), 0, k.key(), k.hash(), true, List.of(), null, 0);
    }

    void wipe() {
        Arrays.fill(psk, (byte) 0);
    }
}
