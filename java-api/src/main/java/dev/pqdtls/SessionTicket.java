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
    private final long maxEarlyData;

    /**
     * @param receivedAtMillis when the ticket arrived, on the clock the cache is asked with
     * @param lifetimeSeconds how long the server said the ticket is good for
     * @param ageAdd the server's obfuscation of the ticket's age
     * @param maxEarlyData bytes of 0-RTT data the server takes with this ticket; 0 for none
     */
    public SessionTicket(byte[] ticket, byte[] resumptionSecret, CipherSuite cipherSuite, long receivedAtMillis,
            long lifetimeSeconds, int ageAdd, List<X509Certificate> peerCertificates, long maxEarlyData) {
        this.ticket = ticket.clone();
        this.resumptionSecret = resumptionSecret.clone();
        this.cipherSuite = cipherSuite;
        this.receivedAtMillis = receivedAtMillis;
        this.lifetimeSeconds = lifetimeSeconds;
        this.ageAdd = ageAdd;
        this.peerCertificates = List.copyOf(peerCertificates);
        this.maxEarlyData = maxEarlyData;
    }

    /** Bytes of 0-RTT data the server takes when this ticket resumes (RFC 8446 §4.2.10); 0 for none. */
    public long maxEarlyData() {
        return maxEarlyData;
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
