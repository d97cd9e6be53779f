package dev.pqdtls.internal.engine;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.backend.BackendSelector;
import dev.pqdtls.internal.recordlayer.SealingSender;
import dev.pqdtls.internal.recordlayer.UnifiedHeader;
import dev.pqdtls.internal.server.CookieIssuer;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.DatagramTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One UDP socket and the connections on it, driven by one event-loop thread: it receives
 * datagrams, routes them by connection ID or source address (new sources go through the
 * {@link ClientHelloGate}), fires timers and sends what the connections produce. Application threads
 * send and receive through {@link DtlsConnection} under the endpoint's lock.
 */
public final class Endpoint implements DtlsServer {
    static final Logger LOG = Logger.getLogger(Endpoint.class.getName());
    private final DatagramTransport transport;
    private final List<ByteBuffer> sendBatch = new ArrayList<>();
    private final DtlsConfig config;
    private final CryptoBackend crypto;
    private final LocalCredentials credentials;
    private final PeerAuthenticator authenticator;
    private final ClientHelloGate gate;
    final ReentrantLock lock = new ReentrantLock();
    private final Map<InetSocketAddress, Link> byAddress = new HashMap<>();
    private final Map<ByteBuffer, Link> byCid = new HashMap<>();
    /** The current receive batch and its senders, then its datagrams per connection (loop thread only). */
    private final List<ByteBuffer> received = new ArrayList<>();
    private final List<InetSocketAddress> receivedFrom = new ArrayList<>();
    private final List<Link> routed = new ArrayList<>();
    /** The transport's fused seal-and-send, when it has one. */
    final SealingSender sealer;
    private final LinkedBlockingQueue<Link> accepted = new LinkedBlockingQueue<>();
    private final Thread loop;
    private volatile boolean closed;
    /** When the earliest connection timer is due; the loop scans connections only then. */
    private long nextDue;

    private Endpoint(DatagramTransport transport, DtlsConfig config, CryptoBackend crypto, boolean server) {
        this.transport = transport;
        this.sealer = transport instanceof SealingSender s ? s : null;
        this.config = config;
        this.crypto = crypto;
        this.credentials = config.certificateChain().isEmpty() ? null
                : LocalCredentials.of(config.certificateChain(), config.privateKey().get());
        this.authenticator = authenticator(config, server);
        this.gate = server ? new ClientHelloGate(config, crypto, new CookieIssuer(crypto, Clock.systemUTC(), config.cookieLifetime())) : null;
        this.loop = new Thread(this::run, "pqdtls-" + (server ? "server-" : "client-") + transport.localAddress().getPort());
        this.loop.setDaemon(true);
    }

    private static PeerAuthenticator authenticator(DtlsConfig config, boolean server) {
        if (config.insecureTrustAll()) {
            return PeerAuthenticator.insecure();
        }
        if (!config.trustedCertificates().isEmpty()) {
            return PeerAuthenticator.builder().trustAnchors(config.trustedCertificates()).build();
        }
        if (server && config.clientAuth() != DtlsConfig.ClientAuth.NONE) {
            throw new IllegalArgumentException("clientAuth " + config.clientAuth()
                    + " needs DtlsConfig.trustedCertificates(...) to verify client certificates");
        }
        return server ? PeerAuthenticator.insecure() : PeerAuthenticator.builder().trustJdkDefaults().build();
    }

    private static DatagramTransport.Options transportOptions(DtlsConfig config) {
        return new DatagramTransport.Options(config.socketReceiveBufferSize(), config.socketSendBufferSize(),
                config.reusePort(), config.udpOffload());
    }

    private static CryptoBackend backend(DtlsConfig config) {
        // The configuration wins; without it -Dpqdtls.backend, then the best usable backend.
        return (config.backend().isPresent() ? BackendSelector.select(config.backend()) : BackendSelector.select()).backend();
    }

    /** Binds a server endpoint (see {@link DtlsServer#bind}). */
    public static Endpoint bindServer(InetSocketAddress address, DtlsConfig config) throws IOException {
        if (config.certificateChain().isEmpty()) {
            throw new IllegalArgumentException("a server needs DtlsConfig.certificate(chain, privateKey)");
        }
        CryptoBackend crypto = backend(config);
        Endpoint e = new Endpoint(crypto.openTransport(address, transportOptions(config)), config, crypto, true);
        e.loop.start();
        return e;
    }

    /** Connects a client (see {@link dev.pqdtls.DtlsClient#connect}). */
    public static DtlsConnection connect(InetSocketAddress server, DtlsConfig config) throws IOException {
        if (server.isUnresolved()) {
            throw new IOException("cannot resolve " + server.getHostString());
        }
        CryptoBackend crypto = backend(config);
        Endpoint e = new Endpoint(crypto.openTransport(new InetSocketAddress(0), transportOptions(config)), config, crypto, false);
        try {
            e.transport.connect(server); // one server: its port unreachable reaches us (see onUnreachable)
        } catch (IOException | RuntimeException ex) {
            e.close();
            throw ex;
        }
        Link link;
        e.lock.lock();
        try {
            long now = now();
            ClientConnection c = new ClientConnection(config, crypto, server, e.authenticator, e.credentials, now);
            link = new Link(e, c);
            e.byAddress.put(server, link);
            c.start(now);
            e.flush(link);
            e.schedule(link, now);
        } finally {
            e.lock.unlock();
        }
        e.loop.start();
        try {
            link.awaitEstablished(config.handshakeTimeout().plusSeconds(1));
        } catch (IOException | RuntimeException ex) {
            e.close();
            throw ex;
        }
        return link;
    }

    static long now() {
        return System.nanoTime() / 1_000_000;
    }

    // --- event loop --------------------------------------------------------------------------

    private void run() {
        DatagramTransport.Receiver receiver = new DatagramTransport.Receiver() {
            @Override
            public void onDatagram(ByteBuffer datagram, InetSocketAddress from) {
                received.add(datagram);
                receivedFrom.add(from);
            }

            @Override
            public void endOfBatch() {
                deliverReceived();
            }
        };
        while (!closed) {
            try {
                transport.receive(Duration.ofMillis(Math.max(1, Math.min(1000, dueMillis() - now()))), receiver);
            } catch (PortUnreachableException e) {
                onUnreachable();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.log(Level.FINE, "receive failed; continuing", e);
            } finally {
                received.clear(); // views into the transport's buffers are invalid after receive
                receivedFrom.clear();
            }
            if (now() >= dueMillis()) {
                tick();
            }
        }
    }

    /**
     * Routes the datagrams of one receive batch under one lock, then hands each connection the
     * datagrams routed to it, in arrival order and in one call, so the backend can open them
     * together; then flushes and wakes once per connection.
     */
    private void deliverReceived() {
        lock.lock();
        try {
            long now = now();
            InetSocketAddress lastFrom = null;
            Link lastLink = null;
            for (int i = 0; i < received.size(); i++) {
                ByteBuffer datagram = received.get(i);
                InetSocketAddress from = receivedFrom.get(i);
                try {
                    // A batch usually comes from one peer (the transport hands out the same object).
                    Link link = from == lastFrom && lastLink != null && !hasCid(datagram) ? lastLink : route(datagram, from, now);
                    if (link != null) {
                        if (link.received.isEmpty()) {
                            routed.add(link);
                        }
                        link.received.add(datagram);
                    }
                    lastFrom = from;
                    lastLink = link;
                } catch (RuntimeException e) {
                    // A bug must not kill the loop that serves every other client.
                    LOG.log(Level.WARNING, "pqdtls: unexpected error processing a datagram; dropped", e);
                }
            }
            for (Link link : routed) {
                try {
                    link.connection.onDatagrams(link.received, now);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "pqdtls: unexpected error processing datagrams; dropped", ex);
                }
                flush(link);
                link.update();
                schedule(link, now);
                link.changed.signalAll();
            }
        } finally {
            received.clear();
            receivedFrom.clear();
            for (Link link : routed) {
                link.received.clear();
            }
            routed.clear();
            lock.unlock();
        }
    }

    private long dueMillis() {
        lock.lock();
        try {
            return nextDue;
        } finally {
            lock.unlock();
        }
    }

    /** Notes a connection's next timer after it did something (under the lock). */
    void schedule(Link l, long now) {
        nextDue = Math.min(nextDue, l.connection.nextTimerMillis(now));
    }

    /** Fires due timers, retires ended connections and wakes their waiters; recomputes {@link #nextDue}. */
    private void tick() {
        lock.lock();
        try {
            long now = now();
            long next = now + 1000;
            List<Link> ended = new ArrayList<>();
            for (Link l : byAddress.values()) {
                if (l.connection.nextTimerMillis(now) <= now) {
                    l.connection.onTimer(now);
                    flush(l);
                    l.update();
                    l.changed.signalAll();
                }
                if (l.ended()) {
                    ended.add(l);
                }
                next = Math.min(next, l.connection.nextTimerMillis(now));
            }
            for (Link l : ended) {
                forget(l);
                l.changed.signalAll();
            }
            nextDue = next;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the datagram starts with a unified header carrying a connection ID we route by. */
    private boolean hasCid(ByteBuffer datagram) {
        if (!datagram.hasRemaining()) {
            return false;
        }
        int first = datagram.get(datagram.position()) & 0xFF;
        return config.connectionIdLength() > 0 && UnifiedHeader.matches(first) && (first & 0x10) != 0;
    }

    /**
     * The connection a datagram belongs to, by connection ID or source address; a datagram from a
     * new source goes to the {@link ClientHelloGate} instead (null is returned).
     */
    private Link route(ByteBuffer datagram, InetSocketAddress from, long now) {
        Link link = null;
        if (hasCid(datagram) && datagram.remaining() > config.connectionIdLength()) {
            byte[] cid = new byte[config.connectionIdLength()];
            datagram.get(datagram.position() + 1, cid);
            link = byCid.get(ByteBuffer.wrap(cid));
        }
        if (link == null) {
            link = byAddress.get(from);
        }
        if (link != null) {
            return link;
        }
        if (gate == null || byAddress.size() >= config.maxConnections()) {
            return null;
        }
        int handshaking = (int) byAddress.values().stream().filter(l -> l.connection.state() == Connection.State.HANDSHAKING).count();
        gate.onDatagram(datagram, from, now, handshaking,
                (client, t) -> new ServerConnection(config, crypto, client, credentials, authenticator, t),
                d -> sendQuietly(List.of(d), from))
                .ifPresent(c -> {
                    Link l = new Link(this, c);
                    byAddress.put(from, l);
                    flush(l);
                    l.update();
                    schedule(l, now);
                });
        return null;
    }

    /** Sends everything the connection produced in one batch (one system call where the transport can). */
    void flush(Link l) {
        for (ByteBuffer d = l.connection.pollOutgoing(); d != null; d = l.connection.pollOutgoing()) {
            sendBatch.add(d);
        }
        if (!sendBatch.isEmpty()) {
            sendQuietly(sendBatch, l.connection.peer());
            sendBatch.clear();
        }
    }

    private void sendQuietly(List<ByteBuffer> datagrams, InetSocketAddress to) {
        try {
            transport.send(datagrams, to);
        } catch (PortUnreachableException e) {
            onUnreachable(); // a connected socket may report it on the next send instead of the receive
        } catch (IOException e) {
            // UDP: a failed send is a lost datagram; retransmission covers the handshake.
            LOG.log(Level.FINE, "send to " + to + " failed", e);
        }
    }

    /**
     * The kernel reported ICMP port unreachable for the server of this client endpoint (its socket is
     * connected to it): a handshake in progress fails at once instead of retransmitting into the void.
     * An established connection carries on (UDP: the server may come back, and alerts end it).
     */
    private void onUnreachable() {
        lock.lock();
        try {
            for (Link l : byAddress.values()) {
                if (l.connection.state() == Connection.State.HANDSHAKING) {
                    InetSocketAddress peer = l.connection.peer();
                    l.transportFailed(new PortUnreachableException("nothing is listening at " + peer.getHostString()
                            + ":" + peer.getPort() + " (the host answered ICMP port unreachable)"));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A server connection completed its handshake: route by its CID from now on, offer it to accept(). */
    void announce(Link l, byte[] cid) {
        if (cid.length > 0) {
            byCid.put(ByteBuffer.wrap(cid), l);
        }
        accepted.add(l);
    }

    void forget(Link l) {
        byAddress.remove(l.connection.peer(), l);
        byCid.values().removeIf(x -> x == l);
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
            throw new java.io.InterruptedIOException("interrupted while waiting for a client");
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    @Override
    public String backend() {
        return crypto.name();
    }

    @Override
    public int connectionCount() {
        lock.lock();
        try {
            return byAddress.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Link l : byAddress.values()) {
                l.connection.close();
                flush(l);
            }
            for (Link l : byAddress.values()) {
                l.changed.signalAll();
            }
            byAddress.clear();
            byCid.clear();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != loop && loop.isAlive()) {
            wakeLoop();
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        transport.close();
    }

    /**
     * A one-byte datagram to our own socket ends the loop's wait in receive at once (it is dropped as
     * garbage), so closing does not wait for the receive timeout.
     */
    private void wakeLoop() {
        InetSocketAddress local = transport.localAddress();
        java.net.InetAddress target = local.getAddress().isAnyLocalAddress()
                ? java.net.InetAddress.getLoopbackAddress() : local.getAddress();
        sendQuietly(List.of(ByteBuffer.allocate(1)), new InetSocketAddress(target, local.getPort()));
    }
}
