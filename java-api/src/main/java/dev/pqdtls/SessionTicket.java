package dev.pqdtls;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * A session a client may resume (RFC 8446 §4.6.1): the server's opaque ticket, the secret both sides
 * derived from the session for it, and what the client learnt in that session. Kept by a
 * {@link SessionCache}; a cache that persists tickets must guard {@link #resumptionSecret()} as it
 * would a private key.
 */
public final class SessionTicket {
    private final byte[] ticket;
    private final byte[] resumptionSecret;
    private final CipherSuite cipherSuite;
    private final long receivedAtMillis;
    private final long lifetimeSeconds;
    private final int ageAdd;
    private final List<X509Certificate> peerCertificates;

    /**
     * @param receivedAtMillis when the ticket arrived, on the clock the cache is asked with
     * @param lifetimeSeconds how long the server said the ticket is good for
     * @param ageAdd the server's obfuscation of the ticket's age
     */
    public SessionTicket(byte[] ticket, byte[] resumptionSecret, CipherSuite cipherSuite, long receivedAtMillis,
            long lifetimeSeconds, int ageAdd, List<X509Certificate> peerCertificates) {
        this.ticket = ticket.clone();
        this.resumptionSecret = resumptionSecret.clone();
        this.cipherSuite = cipherSuite;
        this.receivedAtMillis = receivedAtMillis;
        this.lifetimeSeconds = lifetimeSeconds;
        this.ageAdd = ageAdd;
        this.peerCertificates = List.copyOf(peerCertificates);
    }

    /** The ticket as the server sent it: opaque to the client. */
    public byte[] ticket() {
        return ticket.clone();
    }

    /** The PSK this ticket resumes with. Secret. */
    public byte[] resumptionSecret() {
        return resumptionSecret.clone();
    }

    /** The suite of the session; a resumption must use a suite of the same hash. */
    public CipherSuite cipherSuite() {
        return cipherSuite;
    }

    public long receivedAtMillis() {
        return receivedAtMillis;
    }

    public long lifetimeSeconds() {
        return lifetimeSeconds;
    }

    public int ageAdd() {
        return ageAdd;
    }

    /** The server's certificates as verified in the session the ticket came from. */
    public List<X509Certificate> peerCertificates() {
        return peerCertificates;
    }

    /** Whether the server's lifetime for the ticket has passed. */
    public boolean expired(long nowMillis) {
        return nowMillis - receivedAtMillis >= lifetimeSeconds * 1000;
    }

    /** Wipes the secret; for a cache that drops the ticket. */
    public void destroy() {
        Arrays.fill(resumptionSecret, (byte) 0);
    }

    @Override
    public String toString() {
        return "SessionTicket[" + cipherSuite + ", " + ticket.length + " bytes, lifetime " + lifetimeSeconds + " s]";
    }
}
