package dev.pqdtls.fallback;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A DTLS server on loopback (UDP port 0) that echoes the first datagram of each client. */
final class LoopbackEcho implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final DtlsServer server;
    private final Thread thread;

    LoopbackEcho(DtlsConfig serverConfig) throws Exception {
        server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig);
        thread = new Thread(this::serve, "loopback-echo");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        try {
            while (true) {
                DtlsConnection c = server.accept(WAIT).orElse(null);
                if (c == null) {
                    return;
                }
                CompletableFuture.runAsync(() -> {
                    try (c) {
                        c.send(c.receive(WAIT).orElseThrow());
                    } catch (Exception e) {
                        // the client reports what it missed
                    }
                });
            }
        } catch (Exception e) {
            // closed
        }
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    /** Connects, sends {@code text} and returns the echo; the session summary goes first, on its own line. */
    String roundTrip(DtlsConfig clientConfig, String text) throws Exception {
        try (DtlsConnection c = DtlsClient.connect(server.localAddress(), clientConfig)) {
            c.send(text.getBytes(StandardCharsets.UTF_8));
            byte[] reply = c.receive(WAIT).orElseThrow(() -> new AssertionError("no echo within " + WAIT));
            return c.session().summary() + "\n" + new String(reply, StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        server.close();
        thread.interrupt(); // accept does not return when the server closes; it does when interrupted
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
