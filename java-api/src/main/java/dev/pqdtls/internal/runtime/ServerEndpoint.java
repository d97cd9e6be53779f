package dev.pqdtls.internal.runtime;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.DtlsServerListener;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.internal.auth.CertificateRejectedException;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.internal.server.Admission;
import dev.pqdtls.internal.server.AuditLog;
import dev.pqdtls.internal.server.ClientHelloGate;
import dev.pqdtls.internal.server.CookieIssuer;
import dev.pqdtls.internal.server.ServerCounters;
import dev.pqdtls.spi.DatagramTransport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
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
 *
 * <p>Admission limits and counts are shared by the loops ({@link Admission}, {@link ServerCounters});
 * events go to {@link #accept} or to the listener ({@link Callbacks}), security events to the
 * {@link AuditLog}, and the counters to JMX ({@link ServerMBean}).
 */
public final class ServerEndpoint implements DtlsServer, EventLoop.Owner {
    private final EndpointBasics basics;
    private final EventLoop[] loops;
    private final ClientHelloGate[] gates;
    private final Admission admission;
    private final ServerCounters counters = new ServerCounters();
    private final AuditLog audit;
    /** Null in the blocking style (connections go to {@link #accepted}). */
    private final Callbacks callbacks;
    private final LinkedBlockingQueue<ConnectionHandle> accepted = new LinkedBlockingQueue<>();
    private final InetSocketAddress localAddress;
    private final ServerMBean mbean;
    /** Set when close begins: nothing new is admitted. */
    private volatile boolean closed;

    private ServerEndpoint(EndpointBasics basics, List<DatagramTransport> transports, DtlsServerListener listener) {
        this.basics = basics;
        DtlsConfig config = basics.config();
        this.admission = new Admission(config, new SecureRandom().nextLong());
        this.localAddress = transports.get(0).localAddress();
        this.audit = new AuditLog(localAddress);
        this.callbacks = listener == null ? null : new Callbacks(listener, config.callbackExecutor().orElse(null),
                config.receiveQueueCapacity(), counters);
        CookieIssuer cookies = new CookieIssuer(basics.crypto(), Clock.systemUTC(), config.cookieLifetime());
        this.loops = new EventLoop[transports.size()];
        this.gates = new ClientHelloGate[transports.size()];
        for (int i = 0; i < loops.length; i++) {
            EventLoop loop = new EventLoop(i, this, transports.get(i), config.connectionIdLength(), config.mtu(),
                    "pqdtls-server-" + localAddress.getPort() + "-" + i, counters.bytesIn, counters.bytesOut);
            loops[i] = loop;
            gates[i] = new ClientHelloGate(config, basics.crypto(), cookies, admission, counters, audit,
                    (client, alert, reason) -> {
                        if (callbacks != null) {
                            loop.post(() -> callbacks.handshakeFailed(client, alert, reason));
                        }
                    });
        }
        this.mbean = ServerMBean.register(this);
    }

    /** Binds a server (see {@link DtlsServer#bind}); {@code listener} may be null (blocking style). */
    public static ServerEndpoint bind(InetSocketAddress address, DtlsConfig config, DtlsServerListener listener)
            throws IOException {
        if (config.certificateChain().isEmpty() && config.rawPublicKey().isEmpty() && config.preSharedKeys().isEmpty()) {
            throw new IllegalArgumentException("a server needs DtlsConfig.certificate(chain, privateKey), rawPublicKey(keyPair) "
                    + "or, to serve PSK clients only, preSharedKeys(...)");
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
        ServerEndpoint server = new ServerEndpoint(basics, transports, listener);
        for (EventLoop l : server.loops) {
            l.start();
        }
        return server;
    }

    /** Binds a server in the blocking style. */
    public static ServerEndpoint bind(InetSocketAddress address, DtlsConfig config) throws IOException {
        return bind(address, config, null);
    }

    // --- EventLoop.Owner ---------------------------------------------------------------------

    @Override
    public ConnectionHandle admit(EventLoop loop, ByteBuffer datagram, InetSocketAddress from, ConnectionHandle addressInUse,
            long nowMillis) {
        if (closed) {
            return null; // shutting down: no answer, no state
        }
        DtlsConfig config = basics.config();
        if (addressInUse != null && config.cookiePolicy() == DtlsConfig.CookiePolicy.NEVER) {
            return null; // without cookies an unproven ClientHello could end a live connection
        }
        // A new handshake from an address with a live connection must prove the address first.
        Optional<ServerConnection> c = gates[loop.index].onDatagram(datagram, from, nowMillis, addressInUse != null,
                addressInUse == null ? 0 : ((ServerConnection) addressInUse.connection).clientHelloTag(),
                (client, t) -> new ServerConnection(config, basics.crypto(), client, basics.credentials(),
                        basics.authenticator(), freshCid(loop), t),
                reply -> loop.sendQuietly(List.of(reply), from));
        if (c.isEmpty()) {
            return null;
        }
        AdmittedClient client = new AdmittedClient(from.getAddress(), counters, callbacks != null,
                callbacks == null ? null : callbacks.serialFor());
        return new ConnectionHandle(loop, c.get(), client, null);
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
    public void activity(ConnectionHandle h) {
        h.admitted.harvest(h.connection);
        if (callbacks == null) {
            return;
        }
        byte[] d = h.connection.pollApplicationData();
        if (d == null) {
            return;
        }
        List<byte[]> batch = new ArrayList<>();
        for (; d != null; d = h.connection.pollApplicationData()) {
            batch.add(d);
        }
        h.admitted.delivered(batch.size());
        h.loop.post(() -> callbacks.datagrams(h, batch));
    }

    @Override
    public void established(ConnectionHandle h) {
        admission.handshakeCompleted();
        counters.handshakesCompleted.increment();
        SessionInfo session = h.connection.session();
        if (session != null && session.resumed()) {
            counters.handshakesResumed.increment();
        }
        if (callbacks == null) {
            accepted.add(h);
        } else {
            h.loop.post(() -> callbacks.connected(h));
        }
    }

    @Override
    public void ended(ConnectionHandle h, boolean established) {
        admission.connectionEnded(h.admitted.source, established);
        Connection c = h.connection;
        DtlsException reason = c.failure() != null ? c.failure() : new DtlsException(DtlsAlert.CLOSE_NOTIFY, false,
                closed ? "the server shut down" : "closed by the application");
        audit(c, reason, established);
        if (!established) {
            counters.handshakeFailed(reason.alert());
        }
        if (callbacks != null) {
            h.loop.post(established ? () -> callbacks.closed(h, reason)
                    : () -> callbacks.handshakeFailed(c.peer(), reason.alert(), reason.getMessage()));
        }
    }

    /** The audit line for a connection that ended, if its ending is security-relevant. */
    private void audit(Connection c, DtlsException reason, boolean established) {
        long now = EventLoop.now();
        InetSocketAddress peer = c.peer();
        Connection.Ending ending = c.ending();
        if (ending == Connection.Ending.IDLE_TIMEOUT) {
            audit.idleTimeout(peer, reason.getMessage(), now);
        } else if (ending != null) {
            audit.aeadLimit(peer, ending == Connection.Ending.AEAD_USAGE_LIMIT ? "aead_usage" : "aead_integrity",
                    reason.getMessage(), now);
        } else if (reason.getCause() instanceof CertificateRejectedException rejected) {
            audit.certificateRejected(peer, rejected.subject(), reason.alert(), reason.getMessage(), now);
        } else if (!established && !(closed && reason.alert() == DtlsAlert.CLOSE_NOTIFY)) {
            audit.handshakeFailed(peer, reason.alert(), reason.getMessage(), false, now);
        }
    }

    @Override
    public void abandoned(ConnectionHandle h) {
        admission.connectionEnded(h.admitted.source, false);
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
        if (callbacks != null) {
            throw new IllegalStateException("this server hands its connections to its DtlsServerListener");
        }
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

    @Override
    public ServerMetrics metrics() {
        return counters.snapshot(admission);
    }

    /** Event loops (and sockets) serving this server. */
    public int eventLoops() {
        return loops.length;
    }

    @Override
    public void close(Duration drain) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true; // from here the gates admit nothing
        }
        long deadline = System.nanoTime() + Math.min(drain.toNanos(), Long.MAX_VALUE / 4);
        try {
            for (EventLoop l : loops) {
                for (ConnectionHandle h : l.connections()) {
                    h.awaitFlightsDone(deadline); // handshakes and KeyUpdates in flight may finish
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close at once
        }
        for (EventLoop l : loops) {
            l.close();
        }
        ServerMBean.unregister(mbean);
    }
}
