package dev.pqdtls.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay between one client and one server on loopback, for tests: the client talks to
 * {@link #clientSide()}, the server sees the relay's server-facing socket as the client. {@link
 * #changeClientAddress()} moves the relay to a fresh server-facing socket (a new source port, as a
 * NAT rebinding would), while the old ones keep forwarding what the server still sends to them.
 */
public final class UdpRelay implements AutoCloseable {
    private final InetSocketAddress server;
    /** The loopback address the server sees the client at. */
    private final java.net.InetAddress source;
    private final DatagramSocket clientSide;
    private final List<DatagramSocket> serverSides = new CopyOnWriteArrayList<>();
    private volatile DatagramSocket current;
    private volatile InetSocketAddress client;
    private volatile boolean closed;
    private final AtomicLong toServer = new AtomicLong();
    private volatile byte[] lastToServer;

    public UdpRelay(InetSocketAddress server) throws IOException {
        this(server, java.net.InetAddress.getLoopbackAddress());
    }

    /** A relay whose server-facing sockets are bound to {@code source} (e.g. 127.0.0.2: another client address). */
    public UdpRelay(InetSocketAddress server, java.net.InetAddress source) throws IOException {
        this.server = server;
        this.source = source;
        this.clientSide = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        changeClientAddress();
        thread("relay-from-client", () -> {
            byte[] buf = new byte[65535];
            while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                clientSide.receive(p);
                client = (InetSocketAddress) p.getSocketAddress();
                lastToServer = java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
                current.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), server));
                toServer.incrementAndGet();
            }
        });
    }

    /** Where the client should send. */
    public InetSocketAddress clientSide() {
        return (InetSocketAddress) clientSide.getLocalSocketAddress();
    }

    /** The address the server sees now. */
    public InetSocketAddress addressSeenByServer() {
        return (InetSocketAddress) current.getLocalSocketAddress();
    }

    /** Datagrams forwarded to the server so far. */
    public long forwardedToServer() {
        return toServer.get();
    }

    /** Sends the client's last datagram to the server again (a replay, or a stale one). */
    public void replayLastToServer() throws IOException {
        byte[] d = lastToServer;
        current.send(new DatagramPacket(d, d.length, server));
    }

    /** Sends {@code datagram} to the server from the address the client appears at. */
    public void sendToServer(byte[] datagram) throws IOException {
        current.send(new DatagramPacket(datagram, datagram.length, server));
    }

    /** From now on the client's datagrams reach the server from a new source port. */
    public synchronized void changeClientAddress() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0));
        serverSides.add(s);
        current = s;
        thread("relay-from-server", () -> {
            byte[] buf = new byte[65535];
            while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                InetSocketAddress c = client;
                if (c != null) {
                    clientSide.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), c));
                }
            }
        });
    }

    private void thread(String name, RelayThreads.IoLoop body) {
        RelayThreads.start(name, body, () -> closed);
    }

    @Override
    public void close() {
        closed = true;
        clientSide.close();
        serverSides.forEach(DatagramSocket::close);
    }
}
