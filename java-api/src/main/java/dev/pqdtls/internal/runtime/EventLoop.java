package dev.pqdtls.internal.runtime;

import dev.pqdtls.SendBufferFullException;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.recordlayer.SealingSender;
import dev.pqdtls.internal.recordlayer.UnifiedHeader;
import dev.pqdtls.internal.text.Display;
import dev.pqdtls.spi.DatagramTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, one UDP socket, the connections it owns. Each turn it receives a batch of
 * datagrams, routes them — by connection ID, then by source address, and a new source to its
 * {@link Owner} (the server's admission gate) — hands each connection its datagrams in one call,
 * fires the timers that are due from a {@link TimerWheel}, and sends what the connections produced.
 * Every step is O(1) per datagram or timer, whatever the number of connections.
 *
 * <p>The routing tables and the wheel are guarded by {@link #table}, held only briefly and never
 * while a connection's lock is held by this thread (application threads take a connection's lock,
 * then the table lock to reschedule).
 *
 * <p>Events for the application ({@link #post}) run on this thread once per turn, with no lock
 * held, in the order they were posted: a listener may call into any connection.
 */
final class EventLoop implements Runnable {
    static final Logger LOG = LoggerFactory.getLogger("dev.pqdtls.runtime");
    /** Longest wait in receive: timers set by application threads are seen at least this often. */
    static final long MAX_SLEEP_MILLIS = 100;
    private static final long TICK_MILLIS = 10;
    private static final int WHEEL_SLOTS = 512;

    /** What the loop needs from the endpoint that owns it (a server or a client). */
    interface Owner {
        /**
         * A datagram from an address with no connection, or a new ClientHello from an address whose
         * connection is established ({@code addressInUse}, else null: a client that restarted or
         * reconnects from the same port): a server's gate may make a connection (or answer).
         */
        ConnectionHandle admit(EventLoop loop, ByteBuffer datagram, InetSocketAddress from, ConnectionHandle addressInUse,
                long nowMillis);

        /** Whether this endpoint accepts new clients (a server) rather than only talking to its peers. */
        boolean serves();

        /** A connection completed its handshake. */
        void established(ConnectionHandle h);

        /** A connection ended (closed, failed or timed out); {@code established} says whether it ever was. */
        void ended(ConnectionHandle h, boolean established);

        /**
         * After any activity of a connection, with its lock held (any thread): the owner may collect
         * counters and received data. Must be cheap.
         */
        void activity(ConnectionHandle h);

        /** An admitted connection could not be registered (its source already has one): forget it quietly. */
        void abandoned(ConnectionHandle h);

        /** The application closed a connection (after the loop has forgotten it). */
        void connectionClosed(ConnectionHandle h);

        /** The loop that owns the connection ID {@code cid} when it is not this one (-1 if unknown). */
        int loopOf(CidKey cid);

        /** Hands a datagram to another loop of the same endpoint. */
        void forward(int loop, ByteBuffer datagram, InetSocketAddress from);
    }

    final int index;
    final Owner owner;
    final DatagramTransport transport;
    /** The transport's fused seal-and-send, when it has one. */
    final SealingSender sealer;
    private final int cidLength;
    /** The configured MTU: what a record of the connections' largest datagram takes. */
    final int mtu;
    final ReentrantLock table = new ReentrantLock();
    private final Map<InetSocketAddress, ConnectionHandle> byAddress = new HashMap<>();
    private final Map<CidKey, ConnectionHandle> byCid = new HashMap<>();
    private final TimerWheel wheel;
    private final Thread thread;
    private volatile boolean closing;
    /** UDP payload bytes received and sent by this loop's socket (the owner's totals). */
    final LongAdder bytesIn;
    final LongAdder bytesOut;
    /** Application events to run on this thread with no lock held ({@link #post}). */
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    private long batchBytes;

    // Loop thread only: the current receive batch and where each datagram goes.
    private final List<ByteBuffer> received = new ArrayList<>();
    private final List<InetSocketAddress> receivedFrom = new ArrayList<>();
    private ConnectionHandle[] routedTo = new ConnectionHandle[64];
    /** Datagrams routed after the rest of their batch ({@link #routeLate}). */
    private boolean[] toGate = new boolean[64];
    private final List<ByteBuffer> forOne = new ArrayList<>();
    private final List<ByteBuffer> sendList = new ArrayList<>();
    private final List<ConnectionHandle> due = new ArrayList<>();
    private final CidKey probe = CidKey.probe();
    private final byte[] cidScratch = new byte[256];
    /** Datagrams other loops received for connections of this one (a client whose address changed). */
    private final ConcurrentLinkedQueue<Forwarded> forwarded = new ConcurrentLinkedQueue<>();

    private record Forwarded(ByteBuffer datagram, InetSocketAddress from) {
    }

    EventLoop(int index, Owner owner, DatagramTransport transport, int cidLength, int mtu, String name,
            LongAdder bytesIn, LongAdder bytesOut) {
        this.mtu = mtu;
        this.index = index;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.owner = owner;
        this.transport = transport;
        this.sealer = transport instanceof SealingSender s ? s : null;
        this.cidLength = cidLength;
        this.wheel = new TimerWheel(TICK_MILLIS, WHEEL_SLOTS, now());
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    static long now() {
        return System.nanoTime() / 1_000_000;
    }

    void start() {
        thread.start();
    }

    // --- the loop ----------------------------------------------------------------------------

    @Override
    public void run() {
        DatagramTransport.Receiver receiver = new DatagramTransport.Receiver() {
            @Override
            public void onDatagram(ByteBuffer datagram, InetSocketAddress from) {
                received.add(datagram);
                receivedFrom.add(from);
                batchBytes += datagram.remaining();
            }

            @Override
            public void endOfBatch() {
                bytesIn.add(batchBytes);
                batchBytes = 0;
                deliver(received, receivedFrom);
            }
        };
        while (!closing) {
            long wait = forwarded.isEmpty() ? sleepMillis() : 0;
            try {
                transport.receive(Duration.ofMillis(Math.max(1, wait)), receiver);
            } catch (PortUnreachableException e) {
                onUnreachable();
            } catch (IOException e) {
                if (closing) {
                    break;
                }
                LOG.debug("receive failed; continuing", e);
            } catch (RuntimeException e) {
                LOG.warn("pqdtls: unexpected error in the event loop; continuing", e);
            } finally {
                received.clear(); // views into the transport's buffers are invalid after receive
                receivedFrom.clear();
                batchBytes = 0;
            }
            deliverForwarded();
            fireTimers();
            runEvents();
        }
        runEvents(); // the last ones (the connections closed by close())
    }

    /** Queues an application event to run on this loop's thread with no lock held (any thread). */
    void post(Runnable event) {
        events.add(event);
    }

    /** Runs the posted events in order; one that throws is logged and the others still run. */
    void runEvents() {
        for (Runnable e = events.poll(); e != null; e = events.poll()) {
            try {
                e.run();
            } catch (RuntimeException ex) {
                LOG.warn("pqdtls: a listener callback threw; the server carries on", ex);
            }
        }
    }

    private long sleepMillis() {
        table.lock();
        try {
            return wheel.millisUntilNext(now(), MAX_SLEEP_MILLIS);
        } finally {
            table.unlock();
        }
    }

    /**
     * Routes a batch under one table lock, then hands each connection its datagrams in arrival
     * order and in one call (so the backend can open them together): established connections first,
     * so a burst of handshakes does not delay data that is already flowing; datagrams from new
     * sources go to the owner's admission gate last, outside the table lock (it may run a whole
     * handshake step).
     */
    private void deliver(List<ByteBuffer> datagrams, List<InetSocketAddress> from) {
        int n = datagrams.size();
        if (routedTo.length < n) {
            routedTo = new ConnectionHandle[Math.max(n, routedTo.length * 2)];
            toGate = new boolean[routedTo.length];
        }
        long now = now();
        table.lock();
        try {
            InetSocketAddress lastFrom = null;
            ConnectionHandle last = null;
            for (int i = 0; i < n; i++) {
                ByteBuffer d = datagrams.get(i);
                InetSocketAddress src = from.get(i);
                // A batch usually comes from one peer (the transport hands out the same object); a
                // ClientHello among its records may start a new connection, so it is routed afresh.
                ConnectionHandle h = src == lastFrom && last != null && !hasCid(d) && !isPlaintextHandshake(d)
                        ? last : route(d, src, i);
                routedTo[i] = h;
                lastFrom = src;
                last = h;
            }
        } finally {
            table.unlock();
        }
        try {
            for (int pass = 0; pass < 2; pass++) {
                boolean established = pass == 0;
                for (int i = 0; i < n; i++) {
                    ConnectionHandle h = routedTo[i];
                    if (h == null || (h.connection.state() == Connection.State.CONNECTED) != established) {
                        continue;
                    }
                    forOne.clear();
                    for (int j = i; j < n; j++) {
                        if (routedTo[j] == h) {
                            forOne.add(datagrams.get(j));
                            routedTo[j] = null;
                        }
                    }
                    process(h, forOne, now);
                }
            }
            for (int i = 0; i < n; i++) {
                if (toGate[i]) {
                    toGate[i] = false;
                    routeLate(datagrams.get(i), from.get(i), now);
                }
            }
        } finally {
            forOne.clear();
            java.util.Arrays.fill(routedTo, 0, n, null);
            java.util.Arrays.fill(toGate, 0, n, false);
        }
    }

    /**
     * A datagram from a source without a connection, or a ClientHello from a source with one, decided
     * after the rest of its batch (which may have ended that connection): a ClientHello retransmitted
     * during a handshake goes to that handshake; anything else to the owner's gate, which may admit a
     * new connection.
     */
    private void routeLate(ByteBuffer d, InetSocketAddress from, long now) {
        ConnectionHandle existing;
        table.lock();
        try {
            existing = byAddress.get(from);
        } finally {
            table.unlock();
        }
        if (existing != null && existing.connection.state() == Connection.State.HANDSHAKING) {
            forOne.clear();
            forOne.add(d);
            process(existing, forOne, now);
            return;
        }
        ConnectionHandle h;
        try {
            h = owner.admit(this, d, from, existing, now);
        } catch (RuntimeException e) {
            LOG.warn("pqdtls: unexpected error admitting a datagram; dropped", e);
            return;
        }
        if (h == null) {
            return;
        }
        if (existing != null) {
            // The client proved its address with a new handshake: its old connection from this
            // address is gone (a restart, or a reconnect from the same port).
            existing.lock.lock();
            try {
                existing.connection.close();
                afterActivity(existing, now);
            } finally {
                existing.lock.unlock();
            }
        }
        h.lock.lock();
        try {
            table.lock();
            try {
                if (byAddress.putIfAbsent(from, h) == null) {
                    h.registered = true;
                }
            } finally {
                table.unlock();
            }
            if (h.registered) {
                afterActivity(h, now); // its first flight (ServerHello...) goes out now
            } else {
                h.connection.close(); // a second new connection from one source in one batch: keep the first
                owner.abandoned(h);
            }
        } finally {
            h.lock.unlock();
        }
    }

    private void process(ConnectionHandle h, List<ByteBuffer> datagrams, long now) {
        h.lock.lock();
        try {
            h.connection.onDatagrams(datagrams, now);
        } catch (RuntimeException e) {
            // A bug must not kill the loop that serves every other client.
            LOG.warn("pqdtls: unexpected error processing datagrams; dropped", e);
        }
        try {
            afterActivity(h, now);
        } finally {
            h.lock.unlock();
        }
    }

    /** Whether the datagram starts with a unified header carrying a connection ID we route by. */
    private boolean hasCid(ByteBuffer d) {
        if (cidLength == 0 || d.remaining() <= cidLength) {
            return false;
        }
        int first = d.get(d.position()) & 0xFF;
        return UnifiedHeader.matches(first) && (first & 0x10) != 0;
    }

    /**
     * The connection a datagram belongs to, by connection ID or source address; null when it went
     * to another loop, is marked for the admission gate ({@code toGate[i]}), or goes nowhere (table
     * lock held).
     */
    private ConnectionHandle route(ByteBuffer d, InetSocketAddress from, int i) {
        if (hasCid(d)) {
            CidKey key = probe.point(d, d.position() + 1, cidLength, cidScratch);
            ConnectionHandle h = byCid.get(key);
            if (h != null) {
                return h;
            }
            int owning = owner.loopOf(key);
            if (owning >= 0 && owning != index) {
                ByteBuffer copy = ByteBuffer.allocate(d.remaining()).put(d.duplicate()).flip();
                owner.forward(owning, copy, from);
                return null;
            }
        }
        ConnectionHandle h = byAddress.get(from);
        if (h == null || (owner.serves() && isPlaintextHandshake(d))) {
            // No connection, or an epoch-0 handshake record (a ClientHello) that may start a new one
            // from this address (a client that restarted or reconnects from the same port): decided
            // once the rest of the batch is in (routeLate), with the RFC 9147 §5.1 cookie first.
            toGate[i] = true;
            return null;
        }
        return h;
    }

    /** Whether the datagram starts with a DTLSPlaintext handshake record of epoch 0 (RFC 9147 §4). */
    private static boolean isPlaintextHandshake(ByteBuffer d) {
        int p = d.position();
        return d.remaining() >= 5 && d.get(p) == ContentType.HANDSHAKE && d.get(p + 3) == 0 && d.get(p + 4) == 0;
    }

    /** Queues a datagram from another loop (any thread). */
    void acceptForwarded(ByteBuffer datagram, InetSocketAddress from) {
        forwarded.add(new Forwarded(datagram, from));
    }

    private void deliverForwarded() {
        for (Forwarded f = forwarded.poll(); f != null; f = forwarded.poll()) {
            received.add(f.datagram());
            receivedFrom.add(f.from());
            try {
                deliver(received, receivedFrom);
            } finally {
                received.clear();
                receivedFrom.clear();
            }
        }
    }

    /** Collects the due connections under the table lock, then runs each under its own lock. */
    private void fireTimers() {
        long now = now();
        table.lock();
        try {
            wheel.advance(now, (ConnectionHandle h) -> due.add(h));
        } finally {
            table.unlock();
        }
        for (ConnectionHandle h : due) {
            h.lock.lock();
            try {
                if (h.connection.nextTimerMillis(now) <= now) {
                    h.connection.onTimer(now);
                }
                afterActivity(h, now);
            } catch (RuntimeException e) {
                LOG.warn("pqdtls: unexpected error in a connection timer", e);
            } finally {
                h.lock.unlock();
            }
        }
        due.clear();
    }

    // --- after any activity: output, state transitions, the next timer ---------------------

    /**
     * Sends what the connection produced, acts on a state change (established: register its CID
     * and announce it; ended: forget it) and sets its next timer. Caller holds the handle's lock
     * and not the table lock; any thread.
     */
    void afterActivity(ConnectionHandle h, long now) {
        flush(h);
        ConnectionHandle.Change change = h.observe();
        if (change == ConnectionHandle.Change.ESTABLISHED) {
            registerCid(h);
            owner.established(h);
            change = h.observe(); // it may have ended in the same batch
        }
        owner.activity(h); // after "established" and before "ended": the application's events stay in order
        if (change == ConnectionHandle.Change.ENDED) {
            if (forget(h)) {
                owner.ended(h, h.wasEstablished());
            }
            return;
        }
        table.lock();
        try {
            if (h.registered) {
                wheel.schedule(h, h.connection.nextTimerMillis(now));
            }
        } finally {
            table.unlock();
        }
    }

    /** The application called into the connection: same as the loop's own handling. */
    void afterApplicationCall(ConnectionHandle h, long now) {
        afterActivity(h, now);
    }

    /** Registers a new connection of this loop (a client's, before its first flight). */
    void register(ConnectionHandle h, long now) {
        table.lock();
        try {
            ConnectionHandle old = byAddress.putIfAbsent(h.connection.peer(), h);
            if (old != null) {
                throw new IllegalStateException("this endpoint already has a connection to "
                        + Display.address(h.connection.peer())
                        + "; one socket carries one connection per peer address (use another DtlsClient)");
            }
            h.registered = true;
            schedule(h, now);
        } finally {
            table.unlock();
        }
    }

    private void schedule(ConnectionHandle h, long now) {
        wheel.schedule(h, h.connection.nextTimerMillis(now));
    }

    private void registerCid(ConnectionHandle h) {
        byte[] cid = h.connection.ownConnectionId();
        if (cid.length == 0) {
            return;
        }
        table.lock();
        try {
            if (h.registered) {
                h.cid = CidKey.of(cid);
                byCid.put(h.cid, h);
            }
        } finally {
            table.unlock();
        }
    }

    /** Whether {@code cid} is in use on this loop (a server picking a fresh one). */
    boolean cidInUse(byte[] cid) {
        table.lock();
        try {
            return byCid.containsKey(probe.point(ByteBuffer.wrap(cid), 0, cid.length, cidScratch));
        } finally {
            table.unlock();
        }
    }

    /** Removes the connection from every index and the wheel; O(1). Returns whether it was there. */
    private boolean forget(ConnectionHandle h) {
        table.lock();
        try {
            if (!h.registered) {
                return false;
            }
            h.registered = false;
            byAddress.remove(h.connection.peer(), h);
            if (h.cid != null) {
                byCid.remove(h.cid, h);
            }
            wheel.cancel(h);
            return true;
        } finally {
            table.unlock();
        }
    }

    /** Sends everything the connection produced in one batch; a failed send is logged (UDP: lost, and retransmitted where it matters). */
    void flush(ConnectionHandle h) {
        try {
            send(h);
        } catch (SendBufferFullException e) {
            failedSend(e, h.connection.peer());
        }
    }

    /**
     * Sends everything the connection produced in one batch (one system call where the transport can).
     * A full local send buffer is reported to the caller, who then knows which datagrams were not sent
     * (an application's send must never lose one silently); other socket failures are lost datagrams,
     * as UDP allows.
     */
    void send(ConnectionHandle h) throws SendBufferFullException {
        List<ByteBuffer> batch = Thread.currentThread() == thread ? sendList : new ArrayList<>(4);
        for (ByteBuffer d = h.connection.pollOutgoing(); d != null; d = h.connection.pollOutgoing()) {
            batch.add(d);
        }
        if (!batch.isEmpty()) {
            try {
                send(batch, h.connection.peer());
            } finally {
                batch.clear();
            }
        }
    }

    void sendQuietly(List<ByteBuffer> datagrams, InetSocketAddress to) {
        try {
            send(datagrams, to);
        } catch (SendBufferFullException e) {
            failedSend(e, to);
        }
    }

    private void send(List<ByteBuffer> datagrams, InetSocketAddress to) throws SendBufferFullException {
        long bytes = 0;
        for (ByteBuffer d : datagrams) {
            bytes += d.remaining();
        }
        bytesOut.add(bytes);
        try {
            transport.send(datagrams, to);
        } catch (SendBufferFullException e) {
            throw e;
        } catch (IOException e) {
            failedSend(e, to);
        }
    }

    private void failedSend(IOException e, InetSocketAddress to) {
        if (e instanceof PortUnreachableException) {
            onUnreachable(); // a connected socket may report it on the next send instead of the receive
        } else {
            // UDP: a failed send is a lost datagram; retransmission covers the handshake.
            LOG.debug("send to {} failed", Display.address(to), e);
        }
    }

    /**
     * The kernel reported ICMP port unreachable for the peer of a connected socket (a one-off
     * client): a handshake in progress fails at once instead of retransmitting into the void. An
     * established connection carries on (the server may come back; alerts end it).
     */
    private void onUnreachable() {
        List<ConnectionHandle> all = connections();
        for (ConnectionHandle h : all) {
            h.lock.lock();
            try {
                // Only before the peer has answered: a server that did answer exists, and an ICMP
                // error later in the handshake is a lost datagram that retransmission covers (seen in
                // CI with wolfSSL's example server, whose port was briefly unbound after its
                // stateless HelloRetryRequest).
                if (h.connection.state() == Connection.State.HANDSHAKING && h.connection.recordsReceived() == 0) {
                    InetSocketAddress peer = h.connection.peer();
                    h.transportFailed(new PortUnreachableException("nothing is listening at "
                            + Display.address(peer) + " (the host answered ICMP port unreachable)"));
                }
            } finally {
                h.lock.unlock();
            }
        }
    }

    /** A snapshot of the loop's connections (for closing, and the rare unreachable report). */
    List<ConnectionHandle> connections() {
        table.lock();
        try {
            return new ArrayList<>(byAddress.values());
        } finally {
            table.unlock();
        }
    }

    int connectionCount() {
        table.lock();
        try {
            return byAddress.size();
        } finally {
            table.unlock();
        }
    }

    /**
     * Closes every connection (close_notify, after any send under way: it takes each connection's
     * lock), stops the thread (it notices within {@link #MAX_SLEEP_MILLIS} and runs the events of
     * those closings first) and closes the socket.
     */
    void close() {
        for (ConnectionHandle h : connections()) {
            h.lock.lock();
            try {
                h.connection.close();
                afterActivity(h, now());
            } finally {
                h.lock.unlock();
            }
        }
        closing = true;
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(2 * MAX_SLEEP_MILLIS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        transport.close();
        if (!thread.isAlive()) {
            runEvents(); // posted after the thread's last look, or it never started
        }
    }

    boolean isLoopThread() {
        return Thread.currentThread() == thread;
    }
}
