package dev.pqdtls.cli;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SelfSignedCertificate;
import dev.pqdtls.internal.backend.BackendSelector;
import dev.pqdtls.internal.text.Display;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pqdtls demo}: a server and a client in this process on 127.0.0.1 shake hands (hybrid
 * post-quantum by default), then the client sends {@code --megabytes} of full-size datagrams and the
 * server acknowledges each one. The sender keeps at most {@link #WINDOW} datagrams unacknowledged, so a
 * loaded machine drops little; what UDP does drop is counted and reported, never waited for.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Runs a DTLS 1.3 server and client in this process on 127.0.0.1: a hybrid post-quantum "
                + "handshake (X25519MLKEM768 unless --groups says otherwise), then a bulk transfer of "
                + "full-size datagrams client -> server. Prints both sides' handshake lines, which crypto "
                + "backend ran (and why), the goodput in MB/s and records/s, and how many datagrams arrived. "
                + "Takes a few seconds.")
final class DemoCommand implements Callable<Integer> {
    /** Datagrams the client may have sent but not seen acknowledged. */
    static final int WINDOW = 32;
    /** Without an acknowledgement for this long, the datagrams in flight count as lost. */
    private static final Duration ACK_WAIT = Duration.ofMillis(250);
    /** Whatever happens, the transfer stops sending after this long. */
    private static final Duration TRANSFER_LIMIT = Duration.ofSeconds(30);
    private static final Duration HANDSHAKE_LIMIT = Duration.ofSeconds(20);
    private static final double MB = 1_000_000.0;

    @Spec
    private CommandSpec spec;

    @Option(names = "--megabytes", paramLabel = "N", defaultValue = "16",
            description = "Application data to send, in MB of 10^6 bytes, 1..1000 (default ${DEFAULT-VALUE}).")
    private int megabytes;

    @Mixin
    private ProtocolOptions protocol;

    @Override
    public Integer call() throws IOException {
        if (megabytes < 1 || megabytes > 1000) {
            throw new ParameterException(spec.commandLine(), "--megabytes must be 1..1000, was " + megabytes);
        }
        protocol.check(spec.commandLine());
        String requested = ProtocolOptions.effectiveBackend(protocol.backend);
        PrintWriter out = spec.commandLine().getOut();
        BackendSelector.Selection selection = BackendSelector.select(Optional.ofNullable(requested));

        SelfSignedCertificate cert = SelfSignedCertificate.create();
        DtlsConfig.Builder serverBuilder = DtlsConfig.builder().certificate(cert.chain(), cert.privateKey());
        // The client trusts exactly the server's fresh certificate: a real chain check and name check
        // (the certificate names localhost), no --insecure.
        DtlsConfig.Builder clientBuilder = DtlsConfig.builder().trustedCertificates(cert.chain())
                .serverName("localhost").handshakeTimeout(HANDSHAKE_LIMIT);
        protocol.applyTo(serverBuilder);
        protocol.applyTo(clientBuilder);
        DtlsConfig serverConfig = ProtocolOptions.build(spec.commandLine(), serverBuilder);
        DtlsConfig clientConfig = ProtocolOptions.build(spec.commandLine(), clientBuilder);
        // Both sides prefer the same groups, so the first is the one negotiated.
        NamedGroup group = clientConfig.groups().get(0);

        say(out, "pqdtls demo: a DTLS 1.3 server and client in this process, over UDP on 127.0.0.1");
        say(out, "  key exchange  " + group.displayName() + " (" + describe(group) + ")");
        say(out, "  certificate   ephemeral self-signed ECDSA P-256 for localhost; the client trusts exactly it");
        say(out, "  backend       " + describe(selection, requested));
        say(out, "");

        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig)) {
            say(out, "[server] listening on " + Display.address(server.localAddress()) + " (backend " + server.backend() + ")");
            Receiver receiver = new Receiver(server);
            Thread serverThread = ConnectionThreads.start("pqdtls-demo-server", receiver);
            long t0 = System.nanoTime();
            try (DtlsConnection conn = DtlsClient.connect(server.localAddress(), clientConfig)) {
                long handshakeMicros = (System.nanoTime() - t0) / 1000;
                say(out, "[client] " + conn.session().summary());
                DtlsConnection serverSide = receiver.connection();
                say(out, "[server] " + serverSide.session().summary());
                say(out, String.format(Locale.ROOT, "         handshake took %.1f ms%s", handshakeMicros / 1000.0,
                        conn.session().helloRetryRequest()
                                ? ", including the stateless cookie round trip (HelloRetryRequest)" : ""));
                say(out, "");
                transfer(conn, clientConfig.mtu(), receiver, out);
                say(out, "");
                say(out, "next: 'pqdtls server --port 4433 --echo' in one terminal, "
                        + "'pqdtls client 127.0.0.1:4433 --insecure' in another;");
                say(out, "      'pqdtls bench' for streaming throughput (this transfer waits for acknowledgements)");
            } finally {
                receiver.stop();
                server.close();
                serverThread.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
        return 0;
    }

    private void transfer(DtlsConnection conn, int mtu, Receiver receiver, PrintWriter out) throws IOException {
        int size = conn.maxDatagramSize();
        long bytes = megabytes * 1_000_000L;
        long total = (bytes + size - 1) / size;
        say(out, String.format(Locale.ROOT, "transfer: %d MB client -> server as %,d datagrams of %,d bytes "
                + "(the most one %d-byte UDP payload carries);", megabytes, total, size, mtu));
        say(out, "          the server acknowledges each one, at most " + WINDOW + " are unacknowledged at a time");

        byte[] datagram = new byte[size];
        Arrays.fill(datagram, (byte) 0x5A);
        ByteBuffer seq = ByteBuffer.wrap(datagram);
        long sent = 0;
        long acks = 0;
        int inFlight = 0;
        long ackTimeouts = 0;
        long start = System.nanoTime();
        long lastAck = start;
        long stopAt = start + TRANSFER_LIMIT.toNanos();
        while (sent < total && System.nanoTime() < stopAt) {
            while (inFlight < WINDOW && sent < total) {
                seq.putLong(0, sent);
                conn.send(datagram);
                sent++;
                inFlight++;
            }
            if (conn.receive(ACK_WAIT).isPresent()) {
                acks++;
                inFlight = Math.max(0, inFlight - 1);
                lastAck = System.nanoTime();
            } else {
                ackTimeouts++;
                inFlight = 0; // lost, or so late that waiting longer only slows the measurement
            }
        }
        // Late acknowledgements of the last window.
        while (acks < sent && conn.receive(ACK_WAIT).isPresent()) {
            acks++;
            lastAck = System.nanoTime();
        }
        double seconds = Math.max(1e-9, (lastAck - start) / 1e9);
        long delivered = receiver.datagrams();
        long deliveredBytes = receiver.bytes();
        long lost = sent - delivered;
        say(out, String.format(Locale.ROOT, "  delivered %,d of %,d datagrams (%s) in %.2f s",
                delivered, sent, lost == 0 ? "none lost" : String.format(Locale.ROOT, "%,d lost: UDP under load; DTLS does not "
                        + "retransmit application data", lost), seconds));
        say(out, String.format(Locale.ROOT, "  goodput   %.1f MB/s of application data, %,.0f records/s (MB = 10^6 bytes)",
                deliveredBytes / MB / seconds, delivered / seconds));
        if (ackTimeouts > 0 || acks < delivered) {
            say(out, String.format(Locale.ROOT, "  (%,d acknowledgements missing; the sender waited %d times for one)",
                    delivered - acks, ackTimeouts));
        }
        if (sent < total) {
            say(out, "  stopped after " + TRANSFER_LIMIT.toSeconds() + " s with " + (total - sent) + " datagrams unsent");
        }
        if (delivered == 0) {
            throw new IOException("no datagram of the transfer reached the server");
        }
    }

    /** "ffm: native ... (highest priority)" or "jna: native ...; ffm not used: why", and so on down. */
    static String describe(BackendSelector.Selection selection, String requested) {
        String name = selection.backend().name();
        StringBuilder s = new StringBuilder(name).append(": ");
        s.append(switch (name) {
            case "ffm" -> "native code via Java's FFM API (OpenSSL libcrypto + pqdtls data plane)";
            case "jna" -> "native code via JNA (OpenSSL libcrypto + pqdtls data plane)";
            case "fallback" -> "pure Java (Bouncy Castle + the JDK's providers)";
            default -> "third-party backend";
        });
        if (requested != null) {
            s.append(", requested (--backend or -Dpqdtls.backend)");
        } else if (name.equals("ffm")) {
            s.append(", the highest-priority usable backend");
        } else {
            // Each better native backend that was passed over, and why.
            for (String better : name.equals("jna") ? List.of("ffm") : List.of("ffm", "jna")) {
                Optional<BackendSelector.Candidate> candidate = selection.candidates().stream()
                        .filter(c -> c.name().equals(better))
                        .findFirst();
                s.append("; ").append(better).append(" not used: ").append(candidate.isEmpty()
                        ? "it is not on the class path" : candidate.get().unusableReason().orElse(selection.reason()));
            }
        }
        return s.toString();
    }

    static String describe(NamedGroup g) {
        switch (g) {
            case X25519_MLKEM768:
                return "hybrid: X25519 + ML-KEM-768, post-quantum secure";
            case SECP256R1_MLKEM768:
                return "hybrid: secp256r1 ECDH + ML-KEM-768, post-quantum secure";
            case MLKEM768:
                return "ML-KEM-768 alone: post-quantum, no classical component";
            default:
                return "classical ECDH only: NOT post-quantum secure";
        }
    }

    private static void say(PrintWriter out, String line) {
        ServerCommand.say(out, line);
    }

    /** The server side: accepts the one client, counts what arrives, acknowledges each datagram. */
    private static final class Receiver implements Runnable {
        private final DtlsServer server;
        private final CompletableFuture<DtlsConnection> accepted = new CompletableFuture<>();
        private volatile boolean stopping;
        private volatile long datagrams;
        private volatile long bytes;

        Receiver(DtlsServer server) {
            this.server = server;
        }

        @Override
        public void run() {
            try {
                Optional<DtlsConnection> c = server.accept(HANDSHAKE_LIMIT);
                if (c.isEmpty()) {
                    accepted.completeExceptionally(new IOException("the server saw no completed handshake within "
                            + HANDSHAKE_LIMIT.toSeconds() + " s"));
                    return;
                }
                DtlsConnection conn = c.get();
                accepted.complete(conn);
                while (!stopping) {
                    Optional<byte[]> d = conn.receive(ACK_WAIT);
                    if (d.isPresent()) {
                        // Only this thread writes the counters; volatile publishes them to the client side.
                        datagrams++;
                        bytes += d.get().length;
                        conn.send(Arrays.copyOf(d.get(), Math.min(8, d.get().length)));
                    }
                }
            } catch (DtlsException e) {
                // the client closed the connection, or the server was closed: the transfer is over
                accepted.completeExceptionally(e);
            } catch (IOException | RuntimeException e) {
                accepted.completeExceptionally(e);
            }
        }

        DtlsConnection connection() throws IOException {
            try {
                return accepted.get(HANDSHAKE_LIMIT.toSeconds() + 5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof IOException io ? io : new IOException(c.getMessage(), c);
            } catch (TimeoutException e) {
                throw new IOException("the server did not hand out the connection in time");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            }
        }

        long datagrams() {
            return datagrams;
        }

        long bytes() {
            return bytes;
        }

        void stop() {
            stopping = true;
        }
    }
}
