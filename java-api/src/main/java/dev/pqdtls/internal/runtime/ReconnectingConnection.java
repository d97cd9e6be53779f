package dev.pqdtls.internal.runtime;

import dev.pqdtls.ConnectionStats;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.ReconnectPolicy;
import dev.pqdtls.SessionInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client connection that re-establishes itself, per its {@link ReconnectPolicy}, when it fails or
 * the server closes it: a thread of its own waits out the backoff and runs new handshakes on the same
 * endpoint until one completes or the policy's attempts or budget run out. The application keeps this
 * one object. Lock order: this object's lock is never held while calling into a connection.
 */
final class ReconnectingConnection implements DtlsConnection {
    private final ClientEndpoint endpoint;
    private final InetSocketAddress server;
    private final ReconnectPolicy policy;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private ConnectionHandle current;
    private boolean reconnecting;
    private boolean closed;
    private DtlsException gaveUp;

    private ReconnectingConnection(ClientEndpoint endpoint, InetSocketAddress server, ReconnectPolicy policy) {
        this.endpoint = endpoint;
        this.server = server;
        this.policy = policy;
    }

    /** Connects (the first handshake is not retried: its failure is the caller's). */
    static ReconnectingConnection open(ClientEndpoint endpoint, InetSocketAddress server, ReconnectPolicy policy,
            List<byte[]> earlyData) throws IOException {
        ReconnectingConnection r = new ReconnectingConnection(endpoint, server, policy);
        r.current = endpoint.handshake(server, r, earlyData);
        return r;
    }

    /** The connection {@code h} ended without our closing it: start reconnecting (called under h's lock). */
    void lost(ConnectionHandle h) {
        DtlsException cause = h.failure();
        lock.lock();
        try {
            if (closed || h != current || reconnecting) {
                return;
            }
            reconnecting = true;
        } finally {
            lock.unlock();
        }
        Thread t = new Thread(() -> reconnect(cause), "pqdtls-reconnect-" + server.getPort());
        t.setDaemon(true);
        t.start();
    }

    private void reconnect(DtlsException cause) {
        ReconnectPolicy.Listener listener = policy.listener();
        listener.onDisconnected(cause);
        long start = System.nanoTime();
        Exception last = cause;
        int attempt = 1;
        for (; attempt <= policy.maxAttempts(); attempt++) {
            Duration delay = policy.delay(attempt, ThreadLocalRandom.current().nextDouble());
            if (Duration.ofNanos(System.nanoTime() - start).plus(delay).compareTo(policy.budget()) > 0) {
                break;
            }
            if (!waitOut(delay)) {
                return; // closed meanwhile
            }
            listener.onAttempt(attempt, delay);
            try {
                ConnectionHandle h = endpoint.handshake(server, this, List.of());
                lock.lock();
                try {
                    if (closed) {
                        h.closeQuietly();
                        return;
                    }
                    current = h;
                    reconnecting = false;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                listener.onReconnected(attempt, h.session());
                return;
            } catch (IOException | RuntimeException e) {
                last = e;
                listener.onAttemptFailed(attempt, e);
            }
        }
        int attempts = attempt - 1;
        lock.lock();
        try {
            gaveUp = new DtlsException(cause.alert(), cause.fromPeer(), "connection to " + server + " lost ("
                    + cause.getMessage() + ") and not re-established after " + attempts + " attempt(s): "
                    + last.getMessage());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        listener.onGaveUp(attempts, last);
        current.close(); // releases a one-off endpoint
    }

    /** Waits {@code delay} unless closed first; returns false if closed. */
    private boolean waitOut(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        lock.lock();
        try {
            while (!closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                changed.awaitNanos(left);
            }
            return false;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The live connection, waiting until {@code deadlineNanos} while a reconnection runs; null when
     * the deadline passed first.
     *
     * @throws DtlsException once closed or given up
     */
    private ConnectionHandle live(long deadlineNanos) throws IOException {
        lock.lock();
        try {
            while (true) {
                if (gaveUp != null) {
                    throw gaveUp;
                }
                if (closed) {
                    throw new DtlsException(DtlsAlert.CLOSE_NOTIFY, false, "connection is closed");
                }
                if (!reconnecting) {
                    return current;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the connection to be re-established");
        } finally {
            lock.unlock();
        }
    }

    /** The live connection now; DtlsException while reconnecting (nothing is queued: UDP promises no delivery). */
    private ConnectionHandle liveNow() throws IOException {
        ConnectionHandle h = live(System.nanoTime());
        if (h == null) {
            throw new DtlsException(DtlsAlert.CLOSE_NOTIFY, false, "connection to " + server
                    + " was lost and is being re-established; try again later");
        }
        return h;
    }

    @Override
    public void send(ByteBuffer datagram) throws IOException {
        liveNow().send(datagram);
    }

    @Override
    public void sendBatch(List<ByteBuffer> datagrams) throws IOException {
        liveNow().sendBatch(datagrams);
    }

    @Override
    public Optional<byte[]> receive(Duration timeout) throws IOException {
        return acrossReconnects(timeout, (h, left) -> h.receive(left), Optional.empty());
    }

    @Override
    public int receive(List<ByteBuffer> into, Duration timeout) throws IOException {
        return acrossReconnects(timeout, (h, left) -> h.receive(into, left), 0);
    }

    /** One receive on whichever connection is live, waiting through a reconnect until {@code timeout}. */
    private interface Receive<T> {
        T on(ConnectionHandle h, Duration left) throws IOException;
    }

    private <T> T acrossReconnects(Duration timeout, Receive<T> receive, T none) throws IOException {
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        while (true) {
            ConnectionHandle h = live(deadline);
            if (h == null) {
                return none;
            }
            try {
                return receive.on(h, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (DtlsException e) {
                lock.lock();
                try {
                    if (h == current && !reconnecting && gaveUp == null && !closed) {
                        throw e; // ended without counting as lost (cannot happen: lost() runs before waiters wake)
                    }
                } finally {
                    lock.unlock();
                }
                // lost: the next turn waits for the new connection, or reports the end of the attempts
            }
        }
    }

    @Override
    public int maxDatagramSize() {
        return current().maxDatagramSize();
    }

    @Override
    public boolean keyUpdate(boolean requestPeerUpdate) throws IOException {
        return liveNow().keyUpdate(requestPeerUpdate);
    }

    @Override
    public byte[] exportKeyingMaterial(String label, byte[] context, int length) {
        return current().exportKeyingMaterial(label, context, length);
    }

    @Override
    public SessionInfo session() {
        return current().session();
    }

    @Override
    public boolean earlyDataAccepted() {
        return current().earlyDataAccepted();
    }

    @Override
    public ConnectionStats stats() {
        return current().stats();
    }

    @Override
    public boolean isOpen() {
        lock.lock();
        try {
            if (closed || reconnecting || gaveUp != null) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        return current().isOpen();
    }

    private ConnectionHandle current() {
        lock.lock();
        try {
            return current;
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
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        current().close();
    }
}
