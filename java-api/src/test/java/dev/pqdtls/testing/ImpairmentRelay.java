package dev.pqdtls.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A userspace UDP relay that impairs the path, for tests and the robustness bench: clients send to
 * {@link #clientSide()}, the relay forwards to the server from a server-facing socket of its own per
 * client (as a NAT would: the server sees one address per client) and forwards the server's answers
 * back, losing, duplicating, reordering and delaying datagrams in each direction as told (netem needs
 * privileges and a kernel module; this needs neither).
 *
 * <p>Every decision is drawn from a {@link Random} seeded per direction, in the order datagrams reach
 * the relay, so a run is repeatable up to the peers' own timing. A reordered datagram is held back for
 * {@link Impairment#reorderHold()} longer than the others, so the datagrams sent after it (the rest of
 * a flight) overtake it. Datagrams are delivered by one thread from a delay queue, in due order.
 *
 * <p>With {@link #captureToServer(boolean)} on, the relay keeps a copy of every datagram it forwards
 * to the server; with {@link #holdToServer(boolean)} on, it keeps them instead of forwarding them. Replay
 * and forgery tests send them (or altered copies) on with {@link #injectToServer}.
 */
public final class ImpairmentRelay implements AutoCloseable {
    /**
     * What one direction suffers.
     *
     * @param loss probability a datagram is dropped, [0, 1)
     * @param duplication probability a forwarded datagram is sent twice, [0, 1]
     * @param reordering probability a forwarded datagram is held back by {@code reorderHold}, [0, 1]
     * @param delay added to every datagram
     * @param reorderHold extra delay of a reordered datagram
     */
    public record Impairment(double loss, double duplication, double reordering, Duration delay, Duration reorderHold) {
        public Impairment {
            if (loss < 0 || loss >= 1 || duplication < 0 || duplication > 1 || reordering < 0 || reordering > 1) {
                throw new IllegalArgumentException("loss must be in [0, 1), duplication and reordering in [0, 1]: "
                        + loss + ", " + duplication + ", " + reordering);
            }
            if (delay.isNegative() || reorderHold.isNegative()) {
                throw new IllegalArgumentException("delays must not be negative");
            }
        }

        /** A clean path. */
        public static Impairment none() {
            return new Impairment(0, 0, 0, Duration.ZERO, Duration.ZERO);
        }

        /** Loss, duplication and reordering (held back 20 ms), no added delay. */
        public static Impairment of(double loss, double duplication, double reordering) {
            return new Impairment(loss, duplication, reordering, Duration.ZERO, Duration.ofMillis(20));
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%.0f%% loss, %.0f%% duplication, %.0f%% reordering (+%d ms)%s",
                    loss * 100, duplication * 100, reordering * 100, reorderHold.toMillis(),
                    delay.isZero() ? "" : ", +" + delay.toMillis() + " ms delay");
        }
    }

    /** Counts of one direction, as they stand. */
    public record Counts(long received, long forwarded, long lost, long duplicated, long reordered, long bytesReceived,
            long bytesForwarded) {
    }

    private final InetSocketAddress server;
    private final InetAddress source;
    private final DatagramSocket clientSide;
    private final Direction toServer;
    private final Direction toClient;
    /** The server-facing socket of each client (by the client's address). */
    private final Map<InetSocketAddress, DatagramSocket> serverSides = new ConcurrentHashMap<>();
    private final DelayQueue<Pending> queue = new DelayQueue<>();
    private final AtomicLong order = new AtomicLong();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<byte[]> captured = new CopyOnWriteArrayList<>();
    private volatile boolean capture;
    private volatile boolean hold;
    private volatile boolean closed;
    private final long startNanos = System.nanoTime();
    /** The fate of every datagram, when tracing ({@link #trace}); null otherwise. */
    private volatile List<String> trace;

    /**
     * Starts a relay to {@code server} whose server-facing sockets are bound to {@code source} (a
     * loopback address: 127.0.0.1, or any other in 127.0.0.0/8 to look like another host).
     */
    public ImpairmentRelay(InetSocketAddress server, Impairment toServer, Impairment toClient, long seed, InetAddress source)
            throws IOException {
        this.server = server;
        this.source = source;
        this.toServer = new Direction(toServer, new Random(seed));
        this.toClient = new Direction(toClient, new Random(seed * 31 + 17));
        this.clientSide = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread("impairment-relay-from-clients", () -> {
            byte[] buf = new byte[65535];
            while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                clientSide.receive(p);
                InetSocketAddress client = (InetSocketAddress) p.getSocketAddress();
                byte[] d = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
                if (capture || hold) {
                    captured.add(d);
                }
                DatagramSocket via = serverSide(client);
                if (!hold) {
                    this.toServer.submit(d, via, server);
                }
            }
        });
        thread("impairment-relay-delivery", () -> {
            while (!closed) {
                Pending p;
                try {
                    p = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    p.socket.send(new DatagramPacket(p.datagram, p.datagram.length, p.to));
                } catch (IOException e) {
                    if (closed) {
                        return;
                    }
                    // The peer's port went away (ICMP unreachable) or a socket closed: a lost datagram.
                }
            }
        });
    }

    /** A relay from 127.0.0.1 with the same impairment both ways. */
    public ImpairmentRelay(InetSocketAddress server, Impairment bothWays, long seed) throws IOException {
        this(server, bothWays, bothWays, seed, InetAddress.getLoopbackAddress());
    }

    /** Where clients send. */
    public InetSocketAddress clientSide() {
        return (InetSocketAddress) clientSide.getLocalSocketAddress();
    }

    /** The server this relay forwards to. */
    public InetSocketAddress server() {
        return server;
    }

    /** The addresses the server sees the relay's clients at. */
    public List<InetSocketAddress> addressesSeenByServer() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (DatagramSocket s : serverSides.values()) {
            out.add((InetSocketAddress) s.getLocalSocketAddress());
        }
        return out;
    }

    public Counts toServerCounts() {
        return toServer.counts();
    }

    public Counts toClientCounts() {
        return toClient.counts();
    }

    /** Starts noting every datagram's fate (time, direction, size, what it carries), for {@link #traceText()}. */
    public void trace() {
        trace = new CopyOnWriteArrayList<>();
    }

    /**
     * One line per datagram seen since {@link #trace()}: milliseconds since the relay started, {@code >}
     * (to the server) or {@code <}, its size, what it carries and its fate (lost, held back, doubled).
     */
    public String traceText() {
        List<String> t = trace;
        return t == null ? "" : String.join("\n", t);
    }

    /** Keeps (or stops keeping) a copy of every datagram that clients send to the server. */
    public void captureToServer(boolean on) {
        capture = on;
    }

    /** Keeps the clients' datagrams instead of forwarding them (or forwards again), for {@link #injectToServer}. */
    public void holdToServer(boolean on) {
        hold = on;
    }

    /** The datagrams captured or held so far, in the order clients sent them. */
    public List<byte[]> capturedToServer() {
        return List.copyOf(captured);
    }

    /** Forgets the datagrams captured so far. */
    public void clearCaptured() {
        captured.clear();
    }

    /**
     * Sends {@code datagram} to the server at once, unimpaired, from the server-facing socket of the
     * only client this relay has seen (a replay or a forgery the server must take as the client's).
     */
    public void injectToServer(byte[] datagram) throws IOException {
        if (serverSides.size() != 1) {
            throw new IllegalStateException("inject needs exactly one client behind the relay, has " + serverSides.size());
        }
        serverSides.values().iterator().next().send(new DatagramPacket(datagram, datagram.length, server));
    }

    private DatagramSocket serverSide(InetSocketAddress client) throws SocketException {
        DatagramSocket s = serverSides.get(client);
        if (s != null) {
            return s;
        }
        DatagramSocket fresh = new DatagramSocket(new InetSocketAddress(source, 0));
        serverSides.put(client, fresh);
        thread("impairment-relay-from-server", () -> {
            byte[] buf = new byte[65535];
            while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                fresh.receive(p);
                toClient.submit(Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()),
                        clientSide, client);
            }
        });
        return fresh;
    }

    /** One direction: its impairment, its random source and its counts. */
    private final class Direction {
        private final Impairment impairment;
        private final Random random;
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong forwarded = new AtomicLong();
        private final AtomicLong lost = new AtomicLong();
        private final AtomicLong duplicated = new AtomicLong();
        private final AtomicLong reordered = new AtomicLong();
        private final AtomicLong bytesReceived = new AtomicLong();
        private final AtomicLong bytesForwarded = new AtomicLong();

        Direction(Impairment impairment, Random random) {
            this.impairment = impairment;
            this.random = random;
        }

        /** Decides the datagram's fate (one reader thread per socket, so the random source is locked). */
        void submit(byte[] datagram, DatagramSocket via, InetSocketAddress to) {
            boolean toTheServer = this == ImpairmentRelay.this.toServer;
            received.incrementAndGet();
            bytesReceived.addAndGet(datagram.length);
            long now = System.nanoTime();
            boolean drop;
            boolean twice;
            boolean hold;
            synchronized (random) {
                drop = random.nextDouble() < impairment.loss();
                twice = random.nextDouble() < impairment.duplication();
                hold = random.nextDouble() < impairment.reordering();
            }
            List<String> t = trace;
            if (t != null) {
                t.add(String.format(java.util.Locale.ROOT, "%8.1f %s %5d %-24s %s", (now - startNanos) / 1e6,
                        toTheServer ? ">" : "<", datagram.length, describe(datagram),
                        drop ? "lost" : (hold ? "held" : "") + (twice ? " doubled" : "")));
            }
            if (drop) {
                lost.incrementAndGet();
                return;
            }
            long due = now + impairment.delay().toNanos() + (hold ? impairment.reorderHold().toNanos() : 0);
            if (hold) {
                reordered.incrementAndGet();
            }
            enqueue(datagram, via, to, due);
            if (twice) {
                duplicated.incrementAndGet();
                enqueue(datagram.clone(), via, to, due);
            }
        }

        private void enqueue(byte[] datagram, DatagramSocket via, InetSocketAddress to, long due) {
            forwarded.incrementAndGet();
            bytesForwarded.addAndGet(datagram.length);
            queue.add(new Pending(due, order.incrementAndGet(), datagram, via, to));
        }

        Counts counts() {
            return new Counts(received.get(), forwarded.get(), lost.get(), duplicated.get(), reordered.get(),
                    bytesReceived.get(), bytesForwarded.get());
        }
    }

    /**
     * What the first record of a datagram is: a plaintext record's type, epoch and (for handshake
     * records) message type, sequence and fragment offset; or "protected" for a unified header.
     */
    static String describe(byte[] d) {
        if (d.length < 1) {
            return "empty";
        }
        int type = d[0] & 0xFF;
        if ((type & 0xE0) == 0x20) {
            return "protected" + ((type & 0x10) != 0 ? " cid" : "") + " e" + (type & 0x03);
        }
        if (d.length < 13) {
            return "short " + type;
        }
        int epoch = (d[3] & 0xFF) << 8 | d[4] & 0xFF;
        String s = switch (type) {
            case 22 -> "hs";
            case 21 -> "alert";
            case 26 -> "ack";
            default -> "type" + type;
        } + " e" + epoch;
        if (type == 22 && d.length >= 25) {
            int msgSeq = (d[17] & 0xFF) << 8 | d[18] & 0xFF;
            int offset = (d[19] & 0xFF) << 16 | (d[20] & 0xFF) << 8 | d[21] & 0xFF;
            s += " m" + (d[13] & 0xFF) + " seq" + msgSeq + (offset == 0 ? "" : " @" + offset);
        }
        return s;
    }

    /** A datagram waiting for its time; ties go in arrival order. */
    private record Pending(long dueNanos, long order, byte[] datagram, DatagramSocket socket, InetSocketAddress to)
            implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Pending p = (Pending) o;
            int c = Long.compare(dueNanos, p.dueNanos);
            return c != 0 ? c : Long.compare(order, p.order);
        }
    }

    private void thread(String name, RelayThreads.IoLoop body) {
        threads.add(RelayThreads.start(name, body, () -> closed));
    }

    @Override
    public void close() {
        closed = true;
        clientSide.close();
        serverSides.values().forEach(DatagramSocket::close);
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
