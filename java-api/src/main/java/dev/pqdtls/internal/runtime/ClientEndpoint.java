package dev.pqdtls.internal.runtime;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.internal.engine.ClientConnection;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client endpoint: one socket and one event loop shared by all its connections (one per server
 * address). A one-off endpoint ({@link DtlsClient#connect(InetSocketAddress, DtlsConfig)}) connects
 * its socket to the server, so an ICMP port unreachable fails the handshake at once, and closes
 * with its connection. With {@link DtlsConfig#reconnect()} a connection is a
 * {@link ReconnectingConnection} that re-establishes itself on this endpoint.
 */
public final class ClientEndpoint implements DtlsClient, EventLoop.Owner {
    private final EndpointBasics basics;
    private final EventLoop loop;
    private final boolean oneOff;
    private volatile boolean closed;

    private ClientEndpoint(EndpointBasics basics, boolean oneOff, InetSocketAddress bind) throws IOException {
        this.basics = basics;
        this.oneOff = oneOff;
        this.loop = new EventLoop(0, this, basics.crypto().openTransport(bind, basics.transportOptions(false, false)),
                basics.config().connectionIdLength(), basics.config().mtu(), "pqdtls-client", new LongAdder(),
                new LongAdder());
    }

    /**
     * The wildcard address to bind: of the server's family for a one-off connection; for a shared
     * endpoint the IPv6 wildcard, whose dual-stack socket reaches IPv4 servers too (IPv4 alone where
     * the host has no IPv6).
     */
    private static InetSocketAddress wildcard(InetSocketAddress server) throws IOException {
        if (server != null && server.getAddress() instanceof Inet4Address) {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0);
        }
        return new InetSocketAddress(InetAddress.getByAddress(new byte[16]), 0);
    }

    private static ClientEndpoint open(DtlsConfig config, boolean oneOff, InetSocketAddress server) throws IOException {
        EndpointBasics basics = EndpointBasics.forClient(config);
        try {
            return new ClientEndpoint(basics, oneOff, wildcard(server));
        } catch (IOException e) {
            if (server != null) {
                throw e;
            }
            return new ClientEndpoint(basics, oneOff, new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0));
        }
    }

    /** An endpoint for many connections (see {@link DtlsClient#create}). */
    public static ClientEndpoint create(DtlsConfig config) throws IOException {
        ClientEndpoint e = open(config, false, null);
        e.loop.start();
        return e;
    }

    /** One connection on its own connected socket (see {@link DtlsClient#connect(InetSocketAddress, DtlsConfig)}). */
    public static DtlsConnection connectOnce(InetSocketAddress server, DtlsConfig config, List<byte[]> earlyData)
            throws IOException {
        checkResolved(server);
        ClientEndpoint e = open(config, true, server);
        try {
            e.loop.transport.connect(server); // its port unreachable reaches us (EventLoop.onUnreachable)
            e.loop.start();
            return e.connect(server, earlyData);
        } catch (IOException | RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    private static void checkResolved(InetSocketAddress server) throws IOException {
        if (server.isUnresolved()) {
            throw new IOException("cannot resolve " + server.getHostString());
        }
    }

    @Override
    public DtlsConnection connect(InetSocketAddress server, List<byte[]> earlyData) throws IOException {
        checkResolved(server);
        if (closed) {
            throw new IllegalStateException("this DtlsClient is closed");
        }
        if (basics.config().reconnect().isPresent()) {
            return ReconnectingConnection.open(this, server, basics.config().reconnect().get(), earlyData);
        }
        return handshake(server, null, earlyData);
    }

    /**
     * A new connection to {@code server}, once its handshake completed; on failure it is discarded
     * (without closing a one-off endpoint, which a reconnecting connection still needs).
     *
     * @param reconnecting the connection it will serve, if it re-establishes itself
     */
    ConnectionHandle handshake(InetSocketAddress server, ReconnectingConnection reconnecting, List<byte[]> earlyData)
            throws IOException {
        DtlsConfig config = basics.config();
        long now = EventLoop.now();
        ClientConnection c = new ClientConnection(config, basics.crypto(), server, basics.authenticator(),
                basics.credentials(), now);
        c.earlyData(earlyData.stream().map(ByteBuffer::wrap).toList());
        ConnectionHandle h = new ConnectionHandle(loop, c, null, reconnecting);
        h.lock.lock();
        try {
            loop.register(h, now);
            c.start(now);
            loop.afterActivity(h, now);
        } finally {
            h.lock.unlock();
        }
        try {
            h.awaitEstablished(config.handshakeTimeout().plusSeconds(1));
        } catch (IOException | RuntimeException ex) {
            if (reconnecting == null) {
                h.close();
            } else {
                h.closeQuietly();
            }
            throw ex;
        }
        return h;
    }

    boolean isClosed() {
        return closed;
    }

    // --- EventLoop.Owner ---------------------------------------------------------------------

    @Override
    public ConnectionHandle admit(EventLoop l, ByteBuffer datagram, InetSocketAddress from, ConnectionHandle addressInUse,
            long nowMillis) {
        return null; // a client talks only to the servers it connected to
    }

    @Override
    public boolean serves() {
        return false;
    }

    @Override
    public void established(ConnectionHandle h) {
    }

    @Override
    public void ended(ConnectionHandle h, boolean established) {
        if (established && h.reconnecting != null) {
            h.reconnecting.lost(h);
        }
    }

    @Override
    public void activity(ConnectionHandle h) {
    }

    @Override
    public void abandoned(ConnectionHandle h) {
    }

    @Override
    public void connectionClosed(ConnectionHandle h) {
        if (oneOff) {
            close();
        }
    }

    @Override
    public int loopOf(CidKey cid) {
        return -1;
    }

    @Override
    public void forward(int l, ByteBuffer datagram, InetSocketAddress from) {
        throw new IllegalStateException("a client endpoint has one loop");
    }

    // --- DtlsClient --------------------------------------------------------------------------

    @Override
    public InetSocketAddress localAddress() {
        return loop.transport.localAddress();
    }

    @Override
    public String backend() {
        return basics.crypto().name();
    }

    @Override
    public int connectionCount() {
        return loop.connectionCount();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.close();
    }
}
