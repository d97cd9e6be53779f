package dev.pqdtls.bench.robustness;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.DtlsServerListener;
import dev.pqdtls.SelfSignedCertificate;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.testing.ImpairmentRelay;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replay and forgery through the socket path. A client completes its handshake with a server through a
 * relay that keeps a copy of what the client sends; then the relay holds the client's data datagrams
 * back, and for each sends the server first a forgery (one bit of its authentication tag flipped, so a
 * fresh record number with a bad tag), then the genuine datagram, then the genuine one again; and once
 * more every protected datagram of the handshake (the client's Finished and ACKs). The server must
 * deliver each datagram exactly once, no forgery, and count the replays and the forgeries in its
 * metrics. A last datagram sent after them on the same path shows they have all been processed.
 */
public final class ReplayCheck {
    /**
     * @param datagrams distinct data datagrams the client sent
     * @param delivered distinct ones the server handed to the application (the final marker excluded)
     * @param duplicates deliveries of a datagram already delivered
     * @param replayed protected datagrams sent again
     * @param forged data datagrams sent with a flipped tag bit
     * @param replayCounter the server's REPLAY drop count at the end
     * @param authenticationFailures the server's AUTHENTICATION_FAILURE drop count at the end
     */
    public record Result(String backend, int datagrams, int delivered, int duplicates, int replayed, int forged,
            long replayCounter, long authenticationFailures) {
        /** Every datagram delivered once, nothing twice, no forgery, and both counted. */
        public boolean passed() {
            return delivered == datagrams && duplicates == 0 && replayCounter >= replayed
                    && authenticationFailures >= forged;
        }
    }

    private static final String END = "end";

    private ReplayCheck() {
    }

    /** Runs the check against a server on {@code backend}, with {@code datagrams} data datagrams. */
    public static Result run(String backend, int datagrams) throws IOException, InterruptedException {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        CountDownLatch end = new CountDownLatch(1);
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(cert.chain(), cert.privateKey()).backend(backend).build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig,
                new DtlsServerListener() {
                    @Override
                    public void onDatagram(DtlsConnection connection, byte[] datagram) {
                        String text = new String(datagram, StandardCharsets.UTF_8);
                        if (text.equals(END)) {
                            end.countDown();
                        } else {
                            received.computeIfAbsent(text, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                });
                ImpairmentRelay relay = new ImpairmentRelay(server.localAddress(), ImpairmentRelay.Impairment.none(), 1)) {
            relay.captureToServer(true);
            // No session ticket: the client's ACK of one leaves after connect() returns and would land
            // among the data datagrams the relay holds back.
            DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(cert.certificate()))
                    .serverName("localhost").backend(backend).sessionTickets(false).build();
            int replayed = 0;
            int forged = 0;
            try (DtlsConnection client = DtlsClient.connect(relay.clientSide(), clientConfig)) {
                List<byte[]> handshake = relay.capturedToServer();
                relay.clearCaptured();
                relay.holdToServer(true);
                for (int i = 0; i < datagrams; i++) {
                    client.send(("datagram " + i).getBytes(StandardCharsets.UTF_8));
                }
                List<byte[]> data = awaitHeld(relay, datagrams);
                relay.holdToServer(false);
                for (byte[] d : data) {
                    byte[] forgery = d.clone();
                    forgery[forgery.length - 1] ^= 0x01; // the last byte of the tag: same record number, bad tag
                    relay.injectToServer(forgery);
                    forged++;
                    relay.injectToServer(d);
                    relay.injectToServer(d);
                    replayed++;
                }
                for (byte[] d : handshake) {
                    if (protectedRecord(d)) { // the ClientHellos are answered statelessly, not replayed into the connection
                        relay.injectToServer(d);
                        replayed++;
                    }
                }
                client.send(END.getBytes(StandardCharsets.UTF_8));
                if (!end.await(20, TimeUnit.SECONDS)) {
                    throw new IOException("the final datagram after the replays never arrived");
                }
            }
            ServerMetrics m = server.metrics();
            int duplicates = received.values().stream().mapToInt(c -> c.get() - 1).sum();
            return new Result(backend, datagrams, received.size(), duplicates, replayed, forged,
                    m.recordsDropped().get(ServerMetrics.DropReason.REPLAY),
                    m.recordsDropped().get(ServerMetrics.DropReason.AUTHENTICATION_FAILURE));
        }
    }

    /** The client's {@code n} data datagrams, once the relay holds them all (at most 10 s). */
    private static List<byte[]> awaitHeld(ImpairmentRelay relay, int n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (relay.capturedToServer().size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the relay saw " + relay.capturedToServer().size() + " of " + n + " datagrams");
            }
            TimeUnit.MILLISECONDS.sleep(5); // the relay's reader thread gives no signal
        }
        return relay.capturedToServer();
    }

    /** A DTLSCiphertext record (unified header, RFC 9147 §4): 001xxxxx in the first byte. */
    private static boolean protectedRecord(byte[] d) {
        return d.length > 0 && (d[0] & 0xE0) == 0x20;
    }
}
