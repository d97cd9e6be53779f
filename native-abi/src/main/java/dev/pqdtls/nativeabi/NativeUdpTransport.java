package dev.pqdtls.nativeabi;

import dev.pqdtls.SendBufferFullException;
import dev.pqdtls.internal.recordlayer.SealingSender;
import dev.pqdtls.spi.DatagramTransport;
import dev.pqdtls.spi.RecordProtection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * The native backends' transport over their batched UDP engine: sendmmsg (UDP GSO where the kernel has
 * it) and recvmmsg with GRO splitting, plus the fused seal-and-send for records under native keys.
 * Received datagrams are views into the engine's receive arena, valid until {@code receive} returns.
 * Each backend supplies its engine through {@link Engine}.
 */
public final class NativeUdpTransport implements DatagramTransport, SealingSender {
    /** Receive slot size: a DTLS peer may send larger datagrams than our MTU (wolfSSL uses 1400). */
    public static final int MAX_DATAGRAM = 16 * 1024;

    /** One backend's batched UDP engine, as this transport drives it. */
    public interface Engine extends AutoCloseable {
        InetSocketAddress localAddress();

        int sendBatch(List<ByteBuffer> datagrams, InetSocketAddress peer) throws IOException;

        void connect(InetSocketAddress peer) throws IOException;

        /** Whether {@code protection} is this backend's native record protection. */
        boolean canSeal(RecordProtection protection);

        int sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
                List<ByteBuffer> contents, InetSocketAddress peer) throws IOException;

        /** One receive; the descriptors stay valid until the next. */
        ReceivedDescriptors receiveDescriptors(Duration timeout) throws IOException;

        /** The whole receive arena as one direct buffer. */
        ByteBuffer receiveArena();

        boolean gsoAvailable();

        /** Datagrams the kernel has accepted from this engine's send calls (counted in native code). */
        long datagramsSent();

        boolean groEnabled();

        @Override
        void close() throws IOException;
    }

    private final Engine engine;
    private final boolean offload;
    private final String via;
    private DatagramViews views;

    /** {@code via}: how the backend reaches the engine, for the description (e.g. "via JNA"), or "". */
    public NativeUdpTransport(Engine engine, boolean offload, String via) {
        this.engine = engine;
        this.offload = offload;
        this.via = via;
    }

    /** The engine options a transport with {@code options} opens its engine with. */
    public static UdpEngineOptions engineOptions(Options options) {
        return new UdpEngineOptions().gro(options.offload()).gso(options.offload()).reusePort(options.reusePort())
                .receiveBufferSize(options.receiveBufferSize()).sendBufferSize(options.sendBufferSize())
                .maxDatagramSize(MAX_DATAGRAM);
    }

    @Override
    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    @Override
    public void send(List<ByteBuffer> datagrams, InetSocketAddress peer) throws IOException {
        requireAllSent(engine.sendBatch(datagrams, peer), datagrams.size(), peer);
    }

    @Override
    public void connect(InetSocketAddress peer) throws IOException {
        engine.connect(peer);
    }

    @Override
    public boolean canSeal(RecordProtection protection) {
        return engine.canSeal(protection);
    }

    @Override
    public void sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
            List<ByteBuffer> contents, InetSocketAddress peer) throws IOException {
        requireAllSent(engine.sealAndSend(protection, epoch, cid, contentType, firstSequence, contents, peer),
                contents.size(), peer);
    }

    /**
     * The engine sends fewer than asked only when the socket's send buffer stayed full for its whole
     * wait (1 s, pqdtls_udp_send_batch): the rest were not sent, and the caller must hear it.
     */
    private static void requireAllSent(int sent, int asked, InetSocketAddress peer) throws SendBufferFullException {
        if (sent < asked) {
            throw new SendBufferFullException(sent, asked, peer);
        }
    }

    @Override
    public int receive(Duration timeout, Receiver sink) throws IOException {
        ReceivedDescriptors received = engine.receiveDescriptors(timeout);
        if (views == null) {
            views = new DatagramViews(engine.receiveArena());
        }
        return views.deliver(received, sink);
    }

    @Override
    public String description() {
        return "native sendmmsg/recvmmsg" + (via.isEmpty() ? "" : " " + via) + (offload && engine.gsoAvailable() ? " + GSO" : "")
                + (engine.groEnabled() ? " + GRO" : "");
    }

    @Override
    public void close() {
        try {
            engine.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
