package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.UdpEngineOptions;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Raw UDP throughput of {@link NativeDatagramEngine} over loopback: one sender thread, one receiver
 * thread, 1200-byte datagrams, for four modes: n=1 per syscall (sendto-style), sendmmsg(32),
 * GSO(32) into a plain receiver, GSO(32) into a UDP_GRO receiver. Prints datagrams/s sent and
 * received (received is what counts; the rest was dropped at the receive buffer). Indicative only.
 *
 * <p>Arguments: [seconds per mode, default 3] [datagram size, default 1200].
 */
public final class UdpThroughputProbe {
    private UdpThroughputProbe() {
    }

    /** batch 0: the JDK's DatagramChannel.send, one datagram per call (a control measured alongside). */
    private record Mode(String name, int batch, boolean gso, boolean gro) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 1200;
        NativeDatagramEngine.Capabilities caps = NativeDatagramEngine.capabilities();
        System.out.printf("UDP loopback, %d-byte datagrams, %.1f s per mode, %d CPUs, capabilities %s%n", size, seconds,
                Runtime.getRuntime().availableProcessors(), caps);
        List<Mode> modes = List.of(
                new Mode("JDK DatagramChannel", 0, false, false),
                new Mode("sendto-style (n=1)", 1, false, false),
                new Mode("sendmmsg(32)", 32, false, false),
                new Mode("GSO(32)", 32, true, false),
                new Mode("GSO(32)+GRO", 32, true, true));
        for (Mode mode : modes) {
            if ((mode.gso() && !caps.gso()) || (mode.gro() && !caps.gro())) {
                System.out.printf("%-20s skipped: kernel lacks it%n", mode.name());
                continue;
            }
            run(mode, size, seconds); // warm-up
            double[] r = run(mode, size, seconds);
            System.out.printf("%-20s sent %,12.0f /s   received %,12.0f /s   (%.2f Gbit/s received)%n", mode.name(), r[0],
                    r[1], r[1] * size * 8 / 1e9);
        }
    }

    /** Returns {sent per second, received per second}. */
    private static double[] run(Mode mode, int size, double seconds) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        UdpEngineOptions rx = new UdpEngineOptions().receiveBufferSize(32 << 20).gro(mode.gro());
        UdpEngineOptions tx = new UdpEngineOptions().sendBufferSize(8 << 20).gso(mode.gso())
                .maxBatch(Math.max(mode.batch(), 1));
        try (Arena arena = Arena.ofConfined();
             NativeDatagramEngine receiver = NativeDatagramEngine.open(new InetSocketAddress(loopback, 0), rx);
             NativeDatagramEngine sender = NativeDatagramEngine.open(new InetSocketAddress(loopback, 0), tx)) {
            List<MemorySegment> batch = new ArrayList<>();
            for (int i = 0; i < Math.max(1, mode.batch()); i++) {
                MemorySegment s = arena.allocate(size);
                s.fill((byte) i);
                batch.add(s);
            }
            InetSocketAddress to = new InetSocketAddress(loopback, receiver.localPort());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            AtomicLong receiveNanos = new AtomicLong();
            Thread rxThread = new Thread(() -> {
                long count = 0;
                long first = 0;
                long last = 0;
                try {
                    for (;;) {
                        int n = receiver.receiveBatch(Duration.ofMillis(50)).count();
                        if (n == 0 && stop.get()) {
                            break; // the sender is done and the queue is drained
                        }
                        if (n > 0) {
                            if (count == 0) {
                                first = System.nanoTime();
                            }
                            count += n;
                            last = System.nanoTime();
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                received.set(count);
                receiveNanos.set(last - first);
            }, "probe-receiver");
            rxThread.start();
            long sent = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now;
            if (mode.batch() == 0) {
                ByteBuffer buffer = batch.get(0).asByteBuffer();
                try (DatagramChannel channel = DatagramChannel.open()) {
                    channel.bind(new InetSocketAddress(loopback, 0));
                    do {
                        for (int i = 0; i < 64; i++) {
                            sent += channel.send(buffer.clear(), to) > 0 ? 1 : 0;
                        }
                        now = System.nanoTime();
                    } while (now < end);
                }
            } else {
                do {
                    for (int i = 0; i < 64; i++) {
                        sent += sender.sendSegments(batch, to);
                    }
                    now = System.nanoTime();
                } while (now < end);
            }
            double sendSeconds = (now - start) / 1e9;
            stop.set(true);
            rxThread.join();
            double rxSeconds = Math.max(receiveNanos.get() / 1e9, sendSeconds);
            return new double[] {sent / sendSeconds, received.get() / rxSeconds};
        }
    }
}
