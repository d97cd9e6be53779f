package dev.pqdtls.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * A UDP socket as the protocol engine uses it: batches of datagrams out, batches in. A backend may
 * supply a faster one (e.g. sendmmsg/GSO/GRO through native code) via
 * {@link CryptoBackend#openTransport}. One thread receives while others send.
 */
public interface DatagramTransport extends AutoCloseable {

    /** Receives datagrams handed out by {@link #receive}; the buffer is valid only during the call. */
    interface Receiver {
        void onDatagram(ByteBuffer datagram, InetSocketAddress from);
    }

    /** The bound address, with the actual port. */
    InetSocketAddress localAddress();

    /**
     * Sends each buffer (position to limit) as one datagram to {@code peer}, batching system calls
     * where the implementation can. A datagram the kernel refuses is lost, as UDP allows; an
     * exception means the socket itself failed.
     */
    void send(List<ByteBuffer> datagrams, InetSocketAddress peer) throws IOException;

    /**
     * Waits at most {@code timeout} for datagrams and hands each that arrived to {@code sink}.
     *
     * @return how many were handed out (0 on timeout)
     */
    int receive(Duration timeout, Receiver sink) throws IOException;

    /** What moves the datagrams, for logs and the probe, e.g. {@code DatagramSocket}. */
    String description();

    @Override
    void close();
}
