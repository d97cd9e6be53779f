package dev.pqdtls;

import dev.pqdtls.internal.runtime.ServerEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * A DTLS 1.3 server on one UDP socket, serving many clients (demultiplexed by address and
 * connection ID). New clients prove their address with a stateless cookie first (see
 * {@link DtlsConfig.CookiePolicy}) and pass the admission limits of {@link DtlsConfig}; completed
 * handshakes are handed out by {@link #accept}, or to a {@link DtlsServerListener}. Counters are in
 * {@link #metrics()} (also as a JMX MXBean, and for Micrometer through
 * {@link dev.pqdtls.metrics.DtlsServerMeterBinder}); security events go to the SLF4J logger
 * {@code dev.pqdtls.audit} as JSON lines.
 */
public interface DtlsServer extends AutoCloseable {
    /**
     * The SLF4J logger of the security audit log: one JSON object per line at INFO (route it to a file
     * of its own with your logging backend; see the README, "Operating a server").
     */
    String AUDIT_LOGGER = "dev.pqdtls.audit";

    /**
     * Binds a server.
     *
     * @throws IllegalArgumentException if the configuration lacks a certificate or is inconsistent
     * @throws IllegalStateException if no crypto backend is usable (the message says why)
     */
    static DtlsServer bind(InetSocketAddress address, DtlsConfig config) throws IOException {
        return ServerEndpoint.bind(address, config);
    }

    /**
     * Binds a server that reports to {@code listener} instead of {@link #accept} and
     * {@link DtlsConnection#receive}: see {@link DtlsServerListener} for the threading rules.
     *
     * @throws IllegalArgumentException if the configuration lacks a certificate or is inconsistent
     * @throws IllegalStateException if no crypto backend is usable (the message says why)
     */
    static DtlsServer bind(InetSocketAddress address, DtlsConfig config, DtlsServerListener listener)
            throws IOException {
        return ServerEndpoint.bind(address, config, java.util.Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Waits for the next client to complete its handshake; empty if the timeout passed first.
     *
     * @throws IllegalStateException if this server reports to a {@link DtlsServerListener}
     */
    Optional<DtlsConnection> accept(Duration timeout) throws IOException;

    /** The bound address (with the actual port when bound to port 0). */
    InetSocketAddress localAddress();

    /** The crypto backend in use. */
    String backend();

    /** Connections, including handshakes in progress. */
    int connectionCount();

    /** The counters so far, an immutable snapshot; cheap enough to call every second. */
    ServerMetrics metrics();

    /**
     * Shuts down gracefully: stops admitting new clients (they get no answer), waits up to
     * {@code drain} for flights in progress — handshakes and KeyUpdates waiting for the peer's
     * answer or ACK — then sends close_notify on every connection (after any {@code send} already
     * under way) and releases the sockets and threads. Datagrams that {@code send} accepted before
     * are already on the wire. Idempotent.
     */
    void close(Duration drain);

    /** Closes every connection (with close_notify) and the socket at once: {@code close(Duration.ZERO)}. */
    @Override
    default void close() {
        close(Duration.ZERO);
    }
}
