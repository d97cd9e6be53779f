package dev.pqdtls.cli;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.text.Display;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pqdtls client}: one handshake, then {@code --count} round trips of {@code --message}, each
 * waiting for the server's echo. A reply that does not come within {@code --timeout} is a failure:
 * UDP gives no other sign of a dead peer. The handshake line waits for the first echo (see
 * {@link #firstRoundTrip}).
 */
@Command(name = "client",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Connects to a DTLS 1.3 server and sends --message --count times; the server must echo "
                + "(e.g. 'pqdtls server --echo'). Prints 'handshake: version=DTLSv1.3 suite=... group=... "
                + "backend=... peer=...' once the first echo shows that the server accepted the handshake (a "
                + "DTLS 1.3 client finishes before the server has checked it, e.g. its certificate; a server "
                + "that rejects it sends an alert instead), then 'echo: TEXT' per reply. Exit 0 when every echo "
                + "came back. The server certificate is checked against --ca, else the JDK's default trust "
                + "store, and must name --server-name (default: HOST as written); with --pin its key must also be "
                + "pinned, with --pin-only only that. With --psk (and no --ca or --pin) the server must take the "
                + "pre-shared key instead. --reconnect N connects N more times with the same configuration: the "
                + "server's session ticket makes those resumptions (their handshake lines end ' resumed=yes').")
final class ClientCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST:PORT",
            description = "The server, e.g. 127.0.0.1:4433, localhost:4433 or [::1]:4433.")
    private String target;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "PEM file of CA certificates to trust (default: the JDK's trust store).")
    private Path ca;

    @Option(names = "--insecure",
            description = "Accept any server certificate WITHOUT verification (tests and demos only).")
    private boolean insecure;

    @Option(names = "--server-name", paramLabel = "NAME",
            description = "Name sent as SNI and checked against the certificate (default: HOST).")
    private String serverName;

    @Mixin
    private PinOptions pins;

    @Mixin
    private PskOptions psks;

    @Mixin
    private ProtocolOptions protocol;

    @Option(names = "--message", paramLabel = "TEXT", defaultValue = "hello",
            description = "Datagram to send, as UTF-8 (default ${DEFAULT-VALUE}).")
    private String message;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1",
            description = "How many times to send it, waiting for each echo (default ${DEFAULT-VALUE}).")
    private int count;

    @Option(names = "--reconnect", paramLabel = "N", defaultValue = "0",
            description = "Then close and connect N more times, one after the other, each with its own handshake line "
                    + "and --count echoes; they offer the ticket the server sent (session resumption). Default "
                    + "${DEFAULT-VALUE}.")
    private int reconnect;

    @Option(names = "--resume",
            description = "Connect a second time with the same configuration: the server's session ticket makes that a "
                    + "resumption (its handshake line ends 'resumed=yes'). Short for --reconnect 1.")
    private boolean resume;

    @Option(names = "--early-data", paramLabel = "TEXT",
            description = "Send TEXT first on each connection: as 0-RTT data with the ClientHello when a ticket from "
                    + "the server allows it ('server --early-data'), else right after the handshake; prints 'early "
                    + "data: accepted (0-RTT)' or 'early data: sent after the handshake', and expects its echo before "
                    + "the --message echoes. 0-RTT data can be replayed by an attacker.")
    private String earlyData;

    @Option(names = "--raw-public-key",
            description = "If the server asks for a certificate, present the key of --cert as a raw public key (RFC 7250) "
                    + "instead; the server must pin it.")
    private boolean rawPublicKey;

    @Option(names = "--key-update",
            description = "After the handshake, update keys (KeyUpdate asking the server to update too).")
    private boolean keyUpdate;

    @Option(names = "--cert", paramLabel = "FILE",
            description = "PEM certificate chain to present if the server asks (needs --key).")
    private Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "PKCS#8 PEM private key of the --cert leaf.")
    private Path key;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Give up on the handshake, and on each echo, after this long (default ${DEFAULT-VALUE}).")
    private double timeoutSeconds;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        HostPort hp = checkOptions();
        Duration timeout = Duration.ofMillis(Math.round(timeoutSeconds * 1000));
        DtlsConfig config = config(hp, timeout);
        offered = config;
        if (insecure) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("pqdtls: WARNING: --insecure: the server's certificate is NOT verified; anyone on the path "
                    + "can impersonate the server and read the traffic (use --ca FILE for real connections)");
            err.flush();
        }
        InetSocketAddress server;
        try {
            server = new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
        } catch (UnknownHostException e) {
            throw new IOException("cannot resolve " + hp.host() + ": " + e.getMessage(), e);
        }
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        // One configuration, so one session cache: each connection offers the ticket of the one before.
        for (int i = 0; i <= reconnect + (resume ? 1 : 0); i++) {
            exchange(out, server, hp, config, payload, timeout);
        }
        return 0;
    }

    /** One connection: handshake, {@code --count} echoes, the KeyUpdate if asked, close. */
    private void exchange(PrintWriter out, InetSocketAddress server, HostPort hp, DtlsConfig config, byte[] payload,
            Duration timeout) throws IOException {
        try (DtlsConnection conn = connect(server, hp, config)) {
            byte[] early = earlyEcho(conn, hp, timeout);
            if (payload.length > conn.maxDatagramSize()) {
                throw new ParameterException(spec.commandLine(), "--message is " + payload.length
                        + " bytes; at most " + conn.maxDatagramSize() + " fit one datagram at this MTU (--mtu)");
            }
            String keyUpdateNote = keyUpdate ? startKeyUpdate(conn, hp) : null;
            byte[] reply = firstRoundTrip(conn, hp, payload, timeout);
            // Only now is the handshake known to be complete on both sides (see firstRoundTrip).
            ServerCommand.say(out, conn.session().summary());
            if (early != null) {
                ServerCommand.say(out, "early data: " + (conn.earlyDataAccepted() ? "accepted (0-RTT)"
                        : "sent after the handshake (no ticket allowing 0-RTT, or the server refused it)"));
                ServerCommand.say(out, "echo: " + ServerCommand.printable(early));
            }
            if (keyUpdateNote != null) {
                ServerCommand.say(out, keyUpdateNote);
            }
            ServerCommand.say(out, "echo: " + ServerCommand.printable(reply));
            for (int i = 2; i <= count; i++) {
                conn.send(payload);
                Optional<byte[]> next = conn.receive(timeout);
                if (next.isEmpty()) {
                    throw new IOException("no reply from " + hp + " within " + Display.duration(timeout)
                            + " to message " + i + " of " + count + " (UDP may have lost it)");
                }
                ServerCommand.say(out, "echo: " + ServerCommand.printable(next.get()));
            }
            if (keyUpdate) {
                long done = conn.stats().keyUpdates();
                ServerCommand.say(out, "key update: " + (done > 0
                        ? "acknowledged by the server (" + done + " key update(s) of this side's sending keys)"
                        : "still waiting for the server's acknowledgement"));
            }
        }
    }

    /** The echo of --early-data, which the server sends back before anything else; null without it. */
    private byte[] earlyEcho(DtlsConnection conn, HostPort hp, Duration timeout) throws IOException {
        if (earlyData == null) {
            return null;
        }
        Optional<byte[]> reply;
        try {
            reply = conn.receive(timeout);
        } catch (DtlsException e) {
            throw handshakeFailed(e, hp);
        }
        if (reply.isEmpty()) {
            throw new IOException("no echo of --early-data from " + hp + " within " + Display.duration(timeout)
                    + " (is the server running with --echo? UDP may also have lost it)");
        }
        return reply.get();
    }

    /** Every option checked before any work (reading files, resolving, sockets); returns the target. */
    private HostPort checkOptions() {
        CommandLine cl = spec.commandLine();
        HostPort hp;
        try {
            hp = HostPort.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
        if (reconnect < 0 || reconnect > 1000) {
            throw new ParameterException(cl, "--reconnect must be 0..1000, was " + reconnect);
        }
        if (resume && reconnect > 0) {
            throw new ParameterException(cl, "--resume is --reconnect 1: give one of them");
        }
        if (rawPublicKey && cert == null) {
            throw new ParameterException(cl, "--raw-public-key presents the key of --cert: it needs --cert and --key");
        }
        if (count < 1) {
            throw new ParameterException(cl, "--count must be at least 1, was " + count);
        }
        if (!(timeoutSeconds >= 0.1 && timeoutSeconds <= 600)) {
            throw new ParameterException(cl, "--timeout must be 0.1..600 seconds, was " + timeoutSeconds);
        }
        if (ca != null && insecure) {
            throw new ParameterException(cl, "--ca and --insecure contradict each other; choose one");
        }
        if (pins.any() && insecure) {
            throw new ParameterException(cl, "--pin and --insecure contradict each other; --pin PIN --pin-only "
                    + "accepts a self-signed server safely");
        }
        pins.check(cl, ca != null);
        if (psks.any() && insecure) {
            throw new ParameterException(cl, "--psk and --insecure contradict each other: with --insecure a server "
                    + "that does not take the key would be accepted unverified; --psk alone requires the key");
        }
        if ((cert == null) != (key == null)) {
            throw new ParameterException(cl, "--cert and --key go together");
        }
        protocol.check(cl);
        return hp;
    }

    private DtlsConnection connect(InetSocketAddress server, HostPort hp, DtlsConfig config) throws IOException {
        long start = System.nanoTime();
        try {
            return earlyData == null ? DtlsClient.connect(server, config)
                    : DtlsClient.connect(server, config, java.util.List.of(earlyData.getBytes(StandardCharsets.UTF_8)));
        } catch (DtlsException e) {
            boolean timedOut = !e.fromPeer() && e.alert() == DtlsAlert.HANDSHAKE_FAILURE
                    && System.nanoTime() - start >= config.handshakeTimeout().toNanos();
            throw timedOut ? new DtlsException(e.alert(), false, "handshake with " + hp + " failed: no answer within "
                    + Display.duration(config.handshakeTimeout()) + " (is a DTLS 1.3 server listening there? "
                    + "--timeout waits longer)", e) : handshakeFailed(e, hp);
        }
    }

    /**
     * Sends the first message and waits for its echo. In DTLS 1.3, as in TLS 1.3, the client's handshake
     * is complete once it has sent its Finished, before the server has checked that flight (its client
     * certificate above all): {@code DtlsClient.connect} returns then. A server that rejects it answers
     * with an alert, which arrives here. The echo is the first sign the client can see, with any server,
     * that the server accepted the handshake, so the handshake line is printed only after it.
     */
    private byte[] firstRoundTrip(DtlsConnection conn, HostPort hp, byte[] payload, Duration timeout)
            throws IOException {
        Optional<byte[]> reply;
        try {
            conn.send(payload);
            reply = conn.receive(timeout);
        } catch (DtlsException e) {
            throw handshakeFailed(e, hp);
        }
        if (reply.isEmpty()) {
            throw new IOException("no reply from " + hp + " within " + Display.duration(timeout) + ": the handshake "
                    + "completed on this side, but the server has not confirmed it (is it running with --echo? "
                    + "UDP may also have lost the message)");
        }
        return reply.get();
    }

    private String startKeyUpdate(DtlsConnection conn, HostPort hp) throws IOException {
        boolean started;
        try {
            started = conn.keyUpdate(true);
        } catch (DtlsException e) {
            throw handshakeFailed(e, hp);
        }
        return "key update: " + (started
                ? "sent KeyUpdate (update_requested): new sending keys once the server acknowledges it, "
                        + "and the server updates its own"
                : "not started (one is already in progress)");
    }

    /** The handshake's failure, saying what to do where the alert tells: e.g. --cert/--key for certificate_required. */
    private DtlsException handshakeFailed(DtlsException e, HostPort hp) {
        String why;
        if (e.fromPeer()) {
            DtlsAlert a = e.alert();
            why = a == DtlsAlert.CLOSE_NOTIFY ? "the server closed the connection"
                    : "the server sent alert " + a.name().toLowerCase(Locale.ROOT) + " (" + a.code() + ")" + hint(a);
        } else {
            why = e.getMessage();
        }
        return new DtlsException(e.alert(), e.fromPeer(), "handshake with " + hp + " failed: " + why, e);
    }

    private String hint(DtlsAlert alert) {
        boolean aboutOurCertificate = alert == DtlsAlert.CERTIFICATE_REQUIRED || alert == DtlsAlert.BAD_CERTIFICATE
                || alert == DtlsAlert.UNKNOWN_CA || alert == DtlsAlert.CERTIFICATE_UNKNOWN
                || alert == DtlsAlert.CERTIFICATE_EXPIRED || alert == DtlsAlert.UNSUPPORTED_CERTIFICATE
                || alert == DtlsAlert.ACCESS_DENIED;
        boolean nothingInCommon = alert == DtlsAlert.HANDSHAKE_FAILURE || alert == DtlsAlert.INSUFFICIENT_SECURITY
                || alert == DtlsAlert.PROTOCOL_VERSION;
        if (nothingInCommon && offered != null) {
            return ": the server accepts none of what we offered (groups "
                    + offered.groups().stream().map(g -> g.displayName()).collect(java.util.stream.Collectors.joining(","))
                    + ", suites " + offered.cipherSuites().stream().map(Enum::name)
                            .collect(java.util.stream.Collectors.joining(","))
                    + "); offer others with --groups/--suites";
        }
        if (alert == DtlsAlert.UNSUPPORTED_CERTIFICATE && !pins.pinOnly()) {
            // RFC 7250: no certificate type both sides take; typically a raw-key server and a client
            // that accepts raw keys only when it pins them.
            return ": no certificate type both sides accept; if the server presents a raw public key "
                    + "(server --raw-public-key), pin it with --pin PIN --pin-only";
        }
        if (!aboutOurCertificate) {
            return "";
        }
        return cert == null
                ? ": the server wants a client certificate; give one with --cert FILE --key FILE"
                : ": the server did not accept the --cert certificate (is it issued by a CA the server trusts, "
                        + "and valid for client authentication?)";
    }

    /** The configuration of the last handshake attempt, to say what was offered when it is refused. */
    private DtlsConfig offered;

    private DtlsConfig config(HostPort hp, Duration timeout) throws IOException {
        DtlsConfig.Builder b = DtlsConfig.builder();
        psks.check(spec.commandLine(), protocol);
        psks.applyTo(b);
        if (ca != null) {
            b.trustedCertificates(ServerCommand.trustAnchors(ca));
        }
        if (insecure) {
            b.insecureTrustAll();
        }
        if (cert != null) {
            LocalCredentials creds = ServerCommand.credentials(cert, key);
            ServerCommand.present(b, creds.chain(), creds.privateKey(), rawPublicKey);
        }
        pins.applyTo(b);
        b.serverName(serverName != null ? serverName : hp.host());
        b.handshakeTimeout(timeout);
        protocol.applyTo(b);
        return ProtocolOptions.build(spec.commandLine(), b);
    }
}
