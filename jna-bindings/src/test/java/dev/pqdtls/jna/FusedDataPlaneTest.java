package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.UdpEngineOptions;
import dev.pqdtls.nativeabi.ReceivedDescriptors;
import dev.pqdtls.nativeabi.testing.FusedDataPlaneSuite;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.RecordProtection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link FusedDataPlaneSuite} on the jna backend's {@link JnaDatagramEngine}. */
class FusedDataPlaneTest extends FusedDataPlaneSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new JnaBackend();
    }

    @Override
    protected boolean gsoAndGro() {
        JnaDatagramEngine.Capabilities caps = JnaDatagramEngine.capabilities();
        return caps.gso() && caps.gro();
    }

    @Override
    protected Engine openEngine(UdpEngineOptions options) throws IOException {
        JnaDatagramEngine engine = JnaDatagramEngine.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                options);
        return new Engine() {
            @Override
            public int localPort() {
                return engine.localPort();
            }

            @Override
            public int sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType,
                    long firstSequence, List<ByteBuffer> contents, InetSocketAddress to) throws IOException {
                return engine.sealAndSend(protection, epoch, cid, contentType, firstSequence,
                        contents, to);
            }

            @Override
            public List<Received> receive(Duration wait) throws IOException {
                ReceivedDescriptors r = engine.receiveDescriptors(wait);
                List<Received> out = new ArrayList<>();
                for (int i = 0; i < r.count(); i++) {
                    out.add(new Received(engine.toByteArray(i), r.segmentSize(i)));
                }
                return out;
            }

            @Override
            public long gsoDatagramsSent() {
                return engine.gsoDatagramsSent();
            }

            @Override
            public long datagramsSent() {
                return engine.datagramsSent();
            }

            @Override
            public void close() throws IOException {
                engine.close();
            }
        };
    }
}
