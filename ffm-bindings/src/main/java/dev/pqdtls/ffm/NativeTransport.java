package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.UdpEngineOptions;
import dev.pqdtls.internal.recordlayer.SealingSender;
import dev.pqdtls.nativeabi.DatagramViews;
import dev.pqdtls.spi.DatagramTransport;
import dev.pqdtls.spi.RecordProtection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * The ffm backend's transport: the native engine's batched sendmmsg (UDP GSO where the kernel has
 * it) and recvmmsg with GRO splitting, plus the fused seal-and-send for records under native keys.
 * Received datagrams are views into native memory, valid until {@code receive} returns.
 */
final class NativeTransport implements DatagramTransport, SealingSender {
    /** Receive slot size: a DTLS peer may send larger datagrams than our MTU (wolfSSL uses 1400). */
    private static final int MAX_DATAGRAM = 16 * 1024;

    private final NativeDatagramEngine engine;
    private final boolean offload;
    /** Reusable views of datagrams in the engine's receive arena (loop thread only). */
    private DatagramViews views;

    NativeTransport(InetSocketAddress bind, Options options) throws IOException {
        this.engine = NativeDatagramEngine.open(bind, new UdpEngineOptions()
                .gro(options.offload()).gso(options.offload()).reusePort(options.reusePort())
                .receiveBufferSize(options.receiveBufferSize()).sendBufferSize(options.sendBufferSize())
                .maxDatagramSize(MAX_DATAGRAM));
        this.offload = options.offload();
    }

    @Override
    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    @Override
    public void send(List<ByteBuffer> datagrams, InetSocketAddress peer) throws IOException {
        engine.sendBatch(datagrams, peer);
    }

    @Override
    public void connect(InetSocketAddress peer) throws IOException {
        engine.connect(peer);
    }

    @Override
    public boolean canSeal(RecordProtection protection) {
        return protection instanceof NativeRecordProtection;
    }

    @Override
    public void sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
            List<ByteBuffer> contents, InetSocketAddress peer) throws IOException {
        engine.sealAndSend((NativeRecordProtection) protection, epoch, cid, contentType, firstSequence, contents, peer);
    }

    @Override
    public int receive(Duration timeout, Receiver sink) throws IOException {
        ReceivedDatagrams r = engine.receiveBatch(timeout);
        if (views == null) {
            views = new DatagramViews(r.data().asByteBuffer());
        }
        return views.deliver(r.descriptors(), sink);
    }

    @Override
    public String description() {
        NativeDatagramEngine.Capabilities c = NativeDatagramEngine.capabilities();
        return "native sendmmsg/recvmmsg" + (offload && c.gso() ? " + GSO" : "") + (engine.groEnabled() ? " + GRO" : "");
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
