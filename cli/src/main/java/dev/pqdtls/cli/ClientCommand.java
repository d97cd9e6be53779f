package dev.pqdtls.cli;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.internal.auth.LocalCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
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
 * UDP gives no other sign of a dead peer.
 */
@Command(name = "client",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Connects to a DTLS 1.3 server, prints 'handshake: version=DTLSv1.3 suite=... group=... "
                + "backend=... peer=...', sends --message --count times and prints 'echo: TEXT' for each "
                + "reply (the server must echo, e.g. 'pqdtls server --echo'). Exit 0 when every echo came "
                + "back. The server certificate is checked against --ca, else the JDK's default trust store, "
                + "and must name --server-name (default: HOST as written).")
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
    private ProtocolOptions protocol;

    @Option(names = "--message", paramLabel = "TEXT", defaultValue = "hello",
            description = "Datagram to send, as UTF-8 (default ${DEFAULT-VALUE}).")
    private String message;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1",
            description = "How many times to send it, waiting for each echo (default ${DEFAULT-VALUE}).")
    private int count;

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
        HostPort hp;
        try {
            hp = HostPort.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (count < 1) {
            throw new ParameterException(spec.commandLine(), "--count must be at least 1, was " + count);
        }
        if (!(timeoutSeconds >= 0.1 && timeoutSeconds <= 600)) {
            throw new ParameterException(spec.commandLine(), "--timeout must be 0.1..600 seconds, was " + timeoutSeconds);
        }
        Duration timeout = Duration.ofMillis(Math.round(timeoutSeconds * 1000));
        DtlsConfig config = config(hp, timeout);
        if (insecure) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("WARNING: --insecure: the server's certificate is NOT verified. Anyone on the path can");
            err.println("WARNING: impersonate the server and read the traffic. Use --ca FILE for real connections.");
            err.flush();
        }
        InetSocketAddress server;
        try {
            server = new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
        } catch (UnknownHostException e) {
            throw new IOException("cannot resolve " + hp.host() + ": " + e.getMessage(), e);
        }
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        try (DtlsConnection conn = connect(server, hp, config)) {
            ServerCommand.say(out, conn.session().summary());
            if (payload.length > conn.maxDatagramSize()) {
                throw new ParameterException(spec.commandLine(), "--message is " + payload.length
                        + " bytes; at most " + conn.maxDatagramSize() + " fit one datagram at this MTU (--mtu)");
            }
            if (keyUpdate) {
                boolean started = conn.keyUpdate(true);
                ServerCommand.say(out, "key update: " + (started
                        ? "sent KeyUpdate (update_requested): new sending keys once the server acknowledges it, "
                                + "and the server updates its own"
                        : "not started (one is already in progress)"));
            }
            for (int i = 1; i <= count; i++) {
                conn.send(payload);
                Optional<byte[]> reply = conn.receive(timeout);
                if (reply.isEmpty()) {
                    throw new IOException("no reply from " + hp + " within " + seconds(timeout) + " to message " + i
                            + " of " + count + " (is the server running with --echo? UDP may also have lost it)");
                }
                ServerCommand.say(out, "echo: " + ServerCommand.printable(reply.get()));
            }
            if (keyUpdate) {
                long done = conn.stats().keyUpdates();
                ServerCommand.say(out, "key update: " + (done > 0
                        ? "acknowledged by the server (" + done + " key update(s) of this side's sending keys)"
                        : "still waiting for the server's acknowledgement"));
            }
        }
        return 0;
    }

    private DtlsConnection connect(InetSocketAddress server, HostPort hp, DtlsConfig config) throws IOException {
        try {
            return DtlsClient.connect(server, config);
        } catch (DtlsException e) {
            String why = e.getMessage();
            if (e.alert() == DtlsAlert.HANDSHAKE_FAILURE && why != null && why.contains("timed out")) {
                why = "no answer within " + seconds(config.handshakeTimeout())
                        + " (is a DTLS 1.3 server listening there? --timeout waits longer)";
            }
            throw new DtlsException(e.alert(), e.fromPeer(), "handshake with " + hp + " failed: " + why, e);
        }
    }

    private DtlsConfig config(HostPort hp, Duration timeout) throws IOException {
        DtlsConfig.Builder b = DtlsConfig.builder();
        if (ca != null && insecure) {
            throw new ParameterException(spec.commandLine(), "--ca and --insecure contradict each other; choose one");
        }
        if ((cert == null) != (key == null)) {
            throw new ParameterException(spec.commandLine(), "--cert and --key go together");
        }
        if (ca != null) {
            b.trustedCertificates(ServerCommand.trustAnchors(ca));
        }
        if (insecure) {
            b.insecureTrustAll();
        }
        if (cert != null) {
            LocalCredentials creds = ServerCommand.credentials(cert, key);
            b.certificate(creds.chain(), creds.privateKey());
        }
        b.serverName(serverName != null ? serverName : hp.host());
        b.handshakeTimeout(timeout);
        protocol.applyTo(spec.commandLine(), b);
        return ProtocolOptions.build(spec.commandLine(), b);
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format("%.1f s", ms / 1000.0);
    }
}
