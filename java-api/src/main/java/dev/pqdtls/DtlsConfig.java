package dev.pqdtls;

import dev.pqdtls.internal.auth.CredentialFiles;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PublicKeyPins;
import dev.pqdtls.internal.backend.BackendSelector;
import dev.pqdtls.internal.text.Display;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Immutable configuration of a DTLS 1.3 client or server. Build one with {@link #builder()}; every
 * option has a safe default and is validated by {@link Builder#build()}, which names the option to
 * fix when something is wrong.
 */
public final class DtlsConfig {

    /** When the server answers a ClientHello with a stateless cookie HelloRetryRequest first. */
    public enum CookiePolicy {
        /** Every new client proves its address first: no state, no KEM work before that (default). */
        ALWAYS,
        /** Only while more handshakes than {@link Builder#cookieThreshold(int)} are in progress. */
        UNDER_LOAD,
        /** Never: one round trip less, at the cost of doing key exchange for spoofed addresses. */
        NEVER
    }

    /** Whether a server asks clients for a certificate. */
    public enum ClientAuth { NONE, REQUESTED, REQUIRED }

    /** How a pre-shared key (external or a resumption ticket) is used (RFC 8446 §4.2.9). */
    public enum PskMode {
        /** The PSK and a fresh key exchange in the configured groups: forward secret (default). */
        PSK_DHE_KE,
        /** The PSK alone: no key exchange, so a leaked PSK reveals every session made with it. */
        PSK_KE
    }

    /** How {@linkplain Builder#pinnedPublicKeys(List, PinMode) pinned public keys} combine with chain validation. */
    public enum PinMode {
        /**
         * The peer's certificate chain is validated as without pins (trust anchors, dates, usage, the
         * server's name), and its end-entity key must also be pinned (default).
         */
        WITH_CHAIN,
        /**
         * Only the peer's key counts: its end-entity certificate's key, or its raw public key (RFC
         * 7250), must be pinned; issuer, dates and names are not checked (as with an SSH host key).
         * For self-signed peers and peer-to-peer identities exchanged in advance.
         */
        INSTEAD_OF_CHAIN
    }

    private final List<NamedGroup> groups;
    private final List<CipherSuite> cipherSuites;
    private final List<X509Certificate> certificateChain;
    private final PrivateKey privateKey;
    private final java.security.KeyPair rawPublicKey;
    private final List<X509Certificate> trustedCertificates;
    private final boolean insecureTrustAll;
    private final List<String> pinnedPublicKeys;
    private final PinMode pinMode;
    private final String serverName;
    private final ClientAuth clientAuth;
    private final CookiePolicy cookiePolicy;
    private final int cookieThreshold;
    private final Duration cookieLifetime;
    private final int mtu;
    private final Duration initialRetransmitTimeout;
    private final Duration handshakeTimeout;
    private final int connectionIdLength;
    private final long keyUpdateAfterRecords;
    private final Duration keyUpdateAfterTime;
    private final int receiveQueueCapacity;
    private final int maxConnections;
    private final int maxConnectionsPerSource;
    private final int maxHandshakes;
    private final int handshakesPerSecondPerSource;
    private final int handshakeBurstPerSource;
    private final Executor callbackExecutor;
    private final ReconnectPolicy reconnect;
    private final int eventLoops;
    private final Duration idleTimeout;
    private final String backend;
    private final int socketReceiveBufferSize;
    private final int socketSendBufferSize;
    private final boolean reusePort;
    private final boolean udpOffload;
    private final List<PreSharedKey> preSharedKeys;
    private final List<PskMode> pskModes;
    private final boolean sessionTickets;
    private final Duration ticketLifetime;
    private final TicketKeys ticketKeys;
    private final SessionCache sessionCache;
    private final int maxEarlyData;

    /** The credentials come from build(): it reads and checks the files the builder names. */
    private DtlsConfig(Builder b, List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted) {
        groups = List.copyOf(b.groups);
        cipherSuites = List.copyOf(b.cipherSuites);
        certificateChain = List.copyOf(chain);
        privateKey = key;
        rawPublicKey = b.rawPublicKey;
        trustedCertificates = List.copyOf(trusted);
        insecureTrustAll = b.insecureTrustAll;
        pinnedPublicKeys = PublicKeyPins.parse("pinnedPublicKeys", b.pinnedPublicKeys).canonical();
        pinMode = b.pinMode;
        serverName = b.serverName;
        clientAuth = b.clientAuth;
        cookiePolicy = b.cookiePolicy;
        cookieThreshold = b.cookieThreshold;
        cookieLifetime = b.cookieLifetime;
        mtu = b.mtu;
        initialRetransmitTimeout = b.initialRetransmitTimeout;
        handshakeTimeout = b.handshakeTimeout;
        connectionIdLength = b.connectionIdLength;
        keyUpdateAfterRecords = b.keyUpdateAfterRecords;
        keyUpdateAfterTime = b.keyUpdateAfterTime;
        receiveQueueCapacity = b.receiveQueueCapacity;
        maxConnections = b.maxConnections;
        maxConnectionsPerSource = b.maxConnectionsPerSource;
        maxHandshakes = b.maxHandshakes;
        handshakesPerSecondPerSource = b.handshakesPerSecondPerSource;
        handshakeBurstPerSource = b.handshakeBurstPerSource;
        callbackExecutor = b.callbackExecutor;
        reconnect = b.reconnect;
        eventLoops = b.eventLoops;
        idleTimeout = b.idleTimeout;
        backend = b.backend;
        socketReceiveBufferSize = b.socketReceiveBufferSize;
        socketSendBufferSize = b.socketSendBufferSize;
        reusePort = b.reusePort;
        udpOffload = b.udpOffload;
        preSharedKeys = List.copyOf(b.preSharedKeys);
        pskModes = List.copyOf(b.pskModes);
        sessionTickets = b.sessionTickets;
        ticketLifetime = b.ticketLifetime;
        ticketKeys = b.ticketKeys != null ? b.ticketKeys : TicketKeys.rotating(b.ticketLifetime);
        sessionCache = b.sessionCache != null ? b.sessionCache : SessionCache.inMemory(DEFAULT_SESSION_CACHE_SERVERS);
        maxEarlyData = b.maxEarlyData;
    }

    /** Servers the default {@link SessionCache} keeps tickets for. */
    public static final int DEFAULT_SESSION_CACHE_SERVERS = 1024;

    /** External pre-shared keys: a client offers them, a server accepts them; empty if none. */
    public List<PreSharedKey> preSharedKeys() {
        return preSharedKeys;
    }

    /** How pre-shared keys and tickets may be used, in preference order. */
    public List<PskMode> pskModes() {
        return pskModes;
    }

    /** Whether a server issues session tickets and a client keeps and offers them. */
    public boolean sessionTickets() {
        return sessionTickets;
    }

    /** How long a ticket a server issues may be used to resume. */
    public Duration ticketLifetime() {
        return ticketLifetime;
    }

    /** The keys a server seals tickets with. */
    public TicketKeys ticketKeys() {
        return ticketKeys;
    }

    /** Where a client keeps tickets. */
    public SessionCache sessionCache() {
        return sessionCache;
    }

    /** Bytes of 0-RTT data a server takes from a resuming client; 0 turns early data off. */
    public int maxEarlyData() {
        return maxEarlyData;
    }

    /** A server socket's receive buffer when {@code socketReceiveBufferSize} is 0: 4 MiB. */
    public static final int SERVER_RECEIVE_BUFFER = 4 << 20;

    public static Builder builder() {
        return new Builder();
    }

    /** Key-exchange groups in preference order; the client sends a key share for the first. */
    public List<NamedGroup> groups() {
        return groups;
    }

    /** Cipher suites in preference order (the server's order decides). */
    public List<CipherSuite> cipherSuites() {
        return cipherSuites;
    }

    /** The certificate chain this side presents, leaf first; empty if none. */
    public List<X509Certificate> certificateChain() {
        return certificateChain;
    }

    /** The private key of the leaf certificate, if a chain is configured. */
    public Optional<PrivateKey> privateKey() {
        return Optional.ofNullable(privateKey);
    }

    /** The key pair this side presents as a raw public key (RFC 7250) instead of a certificate, if set. */
    public Optional<java.security.KeyPair> rawPublicKey() {
        return Optional.ofNullable(rawPublicKey);
    }

    /** Trust anchors for verifying the peer's chain. */
    public List<X509Certificate> trustedCertificates() {
        return trustedCertificates;
    }

    /** True if peer certificates are accepted without verification (tests and demos only). */
    public boolean insecureTrustAll() {
        return insecureTrustAll;
    }

    /**
     * SHA-256 pins of the peer keys accepted, in the canonical form {@code sha256/<base64>}; empty: no
     * pinning. See {@link Builder#pinnedPublicKeys(List, PinMode)}.
     */
    public List<String> pinnedPublicKeys() {
        return pinnedPublicKeys;
    }

    /** Whether pins add to chain validation or replace it; meaningful only with pins. */
    public PinMode pinMode() {
        return pinMode;
    }

    /**
     * The pin {@link Builder#pinnedPublicKeys(List)} expects for {@code key}: {@code sha256/} and the
     * base64 SHA-256 of its DER SubjectPublicKeyInfo (as HPKP's pin-sha256, RFC 7469 §2.4).
     */
    public static String publicKeyPin(java.security.PublicKey key) {
        return PublicKeyPins.pin(key);
    }

    /** The server name a client sends (SNI) and checks the certificate against, if set. */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    public CookiePolicy cookiePolicy() {
        return cookiePolicy;
    }

    /** Handshakes in progress above which {@link CookiePolicy#UNDER_LOAD} demands cookies. */
    public int cookieThreshold() {
        return cookieThreshold;
    }

    /** How long a cookie stays valid; cookie secrets rotate at this period. */
    public Duration cookieLifetime() {
        return cookieLifetime;
    }

    /** Largest UDP payload sent, in bytes; handshake messages are fragmented to fit. */
    public int mtu() {
        return mtu;
    }

    public Duration initialRetransmitTimeout() {
        return initialRetransmitTimeout;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Length of the connection ID this side asks the peer to use; 0 asks for none. */
    public int connectionIdLength() {
        return connectionIdLength;
    }

    /** Records sent under one key before a KeyUpdate is started automatically. */
    public long keyUpdateAfterRecords() {
        return keyUpdateAfterRecords;
    }

    /** Time under one key before a KeyUpdate is started automatically. */
    public Duration keyUpdateAfterTime() {
        return keyUpdateAfterTime;
    }

    /** Received application datagrams buffered per connection before new ones are dropped (and counted). */
    public int receiveQueueCapacity() {
        return receiveQueueCapacity;
    }

    /** Connections (including handshakes in progress) a server holds at once. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Connections (including handshakes in progress) a server holds at once for one source IP address. */
    public int maxConnectionsPerSource() {
        return maxConnectionsPerSource;
    }

    /** Handshakes in progress a server holds at once, from all sources. */
    public int maxHandshakes() {
        return maxHandshakes;
    }

    /** New handshakes a server admits per second from one source IP address (token bucket rate); 0: no limit. */
    public int handshakesPerSecondPerSource() {
        return handshakesPerSecondPerSource;
    }

    /** New handshakes one source IP address may start in a burst (token bucket size). */
    public int handshakeBurstPerSource() {
        return handshakeBurstPerSource;
    }

    /** Where {@link DtlsServerListener} callbacks run; empty: on the event loop that owns the connection. */
    public Optional<Executor> callbackExecutor() {
        return Optional.ofNullable(callbackExecutor);
    }

    /** Whether and how a client connection re-establishes itself after it was lost; empty: never. */
    public Optional<ReconnectPolicy> reconnect() {
        return Optional.ofNullable(reconnect);
    }

    /**
     * Event loops (threads, each with its own SO_REUSEPORT socket on the server's port) a server
     * runs; a client endpoint always runs one.
     */
    public int eventLoops() {
        return eventLoops;
    }

    /** A connection with no authentic record for this long is closed. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The crypto backend to use, or empty for the best usable one (or {@code -Dpqdtls.backend}). */
    public Optional<String> backend() {
        return Optional.ofNullable(backend);
    }

    /**
     * SO_RCVBUF in bytes; 0 means pqdtls's default: {@link #SERVER_RECEIVE_BUFFER} for a server's
     * sockets, the system's for a client's.
     */
    public int socketReceiveBufferSize() {
        return socketReceiveBufferSize;
    }

    /** SO_SNDBUF in bytes; 0 keeps the system default. */
    public int socketSendBufferSize() {
        return socketSendBufferSize;
    }

    /** Whether the socket sets SO_REUSEPORT (several server sockets on one port). */
    public boolean reusePort() {
        return reusePort;
    }

    /** Whether UDP GSO/GRO are used where the backend and kernel have them. */
    public boolean udpOffload() {
        return udpOffload;
    }

    /** Builder with documented defaults; not thread-safe. */
    public static final class Builder {
        // Every group pqdtls implements, hybrids first: a server accepts any client by default, and a
        // client still sends its one key share for X25519MLKEM768.
        private List<NamedGroup> groups = List.of(NamedGroup.X25519_MLKEM768, NamedGroup.SECP256R1_MLKEM768,
                NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.MLKEM768);
        // Every suite but AES-CCM-8, whose 8-byte tag RFC 9147 §4.5.3 allows in DTLS only with other
        // safeguards against forgery: a server accepts constrained (CCM) clients by default.
        private List<CipherSuite> cipherSuites = List.of(CipherSuite.TLS_AES_128_GCM_SHA256,
                CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                CipherSuite.TLS_AES_128_CCM_SHA256);
        private List<X509Certificate> certificateChain = List.of();
        private PrivateKey privateKey;
        private java.security.KeyPair rawPublicKey;
        private Path certificateChainFile;
        private Path privateKeyFile;
        private List<X509Certificate> trustedCertificates = List.of();
        private Path trustedCertificatesFile;
        private boolean insecureTrustAll;
        private List<String> pinnedPublicKeys = List.of();
        private PinMode pinMode = PinMode.WITH_CHAIN;
        private String serverName;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private CookiePolicy cookiePolicy = CookiePolicy.ALWAYS;
        private int cookieThreshold = 64;
        private Duration cookieLifetime = Duration.ofSeconds(60);
        private int mtu = 1200;
        private Duration initialRetransmitTimeout = Duration.ofSeconds(1);
        private Duration handshakeTimeout = Duration.ofSeconds(30);
        private int connectionIdLength;
        // AES-GCM's confidentiality limit is 2^24.5 records (RFC 9147 §4.5.3): stay well below.
        private long keyUpdateAfterRecords = 1L << 23;
        private Duration keyUpdateAfterTime = Duration.ofHours(1);
        private int receiveQueueCapacity = 4096;
        private int maxConnections = 10_000;
        private int maxConnectionsPerSource = 1_000;
        private int maxHandshakes = 1_000;
        private int handshakesPerSecondPerSource = 50;
        private int handshakeBurstPerSource = 100;
        private Executor callbackExecutor;
        private ReconnectPolicy reconnect;
        private int eventLoops = Runtime.getRuntime().availableProcessors();
        private Duration idleTimeout = Duration.ofMinutes(5);
        private String backend;
        private int socketReceiveBufferSize;
        private int socketSendBufferSize;
        private boolean reusePort;
        private boolean udpOffload = true;
        private List<PreSharedKey> preSharedKeys = List.of();
        private List<PskMode> pskModes = List.of(PskMode.PSK_DHE_KE);
        private boolean sessionTickets = true;
        private Duration ticketLifetime = Duration.ofHours(12);
        private TicketKeys ticketKeys;
        private SessionCache sessionCache;
        private int maxEarlyData;

        private Builder() {
        }

        /**
         * Groups in preference order: a client offers them all and sends a key share for the first; a
         * server picks the first it shares with the client. Default: every implemented group, hybrids
         * first — X25519MLKEM768, SecP256r1MLKEM768, X25519, secp256r1, MLKEM768.
         */
        public Builder groups(List<NamedGroup> groups) {
            this.groups = new ArrayList<>(groups);
            return this;
        }

        public Builder groups(NamedGroup... groups) {
            return groups(List.of(groups));
        }

        /**
         * Suites in preference order. Default: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, AES-128-CCM.
         * {@link CipherSuite#TLS_AES_128_CCM_8_SHA256} is used only when listed: its 8-byte tag lets a
         * connection survive only 2^7 forged records per key (RFC 9147 §4.5.3).
         */
        public Builder cipherSuites(List<CipherSuite> suites) {
            this.cipherSuites = new ArrayList<>(suites);
            return this;
        }

        public Builder cipherSuites(CipherSuite... suites) {
            return cipherSuites(List.of(suites));
        }

        /**
         * The chain to present (leaf first) and the leaf's private key: EC secp256r1, Ed25519 or RSA.
         * Required for servers; {@link #build()} checks that the key belongs to the first certificate.
         */
        public Builder certificate(List<X509Certificate> chain, PrivateKey key) {
            this.certificateChain = new ArrayList<>(chain);
            this.privateKey = key;
            this.certificateChainFile = null;
            this.privateKeyFile = null;
            return this;
        }

        /**
         * The chain (PEM, leaf first) and its private key (unencrypted PKCS#8 PEM) from files, read
         * by {@link #build()}: a missing or unreadable file, one that is not PEM, a key in another
         * format (the message gives the {@code openssl} command that converts it), a key that does
         * not belong to the certificate or that pqdtls cannot sign with is rejected there, naming
         * the option, the file and the fix.
         */
        public Builder certificate(Path chainPem, Path privateKeyPem) {
            this.certificateChainFile = chainPem;
            this.privateKeyFile = privateKeyPem;
            this.certificateChain = List.of();
            this.privateKey = null;
            return this;
        }

        /**
         * Present this key pair as a raw public key (RFC 7250) instead of a certificate: the peer sees
         * only the key and must have pinned it ({@link #pinnedPublicKeys(List, PinMode)} with
         * {@link PinMode#INSTEAD_OF_CHAIN}). A server with a raw key refuses clients that do not accept
         * one (unsupported_certificate); a client with one presents it when the server asks for a
         * certificate and accepts raw keys, else sends no certificate. EC secp256r1, Ed25519 or RSA;
         * {@link #build()} checks that the halves belong together and rejects it together with
         * {@link #certificate}. Null removes it.
         */
        public Builder rawPublicKey(java.security.KeyPair keys) {
            this.rawPublicKey = keys;
            return this;
        }

        /** Trust the certificates of a PEM file as anchors for the peer's chain; read by {@link #build()}. */
        public Builder trustedCertificates(Path pem) {
            this.trustedCertificatesFile = pem;
            this.trustedCertificates = List.of();
            return this;
        }

        /** Trust these certificates as anchors for the peer's chain. */
        public Builder trustedCertificates(List<X509Certificate> anchors) {
            this.trustedCertificates = new ArrayList<>(anchors);
            this.trustedCertificatesFile = null;
            return this;
        }

        /** Trust the certificate entries of a KeyStore (e.g. a PKCS#12 trust store). */
        public Builder trustStore(KeyStore store) {
            List<X509Certificate> anchors = new ArrayList<>();
            try {
                for (String alias : Collections.list(store.aliases())) {
                    Certificate c = store.getCertificate(alias);
                    if (c instanceof X509Certificate x) {
                        anchors.add(x);
                    }
                }
            } catch (KeyStoreException e) {
                throw new IllegalArgumentException("trustStore: the KeyStore is not loaded: " + e.getMessage(), e);
            }
            return trustedCertificates(anchors);
        }

        /**
         * Accept any peer certificate without verification. For tests and demos only: it gives no
         * protection against an active attacker. pqdtls logs a warning (java.util.logging, logger
         * {@code dev.pqdtls.internal.auth.PeerAuthenticator}) the first time the process accepts an
         * unverified certificate.
         */
        public Builder insecureTrustAll() {
            this.insecureTrustAll = true;
            return this;
        }

        /**
         * Accept the peer only if its end-entity public key is one of these, in addition to the usual
         * chain validation ({@link PinMode#WITH_CHAIN}). Works both ways: a client pins its server's
         * key, a server with {@link #clientAuth} its clients' keys. Each pin is the SHA-256 of the
         * key's DER SubjectPublicKeyInfo as {@code sha256/<base64>}, plain base64 or 64 hex digits
         * ({@code ./pqdtls pin FILE} prints it, as does {@code openssl x509 -in FILE -pubkey
         * -noout | openssl pkey -pubin -outform der | sha256sum}). A key that is not pinned fails the
         * handshake with bad_certificate, and the error gives the pin it has. List the next key too
         * before rotating one. An empty list turns pinning off.
         */
        public Builder pinnedPublicKeys(List<String> pins) {
            return pinnedPublicKeys(pins, PinMode.WITH_CHAIN);
        }

        /**
         * Pins with an explicit {@link PinMode}: {@link PinMode#INSTEAD_OF_CHAIN} accepts a peer by its
         * key alone (no trust anchors needed; a self-signed certificate or a raw public key will do).
         * {@link #build()} rejects a pin in another form (naming the entry), INSTEAD_OF_CHAIN without
         * pins, and pins together with {@link #insecureTrustAll()}.
         */
        public Builder pinnedPublicKeys(List<String> pins, PinMode mode) {
            this.pinnedPublicKeys = pins == null ? null : new ArrayList<>(pins);
            this.pinMode = mode;
            return this;
        }

        /** The name a client sends in server_name and verifies the server certificate against. */
        public Builder serverName(String name) {
            this.serverName = name;
            return this;
        }

        /** Whether a server requests client certificates. Default NONE. */
        public Builder clientAuth(ClientAuth mode) {
            this.clientAuth = mode;
            return this;
        }

        /** Default ALWAYS. */
        public Builder cookiePolicy(CookiePolicy policy) {
            this.cookiePolicy = policy;
            return this;
        }

        /** Handshakes in progress that count as load for UNDER_LOAD, 0..1,000,000. Default 64. */
        public Builder cookieThreshold(int handshakes) {
            this.cookieThreshold = handshakes;
            return this;
        }

        /** Cookie validity, 1 s..1 h. Default 60 s. */
        public Builder cookieLifetime(Duration lifetime) {
            this.cookieLifetime = lifetime;
            return this;
        }

        /** Largest UDP payload in bytes, 256..65,507. Default 1200. */
        public Builder mtu(int bytes) {
            this.mtu = bytes;
            return this;
        }

        /**
         * First retransmission timeout, 10 ms..60 s, doubling per RFC 9147 §5.8. Default 1 s. Also the
         * least value a measured round trip can bring the timer down to: set it lower only where the
         * network and the peer are known to answer faster.
         */
        public Builder initialRetransmitTimeout(Duration timeout) {
            this.initialRetransmitTimeout = timeout;
            return this;
        }

        /** Give up a handshake after this long, 100 ms..10 min. Default 30 s. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        /** Ask the peer to put a connection ID of this many bytes in records (0 = none, max 20). Default 0. */
        public Builder connectionIdLength(int bytes) {
            this.connectionIdLength = bytes;
            return this;
        }

        /** Start a KeyUpdate after this many records under one key, 1..2^23. Default 2^23. */
        public Builder keyUpdateAfterRecords(long records) {
            this.keyUpdateAfterRecords = records;
            return this;
        }

        /** Start a KeyUpdate after this long under one key, at least 1 s. Default 1 h. */
        public Builder keyUpdateAfterTime(Duration time) {
            this.keyUpdateAfterTime = time;
            return this;
        }

        /** Datagrams buffered per connection for {@code receive}, 1..1,000,000. Default 4096. */
        public Builder receiveQueueCapacity(int datagrams) {
            this.receiveQueueCapacity = datagrams;
            return this;
        }

        /**
         * Server event loops: threads, each with its own socket on the server's port (SO_REUSEPORT;
         * the kernel spreads clients over them by address), its own connections and admission gate.
         * Default: the number of available processors; bounds 1 to 256.
         */
        public Builder eventLoops(int loops) {
            this.eventLoops = loops;
            return this;
        }

        /** Concurrent connections per server, 1..10,000,000. Default 10,000. */
        public Builder maxConnections(int connections) {
            this.maxConnections = connections;
            return this;
        }

        /**
         * Connections a server holds at once for one source IP address (any port), handshakes in
         * progress included, 1..10,000,000. Beyond it new clients from that address get no answer
         * (counted as {@link ServerMetrics.Limit#CONNECTIONS_PER_SOURCE}). Default 1,000.
         */
        public Builder maxConnectionsPerSource(int connections) {
            this.maxConnectionsPerSource = connections;
            return this;
        }

        /**
         * Handshakes in progress a server holds at once, 1..10,000,000; beyond it new clients get no
         * answer until some complete (counted as {@link ServerMetrics.Limit#HANDSHAKES}). Key exchange
         * is the expensive part of a handshake: this bounds the CPU a burst of clients can take.
         * Default 1,000.
         */
        public Builder maxHandshakes(int handshakes) {
            this.maxHandshakes = handshakes;
            return this;
        }

        /**
         * New handshakes a server admits from one source IP address per second, 0 (no limit) or
         * 1..1,000,000, with bursts up to {@link #handshakeBurstPerSource}. A client beyond it gets no
         * answer and retransmits later (counted as {@link ServerMetrics.Limit#HANDSHAKE_RATE_PER_SOURCE}).
         * The limit is charged only when a handshake is admitted — after the cookie round trip when
         * one is demanded, so spoofed sources cannot spend anyone's budget — and kept in a fixed-size
         * table of buckets indexed by a keyed hash of the address: bounded memory whatever the number of
         * sources, at the price that a few addresses share a bucket. Default 50.
         */
        public Builder handshakesPerSecondPerSource(int handshakes) {
            this.handshakesPerSecondPerSource = handshakes;
            return this;
        }

        /** Handshakes one source IP address may start at once before the rate applies, 1..1,000,000. Default 100. */
        public Builder handshakeBurstPerSource(int handshakes) {
            this.handshakeBurstPerSource = handshakes;
            return this;
        }

        /**
         * Runs {@link DtlsServerListener} callbacks on this executor instead of the event loop, for
         * callbacks that block. Each connection's callbacks still run one at a time and in order;
         * datagrams waiting for a connection's callback count against {@link #receiveQueueCapacity}
         * (beyond it they are dropped and counted as {@link ServerMetrics.DropReason#QUEUE_FULL}).
         * Default: none (callbacks run on the event loop and must not block).
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = executor;
            return this;
        }

        /** Lets client connections re-establish themselves after they were lost (see {@link ReconnectPolicy}). Default: never. */
        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnect = policy;
            return this;
        }

        /** Close connections idle this long, at least 1 s. Default 5 min. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Use this crypto backend ({@code ffm}, {@code fallback}) instead of the best usable one;
         * null restores the default. {@link #build()} rejects a name no backend on the class path
         * or module path has (listing the valid ones) and a backend that cannot run in this JVM
         * (with its reason, e.g. "ffm needs Java 22+; this is Java 17").
         */
        public Builder backend(String name) {
            this.backend = name;
            return this;
        }

        /**
         * SO_RCVBUF in bytes, 0 or 4 KiB..1 GiB. Default 0: 4 MiB for a server's sockets (a burst of 256
         * hybrid handshakes brings about 400 KB of ClientHellos; the kernel's usual 208 KiB default
         * drops some, which then cost a retransmission timeout), the system default for a client.
         * Without root the kernel caps the size at {@code net.core.rmem_max}.
         */
        public Builder socketReceiveBufferSize(int bytes) {
            this.socketReceiveBufferSize = bytes;
            return this;
        }

        /** SO_SNDBUF in bytes, 0 (system default) or 4 KiB..1 GiB. Default 0. */
        public Builder socketSendBufferSize(int bytes) {
            this.socketSendBufferSize = bytes;
            return this;
        }

        /** Set SO_REUSEPORT, so several servers (e.g. one per core) can bind one port. Default false. */
        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        /** Use UDP GSO/GRO where the backend (ffm) and kernel have them. Default true. */
        public Builder udpOffload(boolean on) {
            this.udpOffload = on;
            return this;
        }

        /**
         * External pre-shared keys (RFC 8446 §2.2). A client offers every one (put the usual one
         * first); a server accepts whichever a client names. With keys and no certificate a server
         * serves PSK clients only, and a client without trusted certificates requires the server to
         * take its key. Default: none.
         */
        public Builder preSharedKeys(List<PreSharedKey> keys) {
            this.preSharedKeys = new ArrayList<>(keys);
            return this;
        }

        public Builder preSharedKeys(PreSharedKey... keys) {
            return preSharedKeys(List.of(keys));
        }

        /**
         * How pre-shared keys and resumption tickets may be used, in preference order. Default
         * {@code PSK_DHE_KE} only: a resumed or PSK session still runs the (hybrid post-quantum) key
         * exchange and stays forward secret. Add {@code PSK_KE} only for peers that cannot afford it.
         */
        public Builder pskModes(PskMode... modes) {
            this.pskModes = new ArrayList<>(Arrays.asList(modes));
            return this;
        }

        /**
         * Session resumption (RFC 8446 §2.2): a server sends a ticket after each handshake, a client
         * keeps it in its {@link #sessionCache} and offers it on its next connection to that server,
         * which then skips the certificates. Default on.
         */
        public Builder sessionTickets(boolean on) {
            this.sessionTickets = on;
            return this;
        }

        /** How long a server's tickets may resume a session; at most 7 days (RFC 8446 §4.6.1). Default 12 hours. */
        public Builder ticketLifetime(Duration lifetime) {
            this.ticketLifetime = lifetime;
            return this;
        }

        /**
         * The keys a server seals tickets with; share one source between servers that should resume
         * each other's sessions. Default: {@link TicketKeys#rotating} every {@code ticketLifetime},
         * in this server's memory.
         */
        public Builder ticketKeys(TicketKeys keys) {
            this.ticketKeys = keys;
            return this;
        }

        /**
         * Where a client keeps tickets. Default: {@link SessionCache#inMemory} for
         * {@value DtlsConfig#DEFAULT_SESSION_CACHE_SERVERS} servers, one per built configuration.
         */
        public Builder sessionCache(SessionCache cache) {
            this.sessionCache = cache;
            return this;
        }

        /**
         * 0-RTT (RFC 8446 §2.3): a server's tickets let a resuming client send up to this many bytes
         * of application data with its ClientHello, which the server application reads with
         * {@link DtlsConnection#takeEarlyData()}. Early data can be replayed by an attacker: the
         * server accepts a ClientHello's early data once (it remembers them for a few seconds, per
         * server process) and only from a fresh ticket, but a fleet sharing {@link TicketKeys} does
         * not share that memory, so only idempotent requests belong in it. A HelloRetryRequest rules
         * early data out, so it needs {@code cookiePolicy} UNDER_LOAD or NEVER. Default 0: off.
         */
        public Builder maxEarlyData(int bytes) {
            this.maxEarlyData = bytes;
            return this;
        }

        /**
         * Validates, reads the certificate files, checks the requested backend, and builds.
         *
         * @throws IllegalArgumentException naming the option and the accepted range or values, or
         *     the file and what to fix
         */
        public DtlsConfig build() {
            require(!groups.isEmpty(), "groups: at least one group is needed");
            require(new LinkedHashSet<>(groups).size() == groups.size(), "groups: " + groups + " lists a group twice");
            require(!cipherSuites.isEmpty(), "cipherSuites: at least one suite is needed");
            require(new LinkedHashSet<>(cipherSuites).size() == cipherSuites.size(),
                    "cipherSuites: " + cipherSuites + " lists a suite twice");
            require(!(insecureTrustAll && (!trustedCertificates.isEmpty() || trustedCertificatesFile != null)),
                    "insecureTrustAll and trustedCertificates contradict each other; choose one");
            require(clientAuth != null && cookiePolicy != null, "clientAuth and cookiePolicy must not be null");
            require(pinnedPublicKeys != null && pinMode != null, "pinnedPublicKeys: the pin list and PinMode must not be null");
            PublicKeyPins.parse("pinnedPublicKeys", pinnedPublicKeys); // names the malformed entry
            require(!(insecureTrustAll && !pinnedPublicKeys.isEmpty()),
                    "insecureTrustAll and pinnedPublicKeys contradict each other; choose one "
                            + "(pinnedPublicKeys with PinMode.INSTEAD_OF_CHAIN accepts self-signed peers safely)");
            require(pinMode != PinMode.INSTEAD_OF_CHAIN || !pinnedPublicKeys.isEmpty(),
                    "pinnedPublicKeys: PinMode.INSTEAD_OF_CHAIN needs at least one pin, else no peer could be accepted");
            require(pinMode != PinMode.INSTEAD_OF_CHAIN || (trustedCertificates.isEmpty() && trustedCertificatesFile == null),
                    "pinnedPublicKeys with PinMode.INSTEAD_OF_CHAIN and trustedCertificates contradict each other: "
                            + "the chain is not validated, so trust anchors would be ignored; use PinMode.WITH_CHAIN to "
                            + "require both");
            range("cookieThreshold", cookieThreshold, 0, 1_000_000);
            range("cookieLifetime", cookieLifetime, Duration.ofSeconds(1), Duration.ofHours(1));
            range("mtu", mtu, 256, 65_507);
            range("initialRetransmitTimeout", initialRetransmitTimeout, Duration.ofMillis(10), Duration.ofSeconds(60));
            range("handshakeTimeout", handshakeTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
            range("connectionIdLength", connectionIdLength, 0, 20);
            require(keyUpdateAfterRecords >= 1 && keyUpdateAfterRecords <= 1L << 23,
                    "keyUpdateAfterRecords must be in [1, 2^23] (AEAD limits, RFC 9147 §4.5.3), was " + keyUpdateAfterRecords);
            range("keyUpdateAfterTime", keyUpdateAfterTime, Duration.ofSeconds(1), Duration.ofDays(365));
            range("receiveQueueCapacity", receiveQueueCapacity, 1, 1_000_000);
            range("maxConnections", maxConnections, 1, 10_000_000);
            range("maxConnectionsPerSource", maxConnectionsPerSource, 1, 10_000_000);
            range("maxHandshakes", maxHandshakes, 1, 10_000_000);
            range("handshakesPerSecondPerSource", handshakesPerSecondPerSource, 0, 1_000_000);
            range("handshakeBurstPerSource", handshakeBurstPerSource, 1, 1_000_000);
            range("eventLoops", eventLoops, 1, 256);
            range("idleTimeout", idleTimeout, Duration.ofSeconds(1), Duration.ofDays(365));
            require(socketReceiveBufferSize == 0 || (socketReceiveBufferSize >= 4096 && socketReceiveBufferSize <= 1 << 30),
                    "socketReceiveBufferSize must be 0 or in [4096, 2^30], was " + socketReceiveBufferSize);
            require(socketSendBufferSize == 0 || (socketSendBufferSize >= 4096 && socketSendBufferSize <= 1 << 30),
                    "socketSendBufferSize must be 0 or in [4096, 2^30], was " + socketSendBufferSize);
            require(!pskModes.isEmpty() && pskModes.stream().noneMatch(java.util.Objects::isNull) && new LinkedHashSet<>(pskModes).size() == pskModes.size(),
                    "pskModes: give PSK_DHE_KE, PSK_KE or both, each once; was " + pskModes);
            require(preSharedKeys.stream().noneMatch(java.util.Objects::isNull), "preSharedKeys: a key is null");
            for (int i = 0; i < preSharedKeys.size(); i++) {
                for (int j = 0; j < i; j++) {
                    require(!Arrays.equals(preSharedKeys.get(i).identity(), preSharedKeys.get(j).identity()),
                            "preSharedKeys: identity '" + preSharedKeys.get(i).displayIdentity() + "' is listed twice");
                }
            }
            for (PreSharedKey k : preSharedKeys) {
                require(cipherSuites.stream().anyMatch(s -> s.hash() == k.hash()), "preSharedKeys: the key for '"
                        + k.displayIdentity() + "' is for " + k.hash().jcaName() + " but no suite in cipherSuites "
                        + cipherSuites + " uses that hash");
            }
            range("maxEarlyData", maxEarlyData, 0, 1 << 20);
            range("ticketLifetime", ticketLifetime, Duration.ofSeconds(1), Duration.ofDays(7));
            if (backend != null) {
                BackendSelector.requestProblem(backend).ifPresent(problem -> require(false, "backend: " + problem));
            }
            List<X509Certificate> chain = certificateChain;
            PrivateKey key = privateKey;
            if (certificateChainFile != null || privateKeyFile != null) {
                chain = CredentialFiles.certificates("certificate", CredentialFiles.Kind.CHAIN, certificateChainFile);
                key = CredentialFiles.privateKey("certificate", privateKeyFile);
            }
            require(chain.isEmpty() == (key == null), "certificate: give both the chain and its private key");
            require(chain.isEmpty() || rawPublicKey == null,
                    "certificate and rawPublicKey contradict each other: present one identity, a certificate chain or a raw key");
            if (rawPublicKey != null) {
                try {
                    LocalCredentials.rawPublicKey(rawPublicKey);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("rawPublicKey: " + e.getMessage(), e);
                }
            }
            if (!chain.isEmpty()) {
                CredentialFiles.checkPair("certificate", chain, key, certificateChainFile, privateKeyFile);
            }
            List<X509Certificate> trusted = trustedCertificatesFile == null ? trustedCertificates
                    : CredentialFiles.certificates("trustedCertificates", CredentialFiles.Kind.TRUST_ANCHORS,
                            trustedCertificatesFile);
            return new DtlsConfig(this, chain, key, trusted);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }

        private static void range(String name, long value, long min, long max) {
            require(value >= min && value <= max, name + " must be in [" + min + ", " + max + "], was " + value);
        }

        private static void range(String name, Duration value, Duration min, Duration max) {
            require(value != null && value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
                    name + " must be in [" + Display.duration(min) + ", " + Display.duration(max) + "], was "
                            + (value == null ? null : Display.duration(value)));
        }
    }
}
