package dev.pqdtls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An established DTLS 1.3 association carrying datagrams. Each {@code send} becomes one protected
 * record in one UDP datagram: delivery is unreliable and unordered, as with UDP, but every datagram
 * that arrives is authentic, fresh and unmodified. Thread-safe; {@code receive} blocks the calling
 * thread only (it parks nicely on virtual threads).
 */
public interface DtlsConnection extends AutoCloseable {

    /**
     * Sends one datagram of at most {@link #maxDatagramSize()} bytes (position to limit). When the
     * local socket's send buffer is full the call waits for room (up to 1 s) rather than drop the
     * datagram: a sender faster than the socket is slowed down, never silently truncated.
     *
     * @throws SendBufferFullException if the send buffer stayed full for that long: not sent
     * @throws DtlsException if the connection has failed or is closed
     * @throws IllegalArgumentException if the datagram is too large
     */
    void send(ByteBuffer datagram) throws IOException;

    /** Sends one datagram. */
    default void send(byte[] datagram) throws IOException {
        send(ByteBuffer.wrap(datagram));
    }

    /**
     * Sends several datagrams, each as {@link #send} would, and advances each buffer's position to
     * its limit. Either every datagram is accepted or none is (all are checked against
     * {@link #maxDatagramSize()} first). With the native backend the whole batch is sealed and
     * sent in one call into native code: one {@code sendmmsg}, or UDP GSO where the kernel has it.
     * Like {@link #send}, it waits for room in a full socket send buffer.
     *
     * @throws SendBufferFullException if the send buffer stayed full for 1 s: the first
     *     {@link SendBufferFullException#datagramsSent()} datagrams were sent (their positions moved),
     *     the others not
     */
    default void sendBatch(List<ByteBuffer> datagrams) throws IOException {
        for (ByteBuffer d : datagrams) {
            send(d);
        }
    }

    /**
     * Waits for the next datagram.
     *
     * @return the datagram, or empty if {@code timeout} passed first
     * @throws DtlsException if the connection failed or the peer closed it and nothing is left to read
     */
    Optional<byte[]> receive(Duration timeout) throws IOException;

    /**
     * Waits for datagrams and moves as many as are waiting, up to {@code into.size()}, into the
     * caller's buffers in order: buffer i is cleared, filled with the i-th datagram and flipped
     * (position 0, limit its length). One call, one lock, no allocation per datagram: the batch form of
     * {@link #receive(Duration)} for receivers that keep up with a fast sender. A datagram stops the
     * batch when it does not fit its buffer's capacity (it waits for the next call; buffers of
     * {@link #maxDatagramSize()} fit what a pqdtls peer with the same MTU sends).
     *
     * @return how many buffers were filled, 0 if {@code timeout} passed first
     * @throws IllegalArgumentException if the next datagram does not fit the first buffer (nothing is taken)
     * @throws DtlsException if the connection failed or the peer closed it and nothing is left to read
     */
    default int receive(List<ByteBuffer> into, Duration timeout) throws IOException {
        if (into.isEmpty()) {
            return 0;
        }
        Optional<byte[]> first = receive(timeout);
        if (first.isEmpty()) {
            return 0;
        }
        into.get(0).clear().put(first.get()).flip();
        return 1;
    }

    /** Waits as long as it takes for the next datagram. */
    default byte[] receive() throws IOException {
        return receive(Duration.ofDays(365 * 100L)).orElseThrow();
    }

    /** Largest datagram {@link #send} accepts, from the MTU and the record overhead. */
    int maxDatagramSize();

    /**
     * Starts a KeyUpdate (RFC 9147 §8); the new keys take over once the peer acknowledges it.
     *
     * @param requestPeerUpdate ask the peer to update its sending keys too
     * @return false if an update is already in progress
     */
    boolean keyUpdate(boolean requestPeerUpdate) throws IOException;

    /** Keying material exported per RFC 8446 §7.5 (e.g. for SRTP or channel binding). */
    byte[] exportKeyingMaterial(String label, byte[] context, int length);

    /** What the handshake negotiated. */
    SessionInfo session();

    /**
     * Whether the early data went as 0-RTT data that the server accepted: on a client, the
     * datagrams given to {@link DtlsClient#connect(InetSocketAddress, DtlsConfig, List)}; on a
     * server, those {@link #takeEarlyData()} returns. A client's early data the server refused was
     * sent again, as ordinary data, once the handshake completed.
     */
    default boolean earlyDataAccepted() {
        return false;
    }

    /**
     * On a server with {@link DtlsConfig#maxEarlyData()}: the 0-RTT datagrams the client sent with its
     * ClientHello (RFC 8446 §2.3), in arrival order, taken once; {@link #receive} returns only what
     * came after the handshake. An attacker can replay early data to another server that shares the
     * ticket keys (or to this one after a restart): act on it only if doing so twice is harmless.
     */
    default List<byte[]> takeEarlyData() {
        return List.of();
    }

    /** Counters so far. */
    ConnectionStats stats();

    /** True until the connection failed or either side closed it. */
    boolean isOpen();

    /** Sends close_notify and releases the connection's keys. */
    @Override
    void close();
}
