package dev.pqdtls.internal.engine;

import dev.pqdtls.ConnectionStats;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.SessionInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;

/**
 * The application's view of one connection of an {@link Endpoint}: every call runs under the
 * endpoint's lock and hands what the connection produced to the endpoint's transport.
 */
final class Link implements DtlsConnection {
    private final Endpoint endpoint;
    private final ReentrantLock lock;
    final Connection connection;
    /** Signalled when this connection received data or changed state. */
    final Condition changed;
    /** Datagrams routed to this connection in the endpoint's current receive batch (loop thread only). */
    final List<ByteBuffer> received = new ArrayList<>();
    private boolean announced;
    /** Set when the socket reported the peer unreachable during the handshake (lock held). */
    private IOException transportFailure;

    Link(Endpoint endpoint, Connection connection) {
        this.endpoint = endpoint;
        this.lock = endpoint.lock;
        this.connection = connection;
        this.changed = lock.newCondition();
    }

    /** Called under the lock after every input: registers CIDs and announces new connections. */
    void update() {
        if (announced || connection.state() != Connection.State.CONNECTED) {
            return;
        }
        announced = true;
        if (connection instanceof ServerConnection s) {
            endpoint.announce(this, s.connectionId());
        }
    }

    /** The transport cannot reach the peer: the handshake waiter gets {@code failure} (lock held). */
    void transportFailed(IOException failure) {
        transportFailure = failure;
        changed.signalAll();
    }

    boolean ended() {
        Connection.State s = connection.state();
        return s == Connection.State.CLOSED || s == Connection.State.FAILED;
    }

    void awaitEstablished(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (connection.state() == Connection.State.HANDSHAKING) {
                if (transportFailure != null) {
                    throw transportFailure;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new DtlsException(DtlsAlert.HANDSHAKE_FAILURE, false, "handshake timed out");
                }
                changed.awaitNanos(left);
            }
            if (connection.state() != Connection.State.CONNECTED) {
                throw failure();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during the handshake");
        } finally {
            lock.unlock();
        }
    }

    private DtlsException failure() {
        DtlsException f = connection.failure();
        return f != null ? f : new DtlsException(DtlsAlert.CLOSE_NOTIFY, false, "connection is closed");
    }

    @Override
    public void send(ByteBuffer datagram) throws IOException {
        lock.lock();
        try {
            if (connection.state() != Connection.State.CONNECTED) {
                throw failure();
            }
            long now = Endpoint.now();
            try {
                connection.send(datagram, now);
            } catch (IllegalStateException e) {
                throw ended(e);
            }
            endpoint.flush(this);
            endpoint.schedule(this, now);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Seals and sends the whole batch in one native call where the transport can (the fused
     * data plane), otherwise protects every datagram and hands them to the transport as one batch.
     */
    @Override
    public void sendBatch(List<ByteBuffer> datagrams) throws IOException {
        lock.lock();
        try {
            if (connection.state() != Connection.State.CONNECTED) {
                throw failure();
            }
            long now = Endpoint.now();
            endpoint.flush(this); // anything queued (ACKs, retransmissions) goes first
            try {
                connection.sendBatch(datagrams, now, endpoint.sealer);
            } catch (IllegalStateException e) {
                throw ended(e);
            } catch (IOException e) {
                Endpoint.LOG.log(Level.FINE, "send to " + connection.peer() + " failed", e); // UDP: lost datagrams
            }
            for (ByteBuffer d : datagrams) {
                d.position(d.limit());
            }
            endpoint.flush(this);
            endpoint.schedule(this, now);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The engine refused to send because the connection just ended (its write key reached the usage
     * limit): the alert goes out, waiters wake, and the caller gets the reason as a DtlsException.
     */
    private DtlsException ended(IllegalStateException refusal) {
        if (connection.state() == Connection.State.CONNECTED) {
            throw refusal; // not an ending: a bug, reported as is
        }
        endpoint.flush(this);
        changed.signalAll();
        return failure();
    }

    @Override
    public Optional<byte[]> receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        lock.lock();
        try {
            while (true) {
                byte[] d = connection.pollApplicationData();
                if (d != null) {
                    return Optional.of(d);
                }
                if (connection.state() != Connection.State.CONNECTED) {
                    throw failure();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while receiving");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int maxDatagramSize() {
        return locked(() -> connection.maxApplicationData());
    }

    @Override
    public boolean keyUpdate(boolean requestPeerUpdate) throws IOException {
        lock.lock();
        try {
            if (connection.state() != Connection.State.CONNECTED) {
                throw failure();
            }
            long now = Endpoint.now();
            boolean started = connection.startKeyUpdate(requestPeerUpdate, now);
            endpoint.flush(this);
            endpoint.schedule(this, now);
            return started;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] exportKeyingMaterial(String label, byte[] context, int length) {
        return locked(() -> connection.exportKeyingMaterial(label, context, length));
    }

    @Override
    public SessionInfo session() {
        return locked(() -> connection.session());
    }

    @Override
    public ConnectionStats stats() {
        return locked(() -> connection.stats());
    }

    /** Reads the connection under the endpoint's lock (the loop thread writes it). */
    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isOpen() {
        return connection.state() == Connection.State.CONNECTED;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
            endpoint.flush(this);
            endpoint.forget(this);
            this.changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (connection instanceof ClientConnection) {
            endpoint.close();
        }
    }
}
