package dev.pqdtls;

import dev.pqdtls.internal.runtime.ClientEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Opens DTLS 1.3 client connections. {@link #connect(InetSocketAddress, DtlsConfig)} is the one-off
 * form: its own socket and thread, released when the connection closes. A {@code DtlsClient} from
 * {@link #create} is the reusable form for gateways and load generators: one socket and one event
 * loop shared by all its connections (one per server address), closed once.
 */
public interface DtlsClient extends AutoCloseable {

    /**
     * Connects to {@code server} on a socket of its own and completes the handshake, blocking for at
     * most {@link DtlsConfig#handshakeTimeout()}. The socket is connected to the server, so when
     * nothing listens there (ICMP port unreachable) it fails at once.
     *
     * @throws DtlsException if the handshake fails (its alert says why) or times out
     * @throws java.net.PortUnreachableException if the server's host reports that nothing listens
     * @throws IllegalStateException if no crypto backend is usable (the message says why)
     */
    static DtlsConnection connect(InetSocketAddress server, DtlsConfig config) throws IOException {
        return ClientEndpoint.connectOnce(server, config, List.of());
    }

    /**
     * As {@link #connect(InetSocketAddress, DtlsConfig)}, sending {@code earlyData} first: with the
     * ClientHello as 0-RTT data (RFC 8446 §2.3) when a session ticket from this server allows it (the
     * server sets {@link DtlsConfig.Builder#maxEarlyData}), saving a round trip; otherwise, or when
     * the server refuses it, as ordinary datagrams right after the handshake.
     * {@link DtlsConnection#earlyDataAccepted()} tells which. Early data may be replayed by an
     * attacker: send only what is harmless to act on twice. Each datagram must fit one record.
     */
    static DtlsConnection connect(InetSocketAddress server, DtlsConfig config, List<byte[]> earlyData) throws IOException {
        return ClientEndpoint.connectOnce(server, config, earlyData);
    }

    /**
     * A client endpoint whose connections share one socket and one event-loop thread.
     *
     * @throws IllegalStateException if no crypto backend is usable (the message says why)
     */
    static DtlsClient create(DtlsConfig config) throws IOException {
        return ClientEndpoint.create(config);
    }

    /**
     * Connects to {@code server} from this endpoint's socket and completes the handshake, blocking
     * for at most {@link DtlsConfig#handshakeTimeout()}. Closing the connection leaves the others.
     *
     * @throws DtlsException if the handshake fails (its alert says why) or times out
     * @throws IllegalStateException if this endpoint already has a connection to {@code server}
     *     (its socket can carry only one per server address) or is closed
     */
    default DtlsConnection connect(InetSocketAddress server) throws IOException {
        return connect(server, List.of());
    }

    /** As {@link #connect(InetSocketAddress)} with early data, as {@link #connect(InetSocketAddress, DtlsConfig, List)}. */
    DtlsConnection connect(InetSocketAddress server, List<byte[]> earlyData) throws IOException;

    /** The local address of the shared socket. */
    InetSocketAddress localAddress();

    /** The crypto backend in use. */
    String backend();

    /** Connections of this endpoint, including handshakes in progress. */
    int connectionCount();

    /** Closes every connection (with close_notify), the socket and the thread. */
    @Override
    void close();
}
