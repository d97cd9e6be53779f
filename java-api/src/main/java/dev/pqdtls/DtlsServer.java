package dev.pqdtls;

import dev.pqdtls.internal.runtime.ServerEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * A DTLS 1.3 server on one UDP socket, serving many clients (demultiplexed by address and
 * connection ID). New clients prove their address with a stateless cookie first (see
 * {@link DtlsConfig.CookiePolicy}); completed handshakes are handed out by {@link #accept}.
 */
public interface DtlsServer extends AutoCloseable {

    /**
     * Binds a server.
     *
     * @throws IllegalArgumentException if the configuration lacks a certificate or is inconsistent
     * @throws IllegalStateException if no crypto backend is usable (the message says why)
     */
    static DtlsServer bind(InetSocketAddress address, DtlsConfig config) throws IOException {
        return ServerEndpoint.bind(address, config);
    }

    /** Waits for the next client to complete its handshake; empty if the timeout passed first. */
    Optional<DtlsConnection> accept(Duration timeout) throws IOException;

    /** The bound address (with the actual port when bound to port 0). */
    InetSocketAddress localAddress();

    /** The crypto backend in use. */
    String backend();

    /** Connections, including handshakes in progress. */
    int connectionCount();

    /** Closes every connection (with close_notify) and the socket. */
    @Override
    void close();
}
