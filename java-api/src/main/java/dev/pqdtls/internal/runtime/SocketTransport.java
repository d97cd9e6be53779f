package dev.pqdtls.internal.runtime;

import dev.pqdtls.spi.DatagramTransport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/** The portable transport: the JDK's DatagramSocket, one system call per datagram. */
public final class SocketTransport implements DatagramTransport {
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramSocket socket;
    private final byte[] receiveBuffer = new byte[MAX_DATAGRAM];
    private final DatagramPacket packet = new DatagramPacket(receiveBuffer, MAX_DATAGRAM);
    private int timeoutMillis = -1;

    public SocketTransport(InetSocketAddress bind, Options options) throws IOException {
        DatagramSocket s = new DatagramSocket(null);
        try {
            if (options.reusePort()) {
                if (!s.supportedOptions().contains(java.net.StandardSocketOptions.SO_REUSEPORT)) {
                    throw new IOException("SO_REUSEPORT is not supported on this platform; turn DtlsConfig.reusePort off");
                }
                s.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (options.receiveBufferSize() > 0) {
                s.setReceiveBufferSize(options.receiveBufferSize());
            }
            if (options.sendBufferSize() > 0) {
                s.setSendBufferSize(options.sendBufferSize());
            }
            s.bind(bind);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        this.socket = s;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void send(List<ByteBuffer> datagrams, InetSocketAddress peer) throws IOException {
        for (ByteBuffer d : datagrams) {
            byte[] bytes;
            int offset;
            if (d.hasArray()) {
                bytes = d.array();
                offset = d.arrayOffset() + d.position();
            } else {
                bytes = new byte[d.remaining()];
                d.duplicate().get(bytes);
                offset = 0;
            }
            // A connected socket takes no address (the JDK refuses one it does not consider equal).
            socket.send(socket.isConnected() ? new DatagramPacket(bytes, offset, d.remaining())
                    : new DatagramPacket(bytes, offset, d.remaining(), peer));
        }
    }

    @Override
    public int receive(Duration timeout, Receiver sink) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (millis != timeoutMillis) {
            socket.setSoTimeout(millis);
            timeoutMillis = millis;
        }
        packet.setLength(MAX_DATAGRAM);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return 0;
        }
        sink.onDatagram(ByteBuffer.wrap(receiveBuffer, 0, packet.getLength()), (InetSocketAddress) packet.getSocketAddress());
        sink.endOfBatch();
        return 1;
    }

    @Override
    public void connect(InetSocketAddress peer) throws IOException {
        socket.connect(peer);
    }

    @Override
    public String description() {
        return "DatagramSocket";
    }

    @Override
    public void close() {
        socket.close();
    }
}
