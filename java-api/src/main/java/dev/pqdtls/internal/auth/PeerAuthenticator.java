package dev.pqdtls.internal.auth;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether the peer's certificate chain is acceptable: PKIX path validation (RFC 5280) with
 * the JDK's {@code CertPathValidator} against configured trust anchors at the time of an injectable
 * clock, the end-entity certificate's key usage for signing, and for a server the name the client
 * asked for ({@link ServerIdentity}); with {@link PublicKeyPins}, the end-entity key must also be
 * pinned, or ({@link #pinnedOnly}) only that is checked. Immutable and thread-safe; build one per
 * configuration.
 *
 * <p>{@link #insecure()} accepts any chain. It exists for tests and first experiments, is never the
 * default, and logs a WARNING the first time in the process that any instance accepts something: once
 * is enough to be seen, and a server or load test with thousands of insecure connections would
 * otherwise repeat it thousands of times.
 */
public final class PeerAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(PeerAuthenticator.class);

    private static final String EKU_ANY = "2.5.29.37.0";
    private static final String EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final int KU_DIGITAL_SIGNATURE = 0;
    /** Whether this process has logged the insecure-mode warning. */
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final Set<TrustAnchor> anchors;
    private final Set<X509Certificate> anchorCerts;
    private final Clock clock;
    private final boolean revocation;
    private final boolean insecure;
    /** Keys the peer's must be one of, or null for any key the chain validation accepts. */
    private final PublicKeyPins pins;
    /** The pins replace chain validation: only the peer's key counts (self-signed peers, raw keys). */
    private final boolean pinsOnly;

    private PeerAuthenticator(Set<TrustAnchor> anchors, Set<X509Certificate> anchorCerts, Clock clock,
            boolean revocation, boolean insecure, PublicKeyPins pins, boolean pinsOnly) {
        this.anchors = anchors;
        this.anchorCerts = anchorCerts;
        this.clock = clock;
        this.revocation = revocation;
        this.insecure = insecure;
        this.pins = pins;
        this.pinsOnly = pinsOnly;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Accepts any certificate chain and any server name: the peer is NOT authenticated, so an active
     * attacker can impersonate it. For tests only.
     */
    public static PeerAuthenticator insecure() {
        return new PeerAuthenticator(Set.of(), Set.of(), Clock.systemUTC(), false, true, null, false);
    }

    /**
     * Accepts a peer by its key alone: the end-entity certificate's key, or a raw public key (RFC
     * 7250), must be one of {@code pins}; no chain, dates or names are checked, as with an SSH host
     * key. For self-signed peers and peer-to-peer identities known in advance.
     */
    public static PeerAuthenticator pinnedOnly(PublicKeyPins pins) {
        if (pins.size() == 0) {
            throw new IllegalArgumentException("pin-only authentication needs at least one pin");
        }
        return new PeerAuthenticator(Set.of(), Set.of(), Clock.systemUTC(), false, false, pins, true);
    }

    /** Whether a raw public key (RFC 7250) can authenticate the peer: only when pins replace the chain. */
    public boolean acceptsRawPublicKeys() {
        return pinsOnly;
    }

    /** Whether this process has logged the insecure-mode warning yet (it does so once). */
    public static boolean insecureWarningLogged() {
        return WARNED.get();
    }

    public boolean isInsecure() {
        return insecure;
    }

    /** The trusted certificates (empty when insecure). */
    public Set<X509Certificate> trustedCertificates() {
        return anchorCerts;
    }

    /**
     * Client side: checks the server's chain (leaf first, as in its Certificate message) and that it
     * names {@code serverName}, a DNS host name or an IP literal as the user wrote it.
     *
     * @return the validated path, leaf first, without the trust anchor
     */
    public List<X509Certificate> verifyServer(List<X509Certificate> chain, String serverName)
            throws CertificateRejectedException {
        if (serverName == null || serverName.isEmpty()) {
            throw new IllegalArgumentException("a client must know the server name to check its certificate; "
                    + "pass the host name or IP address it connected to");
        }
        if (chain.isEmpty()) {
            // RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST
            // abort the handshake with a "decode_error" alert."
            throw new CertificateRejectedException(CertificateRejectedException.DECODE_ERROR,
                    "the server sent an empty Certificate message; a server must present a certificate");
        }
        if (insecure) {
            warnOnce("server", serverName);
            return List.copyOf(chain);
        }
        try {
            if (pinsOnly) {
                return pinnedLeaf(chain, "server");
            }
            List<X509Certificate> path = validate(chain, true);
            ServerIdentity.check(path.get(0), serverName);
            checkPins(path.get(0), "server");
            return path;
        } catch (CertificateRejectedException e) {
            throw e.subject(chain.get(0));
        }
    }

    /** Client side, from the parsed Certificate message. */
    public List<X509Certificate> verifyServer(CertificateMessage message, String serverName)
            throws CertificateRejectedException {
        return verifyServer(message.certificates(), serverName);
    }

    /**
     * Server side: checks a client's chain (leaf first). No name is checked; the application decides
     * what the client's identity grants.
     *
     * @return the validated path, leaf first, without the trust anchor
     * @throws CertificateRejectedException certificate_required if the chain is empty
     */
    public List<X509Certificate> verifyClient(List<X509Certificate> chain) throws CertificateRejectedException {
        if (chain.isEmpty()) {
            // RFC 8446 §4.4.2.4: a server that requires client authentication "MAY ... abort the
            // handshake with a "certificate_required" alert".
            throw new CertificateRejectedException(CertificateRejectedException.CERTIFICATE_REQUIRED,
                    "the client sent no certificate but this server requires client authentication; "
                            + "configure the client with a certificate and key");
        }
        if (insecure) {
            warnOnce("client", null);
            return List.copyOf(chain);
        }
        try {
            if (pinsOnly) {
                return pinnedLeaf(chain, "client");
            }
            List<X509Certificate> path = validate(chain, false);
            checkPins(path.get(0), "client");
            return path;
        } catch (CertificateRejectedException e) {
            throw e.subject(chain.get(0));
        }
    }

    /** Server side, from the parsed Certificate message. */
    public List<X509Certificate> verifyClient(CertificateMessage message) throws CertificateRejectedException {
        return verifyClient(message.certificates());
    }

    /**
     * A raw public key (RFC 7250) the peer presented: accepted only when it is pinned, since there is
     * no chain to validate.
     *
     * @param role "server" or "client", for the messages
     * @return the peer's key
     * @throws CertificateRejectedException unsupported_certificate when raw keys are not accepted or
     *     the key type is not one pqdtls verifies with, bad_certificate when it does not parse or is not
     *     pinned
     */
    public java.security.PublicKey verifyRawPublicKey(CertificateMessage message, String role)
            throws CertificateRejectedException {
        java.security.PublicKey key = CertificateTypes.rawPublicKey(message, role);
        if (!pinsOnly) {
            throw new CertificateRejectedException(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                    "the " + role + " sent a raw public key, which is accepted only with pinned keys in place of "
                            + "chain validation (DtlsConfig pinnedPublicKeys with PinMode.INSTEAD_OF_CHAIN)");
        }
        if (SignatureSchemes.forKey(key).isEmpty()) {
            throw new CertificateRejectedException(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                    "the " + role + "'s raw public key is a " + SignatureSchemes.describe(key)
                            + " key; pqdtls accepts EC secp256r1, Ed25519 or RSA keys");
        }
        pins.check(key, role);
        return key;
    }

    /** Pin-only mode: the leaf's key decides; the rest of the chain is kept as sent. */
    private List<X509Certificate> pinnedLeaf(List<X509Certificate> chain, String role) throws CertificateRejectedException {
        pins.check(chain.get(0).getPublicKey(), role);
        return List.copyOf(chain);
    }

    private void checkPins(X509Certificate leaf, String role) throws CertificateRejectedException {
        if (pins != null) {
            pins.check(leaf.getPublicKey(), role);
        }
    }

    private void warnOnce(String role, String serverName) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("INSECURE: accepting the " + role + "'s certificate chain without any verification"
                    + (serverName == null ? "" : " (not checking that it belongs to " + serverName + ")")
                    + ". Anyone on the path can impersonate the peer and read the traffic. "
                    + "Configure trust anchors (e.g. --ca FILE) instead of the insecure mode.");
        }
    }

    private List<X509Certificate> validate(List<X509Certificate> chain, boolean peerIsServer)
            throws CertificateRejectedException {
        X509Certificate leaf = chain.get(0);
        String role = peerIsServer ? "server" : "client";
        if (SignatureSchemes.forKey(leaf.getPublicKey()).isEmpty()) {
            throw new CertificateRejectedException(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                    "the " + role + " certificate holds a " + SignatureSchemes.describe(leaf.getPublicKey())
                            + " key; pqdtls accepts EC secp256r1, Ed25519 or RSA keys");
        }
        List<X509Certificate> path = order(chain);
        Date now = Date.from(clock.instant());
        // Checked here as well as by PKIX so the message names the certificate and its dates.
        for (X509Certificate c : path) {
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                throw new CertificateRejectedException(CertificateRejectedException.CERTIFICATE_EXPIRED,
                        describe(c, path) + " expired on " + c.getNotAfter().toInstant() + " (now "
                                + now.toInstant() + "); renew it, or check the clock", e);
            } catch (CertificateNotYetValidException e) {
                // As OpenSSL does: a not-yet-valid certificate is a bad_certificate.
                throw new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE,
                        describe(c, path) + " is not valid until " + c.getNotBefore().toInstant() + " (now "
                                + now.toInstant() + "); check the clocks of both machines", e);
            }
        }
        if (anchorCerts.contains(leaf)) {
            // The peer's own certificate is trusted directly (a pinned self-signed server certificate):
            // there is no path to build, only its dates and usage to check.
            checkLeafUsage(leaf, peerIsServer);
            return List.of(leaf);
        }
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            CertPath certPath = cf.generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setDate(now);
            params.setRevocationEnabled(revocation);
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (CertPathValidatorException e) {
            throw rejected(e, path, role);
        } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("the JDK's PKIX validator is unavailable: " + e.getMessage(), e);
        } catch (CertificateException | RuntimeException e) {
            // Hostile certificates that parsed but trip the validator itself: still the peer's fault.
            throw new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE,
                    "the " + role + "'s certificate chain could not be validated: " + e, e);
        }
        checkLeafUsage(leaf, peerIsServer);
        return path;
    }

    /**
     * Puts the chain in issuing order from the leaf, dropping certificates that do not belong and a
     * trailing copy of a trust anchor. RFC 8446 §4.4.2 asks senders for this order but tells
     * receivers to tolerate "extraneous certificates and arbitrary orderings".
     */
    private List<X509Certificate> order(List<X509Certificate> chain) {
        List<X509Certificate> path = new ArrayList<>();
        List<X509Certificate> rest = new ArrayList<>(chain.subList(1, chain.size()));
        X509Certificate current = chain.get(0);
        path.add(current);
        while (!isSelfIssued(current) && !anchorCerts.contains(current)) {
            X509Certificate next = null;
            for (X509Certificate c : rest) {
                if (c.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
                    next = c;
                    break;
                }
            }
            if (next == null) {
                break;
            }
            rest.remove(next);
            path.add(next);
            current = next;
        }
        while (path.size() > 1 && anchorCerts.contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        return path;
    }

    private static boolean isSelfIssued(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    private static String describe(X509Certificate c, List<X509Certificate> path) {
        int i = path.indexOf(c);
        String which = i == 0 ? "the peer's certificate" : "intermediate certificate " + i;
        return which + " (" + c.getSubjectX500Principal().getName() + ")";
    }

    private CertificateRejectedException rejected(CertPathValidatorException e, List<X509Certificate> path,
            String role) {
        CertPathValidatorException.Reason reason = e.getReason();
        int index = e.getIndex();
        String where = index >= 0 && index < path.size() ? describe(path.get(index), path) : "the " + role + "'s chain";
        String detail = e.getMessage();
        if (reason == PKIXReason.NO_TRUST_ANCHOR) {
            X509Certificate top = path.get(path.size() - 1);
            for (X509Certificate anchor : anchorCerts) {
                if (anchor.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
                    return new CertificateRejectedException(CertificateRejectedException.UNKNOWN_CA,
                            "the " + role + "'s chain names a trusted CA (" + anchor.getSubjectX500Principal().getName()
                                    + ") as issuer, but the signature on its top certificate ("
                                    + top.getSubjectX500Principal().getName() + ") does not verify with that CA's "
                                    + "key: it was issued by a different CA of the same name, or the trust store holds "
                                    + "an outdated copy of the CA certificate", e);
                }
            }
            return new CertificateRejectedException(CertificateRejectedException.UNKNOWN_CA,
                    "the " + role + "'s certificate chain does not lead to a trusted CA: the top certificate ("
                            + top.getSubjectX500Principal().getName() + ") is issued by "
                            + top.getIssuerX500Principal().getName() + ", which is not among the " + anchors.size()
                            + " trust anchor(s); add that CA's certificate to the trust store (e.g. --ca FILE)", e);
        }
        if (reason == BasicReason.EXPIRED) {
            return new CertificateRejectedException(CertificateRejectedException.CERTIFICATE_EXPIRED,
                    where + " has expired: " + detail + "; renew it, or check the clock", e);
        }
        if (reason == BasicReason.NOT_YET_VALID) {
            return new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE,
                    where + " is not yet valid: " + detail + "; check the clocks of both machines", e);
        }
        if (reason == BasicReason.REVOKED) {
            return new CertificateRejectedException(CertificateRejectedException.CERTIFICATE_REVOKED,
                    where + " has been revoked: " + detail + "; the peer needs a new certificate", e);
        }
        if (reason == BasicReason.UNDETERMINED_REVOCATION_STATUS) {
            return new CertificateRejectedException(CertificateRejectedException.CERTIFICATE_UNKNOWN,
                    "the revocation status of " + where + " could not be determined: " + detail
                            + "; make the CRL/OCSP responder reachable or turn revocation checking off", e);
        }
        if (reason == BasicReason.ALGORITHM_CONSTRAINED || reason == PKIXReason.UNRECOGNIZED_CRIT_EXT) {
            return new CertificateRejectedException(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                    where + " uses an algorithm, key size or critical extension this JDK refuses: " + detail
                            + "; reissue it with ECDSA P-256, Ed25519 or RSA >= 2048 and SHA-256", e);
        }
        if (reason == BasicReason.INVALID_SIGNATURE) {
            return new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE,
                    "the signature on " + where + " does not verify with its issuer's key: " + detail
                            + "; the chain is corrupt or assembled from the wrong certificates", e);
        }
        return new CertificateRejectedException(
                reason instanceof PKIXReason || reason == BasicReason.UNSPECIFIED
                        ? CertificateRejectedException.BAD_CERTIFICATE
                        : CertificateRejectedException.CERTIFICATE_UNKNOWN,
                "the " + role + "'s certificate chain is not valid at " + where + " (" + reason + "): " + detail, e);
    }

    /**
     * The end-entity certificate must allow signing (RFC 5280 §4.2.1.3) and, when it restricts its
     * purpose, name the role it is used for (§4.2.1.12).
     */
    private static void checkLeafUsage(X509Certificate leaf, boolean peerIsServer)
            throws CertificateRejectedException {
        boolean[] ku = leaf.getKeyUsage();
        if (ku != null && (ku.length <= KU_DIGITAL_SIGNATURE || !ku[KU_DIGITAL_SIGNATURE])) {
            throw new CertificateRejectedException(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                    "the peer's certificate (" + leaf.getSubjectX500Principal().getName() + ") has a keyUsage "
                            + "without digitalSignature, so it cannot sign a CertificateVerify; reissue it with "
                            + "digitalSignature");
        }
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE,
                    "the peer's certificate has an extendedKeyUsage that does not parse: " + e.getMessage(), e);
        }
        String wanted = peerIsServer ? EKU_SERVER_AUTH : EKU_CLIENT_AUTH;
        if (eku != null && !eku.contains(wanted) && !eku.contains(EKU_ANY)) {
            throw new CertificateRejectedException(CertificateRejectedException.UNSUPPORTED_CERTIFICATE,
                    "the peer's certificate (" + leaf.getSubjectX500Principal().getName() + ") is restricted to "
                            + eku + " but is used for " + (peerIsServer ? "serverAuth" : "clientAuth")
                            + "; reissue it with that extendedKeyUsage");
        }
    }

    /** Configures a {@link PeerAuthenticator}. */
    public static final class Builder {
        private final Set<X509Certificate> anchors = new LinkedHashSet<>();
        private Clock clock = Clock.systemUTC();
        private boolean revocation;
        private PublicKeyPins pins;

        private Builder() {
        }

        /** After chain validation, the end-entity key must also be one of {@code pins} (none: any key). */
        public Builder pins(PublicKeyPins pins) {
            this.pins = pins == null || pins.size() == 0 ? null : pins;
            return this;
        }

        /** Trusts these CA (or self-signed end-entity) certificates. */
        public Builder trustAnchors(Collection<X509Certificate> certificates) {
            for (X509Certificate c : certificates) {
                if (c == null) {
                    throw new IllegalArgumentException("trust anchor list contains null");
                }
                anchors.add(c);
            }
            return this;
        }

        /** Trusts the trusted-certificate entries of {@code keyStore} (as {@link PKIXParameters} does). */
        public Builder trustAnchors(KeyStore keyStore) {
            List<X509Certificate> found = new ArrayList<>();
            try {
                for (Enumeration<String> e = keyStore.aliases(); e.hasMoreElements();) {
                    String alias = e.nextElement();
                    if (keyStore.isCertificateEntry(alias)) {
                        Certificate c = keyStore.getCertificate(alias);
                        if (c instanceof X509Certificate) {
                            found.add((X509Certificate) c);
                        }
                    }
                }
            } catch (KeyStoreException e) {
                throw new IllegalArgumentException("the trust KeyStore is not loaded: " + e.getMessage(), e);
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException("the trust KeyStore has no trusted-certificate entries; "
                        + "import the CA with keytool -importcert");
            }
            return trustAnchors(found);
        }

        /** Trusts the JDK's default CA set (the cacerts of the running JDK). */
        public Builder trustJdkDefaults() {
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init((KeyStore) null);
                for (TrustManager tm : tmf.getTrustManagers()) {
                    if (tm instanceof X509TrustManager) {
                        trustAnchors(List.of(((X509TrustManager) tm).getAcceptedIssuers()));
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot load the JDK's default trust store: " + e.getMessage(), e);
            }
            return this;
        }

        /** The clock whose current time certificates must be valid at; default system UTC. */
        public Builder clock(Clock clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock must not be null");
            }
            this.clock = clock;
            return this;
        }

        /**
         * Whether the JDK's PKIX revocation checking (CRL distribution points, OCSP) runs; default
         * off, since it needs network access at handshake time.
         */
        public Builder revocationChecking(boolean enabled) {
            this.revocation = enabled;
            return this;
        }

        /** @throws IllegalStateException if no trust anchor was configured */
        public PeerAuthenticator build() {
            if (anchors.isEmpty()) {
                throw new IllegalStateException("no trust anchors configured: call trustAnchors(...) or "
                        + "trustJdkDefaults(); PeerAuthenticator.insecure() exists for tests only");
            }
            Set<TrustAnchor> ta = new HashSet<>();
            for (X509Certificate c : anchors) {
                ta.add(new TrustAnchor(c, null));
            }
            return new PeerAuthenticator(Set.copyOf(ta), Set.copyOf(anchors), clock, revocation, false, pins, false);
        }
    }

    @Override
    public String toString() {
        if (insecure) {
            return "PeerAuthenticator[INSECURE: accepts any certificate]";
        }
        String pinned = pins == null ? "" : ", " + pins.size() + " pinned key(s)";
        return pinsOnly ? "PeerAuthenticator[pinned keys only" + pinned + "]"
                : "PeerAuthenticator[" + anchors.size() + " trust anchors, revocation " + (revocation ? "on" : "off")
                        + pinned + "]";
    }
}
