package dev.pqdtls.jna;

import dev.pqdtls.internal.recordlayer.SealingSender;
import dev.pqdtls.nativeabi.DatagramViews;
import dev.pqdtls.nativeabi.UdpEngineOptions;
import dev.pqdtls.spi.DatagramTransport;
import dev.pqdtls.spi.RecordProtection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * The jna backend's transport, as the ffm backend's: batched sendmmsg (UDP GSO where the kernel has
 * it) and recvmmsg with GRO splitting, plus the fused seal-and-send for records under native keys.
 * Received datagrams are views into native memory, valid until {@code receive} returns.
 */
final class JnaTransport implements DatagramTransport, SealingSender {
    /** Receive slot size: a DTLS peer may send larger datagrams than our MTU (wolfSSL uses 1400). */
    private static final int MAX_DATAGRAM = 16 * 1024;

    private final JnaDatagramEngine engine;
    private final boolean offload;
    private final DatagramViews views;

    JnaTransport(InetSocketAddress bind, Options options) throws IOException {
        this.engine = JnaDatagramEngine.open(bind, new UdpEngineOptions()
                .gro(options.offload()).gso(options.offload()).reusePort(options.reusePort())
                .receiveBufferSize(options.receiveBufferSize()).sendBufferSize(options.sendBufferSize())
                .maxDatagramSize(MAX_DATAGRAM));
        this.offload = options.offload();
        this.views = new DatagramViews(engine.receiveArena());
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
        return protection instanceof JnaRecordProtection;
    }

    @Override
    public void sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
            List<ByteBuffer> contents, InetSocketAddress peer) throws IOException {
        engine.sealAndSend((JnaRecordProtection) protection, epoch, cid, contentType, firstSequence, contents, peer);
    }

    @Override
    public int receive(Duration timeout, Receiver sink) throws IOException {
        return views.deliver(engine.receiveBatch(timeout), sink);
    }

    @Override
    public String description() {
        JnaDatagramEngine.Capabilities c = JnaDatagramEngine.capabilities();
        return "native sendmmsg/recvmmsg via JNA" + (offload && c.gso() ? " + GSO" : "")
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
