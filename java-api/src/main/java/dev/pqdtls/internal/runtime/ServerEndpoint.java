package dev.pqdtls.internal.runtime;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.internal.server.Admission;
import dev.pqdtls.internal.server.ClientHelloGate;
import dev.pqdtls.internal.server.CookieIssuer;
import dev.pqdtls.spi.DatagramTransport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server: {@link DtlsConfig#eventLoops()} event loops, each with its own SO_REUSEPORT socket on
 * the same port (the kernel spreads clients over them by address hash), its own admission gate and
 * its own connections. Connection IDs name the loop that owns them in their first byte (when they
 * are at least 2 bytes long), so a datagram carrying a CID reaches its owner even after the
 * client's address changed and the kernel hands it to another socket.
 */
public final class ServerEndpoint implements DtlsServer, EventLoop.Owner {
    private final EndpointBasics basics;
    private final EventLoop[] loops;
    private final ClientHelloGate[] gates;
    private final Admission admission;
    private final LinkedBlockingQueue<ConnectionHandle> accepted = new LinkedBlockingQueue<>();
    private final InetSocketAddress localAddress;
    private volatile boolean closed;

    private ServerEndpoint(EndpointBasics basics, List<DatagramTransport> transports) {
        this.basics = basics;
        DtlsConfig config = basics.config();
        this.admission = new Admission(config.maxConnections());
        CookieIssuer cookies = new CookieIssuer(basics.crypto(), Clock.systemUTC(), config.cookieLifetime());
        this.loops = new EventLoop[transports.size()];
        this.gates = new ClientHelloGate[transports.size()];
        this.localAddress = transports.get(0).localAddress();
        for (int i = 0; i < loops.length; i++) {
            gates[i] = new ClientHelloGate(config, basics.crypto(), cookies);
            loops[i] = new EventLoop(i, this, transports.get(i), config.connectionIdLength(),
                    "pqdtls-server-" + localAddress.getPort() + "-" + i);
        }
    }

    /** Binds a server (see {@link DtlsServer#bind}). */
    public static ServerEndpoint bind(InetSocketAddress address, DtlsConfig config) throws IOException {
        if (config.certificateChain().isEmpty()) {
            throw new IllegalArgumentException("a server needs DtlsConfig.certificate(chain, privateKey)");
        }
        EndpointBasics basics = EndpointBasics.of(config, true);
        int n = config.eventLoops();
        boolean reusePort = config.reusePort() || n > 1;
        List<DatagramTransport> transports = new ArrayList<>(n);
        try {
            transports.add(basics.crypto().openTransport(address, basics.transportOptions(true, reusePort)));
            InetSocketAddress bound = transports.get(0).localAddress(); // the actual port, when 0 was asked
            for (int i = 1; i < n; i++) {
                transports.add(basics.crypto().openTransport(bound, basics.transportOptions(true, true)));
            }
        } catch (IOException | RuntimeException e) {
            transports.forEach(DatagramTransport::close);
            throw e;
        }
        ServerEndpoint server = new ServerEndpoint(basics, transports);
        for (EventLoop l : server.loops) {
            l.start();
        }
        return server;
    }

    // --- EventLoop.Owner ---------------------------------------------------------------------

    @Override
    public ConnectionHandle admit(EventLoop loop, ByteBuffer datagram, InetSocketAddress from, boolean addressInUse,
            long nowMillis) {
        if (closed || !admission.roomForAnother()) {
            return null; // beyond the cap we answer nothing (no amplification, no state)
        }
        DtlsConfig config = basics.config();
        if (addressInUse && config.cookiePolicy() == DtlsConfig.CookiePolicy.NEVER) {
            return null; // without cookies an unproven ClientHello could end a live connection
        }
        // A new handshake from an address with a live connection must prove the address first: it
        // counts as load, so UNDER_LOAD asks for the cookie too.
        int load = addressInUse ? Integer.MAX_VALUE : admission.handshakesInProgress();
        Optional<ServerConnection> c = gates[loop.index].onDatagram(datagram, from, nowMillis, load,
                (client, t) -> new ServerConnection(config, basics.crypto(), client, basics.credentials(),
                        basics.authenticator(), freshCid(loop), t),
                reply -> loop.sendQuietly(List.of(reply), from));
        if (c.isEmpty()) {
            return null;
        }
        admission.handshakeStarted();
        return new ConnectionHandle(loop, c.get());
    }

    /** A connection ID unused on {@code loop}, naming the loop in its first byte when it can. */
    private byte[] freshCid(EventLoop loop) {
        byte[] cid = new byte[basics.config().connectionIdLength()];
        if (cid.length == 0) {
            return cid;
        }
        for (int attempt = 0; ; attempt++) {
            basics.crypto().randomBytes(cid);
            if (encodesLoop()) {
                cid[0] = (byte) loop.index;
            }
            if (attempt >= 8 || !loop.cidInUse(cid)) {
                return cid; // a 1-byte CID may repeat; routing then falls back to the address
            }
        }
    }

    private boolean encodesLoop() {
        return loops.length > 1 && basics.config().connectionIdLength() >= 2;
    }

    @Override
    public boolean serves() {
        return true;
    }

    @Override
    public void established(ConnectionHandle h) {
        admission.handshakeCompleted();
        accepted.add(h);
    }

    @Override
    public void ended(ConnectionHandle h, boolean established) {
        admission.connectionEnded(established);
    }

    @Override
    public void connectionClosed(ConnectionHandle h) {
        // the server stays up
    }

    @Override
    public int loopOf(CidKey cid) {
        if (!encodesLoop()) {
            return -1;
        }
        int owner = cid.first();
        return owner < loops.length ? owner : -1;
    }

    @Override
    public void forward(int loop, ByteBuffer datagram, InetSocketAddress from) {
        loops[loop].acceptForwarded(datagram, from);
    }

    // --- DtlsServer --------------------------------------------------------------------------

    @Override
    public Optional<DtlsConnection> accept(Duration timeout) throws IOException {
        if (closed) {
            throw new DtlsException(DtlsAlert.CLOSE_NOTIFY, false, "server is closed");
        }
        try {
            return Optional.ofNullable(accepted.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a client");
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public String backend() {
        return basics.crypto().name();
    }

    @Override
    public int connectionCount() {
        return admission.connections();
    }

    /** Event loops (and sockets) serving this server. */
    public int eventLoops() {
        return loops.length;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (EventLoop l : loops) {
            l.close();
        }
    }
}
