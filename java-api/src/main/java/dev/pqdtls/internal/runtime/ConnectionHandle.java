package dev.pqdtls.internal.runtime;

import dev.pqdtls.ConnectionStats;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.SendBufferFullException;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.internal.engine.Connection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The application's view of one connection: its own lock (application threads on different
 * connections never contend), the sans-I/O engine {@link Connection}, and the loop that owns it.
 * Every call runs the engine under the lock and hands what it produced to the loop's socket; the
 * loop does the same for received datagrams and timers. Lock order: a handle's lock is never taken
 * while holding its loop's table lock.
 */
final class ConnectionHandle extends TimerWheel.Entry implements DtlsConnection {
    final EventLoop loop;
    final Connection connection;
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when this connection received data or changed state. */
    private final Condition changed = lock.newCondition();
    /** The state last seen by {@link #observe}: transitions are acted on once. */
    private Connection.State seen = Connection.State.HANDSHAKING;
    private boolean established;
    /** The routing key of our connection ID, once registered (loop table lock). */
    CidKey cid;
    /** Whether the loop's table still holds this handle (loop table lock). */
    boolean registered;
    /** Set when the socket reported the peer unreachable during the handshake. */
    private IOException transportFailure;
    /** A server's bookkeeping for this client; null on a client endpoint. */
    final AdmittedClient admitted;
    /** The client connection that re-establishes this one when it is lost; null when none does. */
    final ReconnectingConnection reconnecting;

    ConnectionHandle(EventLoop loop, Connection connection, AdmittedClient admitted,
            ReconnectingConnection reconnecting) {
        this.loop = loop;
        this.connection = connection;
        this.admitted = admitted;
        this.reconnecting = reconnecting;
    }

    // --- called by the loop, with the lock held --------------------------------------------

    /** A state change the loop acts on once. */
    enum Change { NONE, ESTABLISHED, ENDED }

    /**
     * What changed since the last look: ESTABLISHED once when the handshake completed, ENDED once
     * when the connection closed or failed (a look after ESTABLISHED, when both happened at once).
     * Wakes waiters in any case.
     */
    Change observe() {
        changed.signalAll();
        if (!established && connection.handshakeCompleted()) {
            // Reported even when the connection has ended since (Finished, data and close_notify in
            // one batch): its data is delivered first; the next look reports the end.
            established = true;
            return Change.ESTABLISHED;
        }
        Connection.State now = connection.state();
        if (now == seen) {
            return Change.NONE;
        }
        seen = now;
        return ended() ? Change.ENDED : Change.NONE;
    }

    /** Whether the handshake ever completed. */
    boolean wasEstablished() {
        return established;
    }

    boolean ended() {
        Connection.State s = connection.state();
        return s == Connection.State.CLOSED || s == Connection.State.FAILED;
    }

    /** The transport cannot reach the peer: the handshake waiter gets {@code failure}. */
    void transportFailed(IOException failure) {
        transportFailure = failure;
        changed.signalAll();
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
            throw new InterruptedIOException("interrupted during the handshake");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no flight of ours awaits the peer's answer or ACK (a handshake or KeyUpdate in
     * progress), the connection ended, or {@code deadlineNanos} (System.nanoTime) passed.
     */
    void awaitFlightsDone(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (connection.flightPending() && !ended()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Why the connection ended, or is not open. */
    DtlsException failure() {
        DtlsException f = connection.failure();
        return f != null ? f : new DtlsException(DtlsAlert.CLOSE_NOTIFY, false, "connection is closed");
    }

    // --- DtlsConnection ----------------------------------------------------------------------

    @Override
    public void send(ByteBuffer datagram) throws IOException {
        lock.lock();
        try {
            requireOpen();
            long now = EventLoop.now();
            try {
                connection.send(datagram, now);
            } catch (IllegalStateException e) {
                throw ended(e);
            }
            try {
                loop.send(this); // a datagram the socket would not take is reported, never dropped silently
            } finally {
                loop.afterApplicationCall(this, now);
            }
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
            requireOpen();
            long now = EventLoop.now();
            loop.flush(this); // anything queued (ACKs, retransmissions) goes first
            int sent = 0; // how many buffers to mark consumed: none of a refused batch
            try {
                if (connection.sendBatch(datagrams, now, loop.sealer)) {
                    countFusedBytes(datagrams);
                } else {
                    loop.send(this);
                }
                sent = datagrams.size();
            } catch (IllegalStateException e) {
                throw ended(e);
            } catch (SendBufferFullException e) {
                sent = e.datagramsSent();
                throw e;
            } catch (IOException e) {
                sent = datagrams.size();
                EventLoop.LOG.debug("send to {} failed", connection.peer(), e); // UDP: lost datagrams
            } finally {
                for (int i = 0; i < sent; i++) {
                    ByteBuffer d = datagrams.get(i);
                    d.position(d.limit());
                }
                loop.afterApplicationCall(this, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Bytes the records of a batch took on the wire when the fused path sent them itself: content
     * plus the record overhead (header, content type, tag), which is what the MTU leaves over.
     */
    private void countFusedBytes(List<ByteBuffer> datagrams) {
        long bytes = (long) datagrams.size() * (loop.mtu - connection.maxApplicationData());
        for (ByteBuffer d : datagrams) {
            bytes += d.remaining();
        }
        loop.bytesOut.add(bytes);
    }

    private void requireOpen() throws DtlsException {
        if (connection.state() != Connection.State.CONNECTED) {
            throw failure();
        }
    }

    /**
     * The engine refused to send because the connection just ended (its write key reached the usage
     * limit): the alert goes out, the loop forgets it, and the caller gets the reason.
     */
    private DtlsException ended(IllegalStateException refusal) {
        if (connection.state() == Connection.State.CONNECTED) {
            throw refusal; // not an ending: a bug, reported as is
        }
        loop.afterApplicationCall(this, EventLoop.now());
        return failure();
    }

    @Override
    public Optional<byte[]> receive(Duration timeout) throws IOException {
        byte[][] got = new byte[1][];
        awaitReceived(timeout, () -> (got[0] = connection.pollApplicationData()) == null ? 0 : 1);
        return Optional.ofNullable(got[0]);
    }

    @Override
    public int receive(List<ByteBuffer> into, Duration timeout) throws IOException {
        if (into.isEmpty()) {
            return 0;
        }
        return awaitReceived(timeout, () -> {
            int n = 0;
            for (int len = connection.nextApplicationDataLength(); len >= 0 && n < into.size();
                    len = connection.nextApplicationDataLength()) {
                ByteBuffer b = into.get(n);
                if (len > b.capacity()) {
                    if (n == 0) {
                        throw new IllegalArgumentException("the next datagram has " + len + " bytes; the first buffer "
                                + "holds " + b.capacity() + " (buffers of maxDatagramSize() " + connection.maxApplicationData()
                                + " bytes fit what a peer with the same MTU sends)");
                    }
                    break; // it waits for the next call
                }
                connection.pollApplicationData(b);
                n++;
            }
            return n;
        });
    }

    /**
     * Runs {@code take} under the lock until it takes something (its count), the connection ends with
     * nothing left (DtlsException) or {@code timeout} passes (0).
     */
    private int awaitReceived(Duration timeout, IntSupplier take) throws IOException {
        if (admitted != null && admitted.toListener()) {
            throw new IllegalStateException("this server hands received datagrams to its DtlsServerListener");
        }
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        lock.lock();
        try {
            while (true) {
                int n = take.getAsInt();
                if (n > 0) {
                    if (admitted != null) {
                        admitted.delivered(n);
                    }
                    return n;
                }
                requireOpen();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while receiving");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int maxDatagramSize() {
        return locked(connection::maxApplicationData);
    }

    @Override
    public boolean keyUpdate(boolean requestPeerUpdate) throws IOException {
        lock.lock();
        try {
            requireOpen();
            long now = EventLoop.now();
            boolean started = connection.startKeyUpdate(requestPeerUpdate, now);
            loop.afterApplicationCall(this, now);
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
        return locked(connection::session);
    }

    @Override
    public boolean earlyDataAccepted() {
        return locked(connection::earlyDataAccepted);
    }

    @Override
    public List<byte[]> takeEarlyData() {
        return locked(connection::takeEarlyData);
    }

    @Override
    public ConnectionStats stats() {
        return locked(connection::stats);
    }

    @Override
    public boolean isOpen() {
        return locked(() -> connection.state() == Connection.State.CONNECTED);
    }

    @Override
    public void close() {
        closeQuietly();
        loop.owner.connectionClosed(this);
    }

    /** Sends close_notify and forgets the connection, without telling the owner that the application closed it. */
    void closeQuietly() {
        lock.lock();
        try {
            connection.close();
            loop.afterApplicationCall(this, EventLoop.now());
        } finally {
            lock.unlock();
        }
    }

    /** Reads the connection under its lock (the loop thread writes it). */
    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }
}
