package dev.pqdtls.cli;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.SelfSignedCertificate;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.Pem;
import dev.pqdtls.internal.text.Display;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pqdtls server}: a DTLS 1.3 server on one UDP port. Each client that completes its handshake
 * gets a line ({@code handshake: ...}) and its own thread; with {@code --echo} every datagram goes
 * back to its sender. Runs until killed; Ctrl-C closes every connection with close_notify.
 */
@Command(name = "server",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Runs a DTLS 1.3 server on a UDP port until killed (Ctrl-C closes every connection "
                + "cleanly). Prints 'listening on ADDRESS:PORT (backend B)' once bound, and for each client "
                + "that completes its handshake 'handshake: version=DTLSv1.3 suite=... group=... backend=... "
                + "peer=... resumed=no' (resumed=yes for a session resumed with a ticket; ' auth=psk' at the end for a "
                + "--psk one). Without --cert it makes an ephemeral self-signed ECDSA P-256 certificate for localhost, "
                + "127.0.0.1 and ::1 (clients then need --insecure), also with --psk; with --psk-only it presents "
                + "no certificate and serves only clients holding one of its --psk keys.")
final class ServerCommand implements Callable<Integer> {
    /** How often the accept and receive loops look at the stop flag. */
    private static final Duration POLL = Duration.ofMillis(250);
    /** How long Ctrl-C waits for handshakes and KeyUpdates in flight before close_notify. */
    private static final Duration DRAIN = Duration.ofSeconds(2);

    @Spec
    private CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Local address to bind (default ${DEFAULT-VALUE}; 0.0.0.0 or :: for all).")
    private String bind;

    @Option(names = "--port", paramLabel = "P", required = true,
            description = "UDP port (0 picks a free one; the 'listening on' line says which).")
    private int port;

    @Option(names = "--cert", paramLabel = "FILE",
            description = "PEM certificate chain to present, leaf first (needs --key).")
    private Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "PKCS#8 PEM private key of the --cert leaf.")
    private Path key;

    @Option(names = "--echo", description = "Send every received datagram back to its sender.")
    private boolean echo;

    @Mixin
    private ProtocolOptions protocol;

    @Option(names = "--client-auth", paramLabel = "MODE", converter = ClientAuthName.class,
            description = "Ask clients for a certificate: none (default), requested, required (needs --ca, or "
                    + "--pin-only).")
    private DtlsConfig.ClientAuth clientAuth;

    /** With --client-auth: the client keys accepted. */
    @Mixin
    private PinOptions pins;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "PEM file of CA certificates that client certificates must chain to.")
    private Path ca;

    @Mixin
    private PskOptions psks;

    @Option(names = "--psk-only",
            description = "Serve only clients holding one of the --psk/--psk-file keys: no certificate, not even the "
                    + "ephemeral one (clients without a key get handshake_failure).")
    private boolean pskOnly;

    @Option(names = "--early-data",
            description = "Accept 0-RTT data (up to 16384 bytes) from clients resuming with this server's tickets, and "
                    + "print it as 'early data from PEER (0-RTT, replayable): TEXT' (with --echo, send it back). 0-RTT "
                    + "needs no cookie round trip: --cookie defaults to under-load with it.")
    private boolean earlyData;

    @Option(names = "--raw-public-key",
            description = "Present the key of --cert (or of the ephemeral certificate) as a raw public key (RFC 7250) "
                    + "instead of the certificate: clients must pin it (client --pin PIN --pin-only).")
    private boolean rawPublicKey;

    @Option(names = "--cookie", paramLabel = "WHEN", converter = CookieName.class,
            description = "When new clients must first prove their address with a stateless cookie: "
                    + "always (default), never, under-load.")
    private DtlsConfig.CookiePolicy cookie;

    @Option(names = "--metrics", paramLabel = "SECONDS",
            description = "Print a 'metrics:' line (connections, handshakes, cookies, records, bytes, rejections) "
                    + "every SECONDS seconds, and once more at the end.")
    private Integer metricsSeconds;

    @Option(names = "--audit-log", paramLabel = "FILE",
            description = "Append the security audit log (JSON lines: failed handshakes, rejected cookies and "
                    + "certificates, rate limits, idle timeouts, AEAD limits) to FILE instead of standard error.")
    private Path auditLog;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Connections held at once, handshakes included (default 10000).")
    private Integer maxConnections;

    @Option(names = "--max-connections-per-source", paramLabel = "N",
            description = "Connections held at once for one client IP address (default 1000).")
    private Integer maxConnectionsPerSource;

    @Option(names = "--max-handshakes", paramLabel = "N",
            description = "Handshakes in progress at once (default 1000).")
    private Integer maxHandshakes;

    @Option(names = "--handshake-rate", paramLabel = "PER_SECOND",
            description = "New handshakes admitted per second from one client IP address, 0 for no limit "
                    + "(default 50); beyond it clients get no answer and retry.")
    private Integer handshakeRate;

    @Option(names = "--handshake-burst", paramLabel = "N",
            description = "Handshakes one client IP address may start at once before --handshake-rate applies "
                    + "(default 100).")
    private Integer handshakeBurst;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile DtlsServer server;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress address = checkOptions();
        DtlsConfig config = config(out);
        Thread hook = new Thread(this::stop, "pqdtls-server-shutdown");
        AuditLogFile audit = auditLog == null ? null : AuditLogFile.open(auditLog);
        ScheduledExecutorService metrics = null;
        try (DtlsServer s = DtlsServer.bind(address, config)) {
            server = s;
            Runtime.getRuntime().addShutdownHook(hook);
            InetSocketAddress local = s.localAddress();
            say(out, "listening on " + Display.address(local) + " (backend " + s.backend() + ")"
                    + (echo ? ", echoing datagrams" : "") + pskNote()
                    + (audit != null ? ", audit log to " + auditLog : ""));
            if (metricsSeconds != null) {
                metrics = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "pqdtls-metrics");
                    t.setDaemon(true);
                    return t;
                });
                metrics.scheduleAtFixedRate(() -> say(out, "metrics: " + s.metrics().summary()), metricsSeconds,
                        metricsSeconds, TimeUnit.SECONDS);
            }
            while (!stopping) {
                Optional<DtlsConnection> c;
                try {
                    c = s.accept(POLL);
                } catch (DtlsException e) {
                    if (stopping) {
                        break; // closed by stop()
                    }
                    throw e;
                }
                c.ifPresent(conn -> ConnectionThreads.start("pqdtls-client-" + Display.address(conn.session().peer()), () -> serve(conn, out)));
            }
            s.close(DRAIN);
            if (metrics != null) {
                say(out, "metrics: " + s.metrics().summary());
            }
            say(out, "server stopped");
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            say(out, "server stopped (interrupted)");
        } finally {
            server = null;
            if (metrics != null) {
                metrics.shutdownNow();
            }
            if (audit != null) {
                audit.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // the JVM is shutting down (the hook is what stopped us), or the hook was never added
            }
            // Last: the shutdown hook waits for this, and the JVM halts once the hook returns.
            stopped.countDown();
        }
        return 0;
    }

    /**
     * Stops the accept loop, which shuts the server down gracefully (up to {@link #DRAIN} for flights in
     * progress, then close_notify on every connection); waits for it.
     */
    void stop() {
        stopping = true;
        try {
            stopped.await(DRAIN.toSeconds() + 3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(DtlsConnection conn, PrintWriter out) {
        String peer = Display.address(conn.session().peer());
        say(out, conn.session().summary());
        try {
            for (byte[] early : conn.takeEarlyData()) {
                say(out, "early data from " + peer + " (0-RTT, replayable): " + printable(early));
                if (echo) {
                    conn.send(early);
                }
            }
            while (!stopping) {
                Optional<byte[]> d = conn.receive(POLL);
                if (d.isEmpty()) {
                    continue;
                }
                if (echo) {
                    conn.send(d.get());
                } else {
                    say(out, "received from " + peer + ": " + printable(d.get()));
                }
            }
        } catch (DtlsException e) {
            if (!stopping) {
                say(out, "closed: " + peer + (e.fromPeer() && e.alert() == DtlsAlert.CLOSE_NOTIFY
                        ? " (close_notify from the client)" : " (" + e.getMessage() + ")"));
            }
        } catch (IOException | RuntimeException e) {
            say(out, "connection " + peer + " failed: " + e);
        } finally {
            conn.close();
        }
    }

    /**
     * Every option checked before any work (reading files, making a key, binding), so that a typo
     * costs nothing; returns the address to bind.
     */
    private InetSocketAddress checkOptions() {
        CommandLine cl = spec.commandLine();
        if (port < 0 || port > 65_535) {
            throw new ParameterException(cl, "--port must be 0..65535 (0 picks a free port), was " + port);
        }
        if ((cert == null) != (key == null)) {
            throw new ParameterException(cl, "--cert and --key go together");
        }
        boolean askClients = clientAuth != null && clientAuth != DtlsConfig.ClientAuth.NONE;
        if (askClients && ca == null && !pins.pinOnly()) {
            throw new ParameterException(cl, "--client-auth " + ProtocolOptions.Hyphenated.lower(clientAuth)
                    + " needs --ca FILE to verify client certificates (or --pin PIN --pin-only to accept pinned keys)");
        }
        if (pins.any() && !askClients) {
            throw new ParameterException(cl, "--pin on a server pins client keys: it needs --client-auth requested "
                    + "or required");
        }
        pins.check(cl, ca != null);
        if (pskOnly && !psks.any()) {
            throw new ParameterException(cl, "--psk-only needs --psk IDENTITY:HEXKEY or --psk-file FILE (the keys "
                    + "clients must hold)");
        }
        if (pskOnly && cert != null) {
            throw new ParameterException(cl, "--psk-only and --cert contradict each other: with --psk-only the server "
                    + "presents no certificate; drop --psk-only to serve both");
        }
        if (rawPublicKey && pskOnly) {
            throw new ParameterException(cl, "--raw-public-key and --psk-only contradict each other: with --psk-only the "
                    + "server presents no key");
        }
        if (pskOnly && askClients) {
            throw new ParameterException(cl, "--client-auth and --psk-only contradict each other: a PSK handshake "
                    + "authenticates the client by its key, without certificates");
        }
        protocol.check(cl);
        try {
            return new InetSocketAddress(InetAddress.getByName(bind), port);
        } catch (UnknownHostException e) {
            throw new ParameterException(cl, "--bind " + bind + ": not an address of this machine: " + e.getMessage());
        }
    }

    /** The configuration, once the options are known to be good: reads the files or makes the ephemeral key. */
    private DtlsConfig config(PrintWriter out) throws IOException {
        DtlsConfig.Builder b = DtlsConfig.builder();
        psks.check(spec.commandLine(), protocol); // reads --psk-file: a bad one should cost no key generation either
        psks.applyTo(b);
        if (ca != null) {
            b.trustedCertificates(trustAnchors(ca)); // first: a missing file should cost no key generation
        }
        if (cert != null) {
            LocalCredentials creds = credentials(cert, key);
            present(b, creds.chain(), creds.privateKey(), rawPublicKey);
        } else if (!pskOnly) {
            SelfSignedCertificate eph = SelfSignedCertificate.create();
            present(b, eph.chain(), eph.privateKey(), rawPublicKey);
            say(out, "no --cert given: using an ephemeral self-signed ECDSA P-256 certificate for localhost, "
                    + "127.0.0.1, ::1 (SHA-256 " + eph.fingerprint() + "); clients need --insecure, or --pin "
                    + DtlsConfig.publicKeyPin(eph.certificate().getPublicKey()) + " --pin-only");
        }
        if (clientAuth != null) {
            b.clientAuth(clientAuth);
        }
        pins.applyTo(b);
        if (cookie != null) {
            b.cookiePolicy(cookie);
        } else if (earlyData) {
            b.cookiePolicy(DtlsConfig.CookiePolicy.UNDER_LOAD); // a HelloRetryRequest rules 0-RTT out
        }
        if (earlyData) {
            b.maxEarlyData(EARLY_DATA_BYTES);
        }
        if (metricsSeconds != null && metricsSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--metrics must be at least 1 second, was " + metricsSeconds);
        }
        if (maxConnections != null) {
            b.maxConnections(maxConnections);
        }
        if (maxConnectionsPerSource != null) {
            b.maxConnectionsPerSource(maxConnectionsPerSource);
        }
        if (maxHandshakes != null) {
            b.maxHandshakes(maxHandshakes);
        }
        if (handshakeRate != null) {
            b.handshakesPerSecondPerSource(handshakeRate);
        }
        if (handshakeBurst != null) {
            b.handshakeBurstPerSource(handshakeBurst);
        }
        protocol.applyTo(b);
        return ProtocolOptions.build(spec.commandLine(), b);
    }

    /** Bytes of 0-RTT data a client may send with --early-data. */
    static final int EARLY_DATA_BYTES = 16_384;

    /** The certificate, or with --raw-public-key its key alone (RFC 7250); the client's --cert too. */
    static void present(DtlsConfig.Builder b, List<X509Certificate> chain, PrivateKey privateKey, boolean rawPublicKey) {
        if (rawPublicKey) {
            b.rawPublicKey(new KeyPair(chain.get(0).getPublicKey(), privateKey));
        } else {
            b.certificate(chain, privateKey);
        }
    }

    /** What the 'listening on' line says of pre-shared keys: how many, never which. */
    private String pskNote() {
        int n = psks.all().size();
        return n == 0 ? "" : ", " + n + " pre-shared key(s)" + (pskOnly ? " and no certificate" : "");
    }

    /** A PEM certificate chain and its key; file problems are usage errors with the library's reason. */
    static LocalCredentials credentials(Path cert, Path key) throws IOException {
        try {
            return LocalCredentials.fromPem(cert, key);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot read " + e.getFile() + ": no such file", e);
        }
    }

    static List<java.security.cert.X509Certificate> trustAnchors(Path ca) throws IOException {
        try {
            return Pem.certificates(ca);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot read --ca " + e.getFile() + ": no such file", e);
        }
    }

    /** The datagram as text if it is UTF-8 without control characters, else its length. */
    static String printable(byte[] d) {
        String s = new String(d, StandardCharsets.UTF_8);
        boolean text = s.codePoints().noneMatch(c -> c == 0xFFFD || (Character.isISOControl(c) && c != '\t'));
        return text ? s : "<" + d.length + " bytes of binary data>";
    }

    /** One whole line at a time, even with many connection threads printing. */
    static void say(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    static final class ClientAuthName extends ProtocolOptions.Hyphenated<DtlsConfig.ClientAuth> {
        ClientAuthName() {
            super(DtlsConfig.ClientAuth.class);
        }
    }

    static final class CookieName extends ProtocolOptions.Hyphenated<DtlsConfig.CookiePolicy> {
        CookieName() {
            super(DtlsConfig.CookiePolicy.class);
        }
    }

    /**
     * Sends the library's audit log (SLF4J logger {@code dev.pqdtls.audit}; the CLI's SLF4J backend is
     * java.util.logging through slf4j-jdk14) to a file as bare JSON lines, and not to the console.
     */
    static final class AuditLogFile implements AutoCloseable {
        private final java.util.logging.Logger logger = java.util.logging.Logger.getLogger(DtlsServer.AUDIT_LOGGER);
        private final java.util.logging.FileHandler handler;

        private AuditLogFile(java.util.logging.FileHandler handler) {
            this.handler = handler;
            handler.setFormatter(new java.util.logging.Formatter() {
                @Override
                public String format(java.util.logging.LogRecord r) {
                    return r.getMessage() + System.lineSeparator();
                }
            });
            logger.setUseParentHandlers(false);
            logger.setLevel(java.util.logging.Level.INFO);
            logger.addHandler(handler);
        }

        static AuditLogFile open(Path file) throws IOException {
            try {
                return new AuditLogFile(new java.util.logging.FileHandler(file.toString(), true));
            } catch (IOException e) {
                throw new IOException("--audit-log " + file + ": cannot write: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(true);
            handler.close();
        }
    }
}
