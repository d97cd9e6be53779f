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

    /**
     * Socket settings from {@link dev.pqdtls.DtlsConfig}.
     *
     * @param receiveBufferSize SO_RCVBUF in bytes, 0 for the system default
     * @param sendBufferSize SO_SNDBUF in bytes, 0 for the system default
     * @param reusePort SO_REUSEPORT, so several sockets (threads) can share one port
     * @param offload UDP segmentation/receive offload (GSO/GRO) where the transport and kernel have it
     */
    record Options(int receiveBufferSize, int sendBufferSize, boolean reusePort, boolean offload) {
        public Options {
            if (receiveBufferSize < 0 || sendBufferSize < 0) {
                throw new IllegalArgumentException("socket buffer sizes must be >= 0");
            }
        }

        /** System defaults, offload on. */
        public static Options defaults() {
            return new Options(0, 0, false, true);
        }
    }

    /**
     * Receives the datagrams handed out by one {@link #receive} call: {@link #onDatagram} for each,
     * then {@link #endOfBatch}. The buffers stay valid until {@code receive} returns, so a receiver
     * may keep them until the end of the batch and process them together.
     */
    interface Receiver {
        void onDatagram(ByteBuffer datagram, InetSocketAddress from);

        /** Called once after the last datagram of a {@link #receive} call that delivered any. */
        default void endOfBatch() {
        }
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

    /**
     * Restricts the socket to one peer, so that an ICMP port unreachable from it makes the next
     * {@link #receive} throw {@link java.net.PortUnreachableException} (a client with one server fails
     * at once instead of timing out). Sends keep naming the peer. The default does nothing: a
     * transport that cannot connect simply never reports unreachable peers.
     */
    default void connect(InetSocketAddress peer) throws IOException {
    }

    /** What moves the datagrams, for logs and the probe, e.g. {@code DatagramSocket}. */
    String description();

    @Override
    void close();
}
