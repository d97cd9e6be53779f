package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.UdpEngineOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class NativeDatagramEngineTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WAIT = Duration.ofSeconds(5);

    @BeforeAll
    static void nativeLibraryLoads() {
        assumeTrue(NativeDatagramEngine.unavailableReason().isEmpty(),
                () -> "native library unavailable: " + NativeDatagramEngine.unavailableReason());
    }

    private static InetSocketAddress anyLoopbackPort() {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    private static UdpEngineOptions options() {
        return new UdpEngineOptions().receiveBufferSize(4 << 20).sendBufferSize(4 << 20);
    }

    /** Datagram i: its index in the first 4 bytes, then a pattern depending on i and the offset. */
    private static byte[] payload(int i, int length) {
        byte[] b = new byte[length];
        for (int j = 0; j < length; j++) {
            b[j] = (byte) (i * 31 + j * 7);
        }
        if (length >= 4) {
            ByteBuffer.wrap(b).putInt(0, i);
        }
        return b;
    }

    private static List<ByteBuffer> batch(int count, int length, int lastLength, boolean direct) {
        List<ByteBuffer> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] p = payload(i, i == count - 1 ? lastLength : length);
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(p.length) : ByteBuffer.allocate(p.length);
            b.put(p).flip();
            list.add(b);
        }
        return list;
    }

    private record Datagram(byte[] data, InetSocketAddress peer, int segmentSize) {
        int index() {
            return ByteBuffer.wrap(data).getInt(0);
        }
    }

    /** Receives until `expected` datagrams have arrived (each receive waits at most WAIT). */
    private static List<Datagram> receive(NativeDatagramEngine engine, int expected) throws IOException {
        List<Datagram> out = new ArrayList<>();
        while (out.size() < expected) {
            ReceivedDatagrams r = engine.receiveBatch(WAIT);
            assertTrue(r.count() > 0, () -> "timed out after " + out.size() + " of " + expected + " datagrams");
            for (int i = 0; i < r.count(); i++) {
                assertFalse(r.truncated(i));
                assertFalse(r.coalesced(i));
                out.add(new Datagram(r.toByteArray(i), r.peer(i), r.segmentSize(i)));
            }
        }
        assertEquals(expected, out.size());
        return out;
    }

    private static void assertBatch(List<Datagram> got, int count, int length, int lastLength, InetSocketAddress from) {
        boolean[] seen = new boolean[count];
        for (Datagram d : got) {
            int i = d.index();
            assertTrue(i >= 0 && i < count && !seen[i], "unexpected or repeated datagram " + i);
            seen[i] = true;
            assertArrayEquals(payload(i, i == count - 1 ? lastLength : length), d.data(), "content of datagram " + i);
            assertEquals(from, d.peer(), "peer of datagram " + i);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void descriptorLayoutMatchesTheLibrary() throws Throwable {
        long size = (long) NativeLibrary.downcall("pqdtls_udp_layout",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)).invokeExact(0);
        assertEquals(size, NativeUdp.DESCRIPTOR.byteSize());
        assertEquals(-1L, (long) NativeLibrary.downcall("pqdtls_udp_layout",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)).invokeExact(999));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void loopbackBatchOf64Datagrams() throws IOException {
        try (NativeDatagramEngine receiver = NativeDatagramEngine.open(anyLoopbackPort(), options());
             NativeDatagramEngine sender = NativeDatagramEngine.open(anyLoopbackPort(), options().gso(false))) {
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, receiver.localPort());
            List<ByteBuffer> datagrams = batch(64, 1200, 1200, true);
            assertEquals(64, sender.sendBatch(datagrams, to));
            assertTrue(datagrams.stream().noneMatch(ByteBuffer::hasRemaining), "positions advanced");
            assertEquals(0, sender.gsoDatagramsSent());
            assertEquals(1, sender.sendSyscalls(), "one sendmmsg for the batch");
            assertBatch(receive(receiver, 64), 64, 1200, 1200, sender.localAddress());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void heapBuffersAndBatchesLargerThanMaxBatch() throws IOException {
        try (NativeDatagramEngine receiver = NativeDatagramEngine.open(anyLoopbackPort(), options());
             NativeDatagramEngine sender = NativeDatagramEngine.open(anyLoopbackPort(),
                     options().gso(false).maxBatch(16))) {
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, receiver.localPort());
            assertEquals(40, sender.sendBatch(batch(40, 700, 700, false), to));
            assertEquals(3, sender.sendSyscalls(), "16 + 16 + 8");
            assertBatch(receive(receiver, 40), 40, 700, 700, sender.localAddress());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void gsoSendsOneSyscallWhenAvailable() throws IOException {
        NativeDatagramEngine.Capabilities caps = NativeDatagramEngine.capabilities();
        if (!caps.gso()) {
            System.out.println("skipping GSO test: UDP_SEGMENT is not supported by this kernel (" + caps + ")");
        }
        assumeTrue(caps.gso(), "UDP_SEGMENT not supported by this kernel");
        try (NativeDatagramEngine receiver = NativeDatagramEngine.open(anyLoopbackPort(), options());
             NativeDatagramEngine sender = NativeDatagramEngine.open(anyLoopbackPort(), options().gso(true))) {
            assertFalse(receiver.groEnabled());
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, receiver.localPort());
            assertEquals(32, sender.sendBatch(batch(32, 1200, 1200, true), to));
            assertEquals(32, sender.gsoDatagramsSent(), "all 32 went through UDP_SEGMENT");
            assertEquals(1, sender.sendSyscalls(), "one sendmsg");
            List<Datagram> got = receive(receiver, 32);
            assertBatch(got, 32, 1200, 1200, sender.localAddress());
            assertTrue(got.stream().allMatch(d -> d.segmentSize() == 0), "no GRO on this receiver");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void groReceiveSplitsACoalescedBufferInto32Datagrams() throws IOException {
        NativeDatagramEngine.Capabilities caps = NativeDatagramEngine.capabilities();
        if (!caps.gso() || !caps.gro()) {
            System.out.println("skipping GRO test: kernel capabilities " + caps);
        }
        assumeTrue(caps.gso() && caps.gro(), "needs UDP_SEGMENT and UDP_GRO");
        try (NativeDatagramEngine receiver = NativeDatagramEngine.open(anyLoopbackPort(), options().gro(true));
             NativeDatagramEngine sender = NativeDatagramEngine.open(anyLoopbackPort(), options().gso(true))) {
            assertTrue(receiver.groEnabled());
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, receiver.localPort());
            assertEquals(32, sender.sendBatch(batch(32, 1200, 1200, true), to));
            ReceivedDatagrams r = receiver.receiveBatch(WAIT);
            assertEquals(32, r.count(), "one coalesced buffer split into 32 descriptors");
            for (int i = 0; i < 32; i++) {
                assertEquals(1200, r.length(i));
                assertEquals(1200, r.segmentSize(i), "came from a GRO buffer");
                assertEquals(r.offset(0) + 1200L * i, r.offset(i), "segments are consecutive in the arena");
                assertArrayEquals(payload(i, 1200), r.toByteArray(i));
                assertEquals(sender.localAddress(), r.peer(i));
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void mixedSizesWithAShorterLastSegment() throws IOException {
        NativeDatagramEngine.Capabilities caps = NativeDatagramEngine.capabilities();
        try (NativeDatagramEngine plain = NativeDatagramEngine.open(anyLoopbackPort(), options());
             NativeDatagramEngine gro = NativeDatagramEngine.open(anyLoopbackPort(), options().gro(true));
             NativeDatagramEngine sender = NativeDatagramEngine.open(anyLoopbackPort(), options().gso(true))) {
            for (NativeDatagramEngine receiver : List.of(plain, gro)) {
                InetSocketAddress to = new InetSocketAddress(LOOPBACK, receiver.localPort());
                long gsoBefore = sender.gsoDatagramsSent();
                assertEquals(11, sender.sendBatch(batch(11, 1200, 500, true), to));
                if (caps.gso()) {
                    assertEquals(11, sender.gsoDatagramsSent() - gsoBefore, "eligible for GSO");
                }
                List<Datagram> got = receive(receiver, 11);
                assertBatch(got, 11, 1200, 500, sender.localAddress());
            }
            // Not eligible for GSO: a middle datagram differs, or the last is longer.
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, plain.localPort());
            for (int[] lengths : new int[][] {{1200, 900, 1200, 1200}, {1200, 1200, 1300}}) {
                long gsoBefore = sender.gsoDatagramsSent();
                List<ByteBuffer> list = new ArrayList<>();
                for (int i = 0; i < lengths.length; i++) {
                    list.add(ByteBuffer.wrap(payload(i, lengths[i])));
                }
                assertEquals(lengths.length, sender.sendBatch(list, to));
                assertEquals(gsoBefore, sender.gsoDatagramsSent(), "mixed sizes go through sendmmsg");
                List<Datagram> got = receive(plain, lengths.length);
                for (Datagram d : got) {
                    assertArrayEquals(payload(d.index(), lengths[d.index()]), d.data());
                }
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void sendingToAClosedPortDoesNotThrow() throws IOException {
        NativeDatagramEngine gone = NativeDatagramEngine.open(anyLoopbackPort(), options());
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, gone.localPort());
        gone.close();
        try (NativeDatagramEngine sender = NativeDatagramEngine.open(anyLoopbackPort(), options())) {
            // The ICMP port-unreachable of the first send must not surface on the next ones either.
            for (int round = 0; round < 3; round++) {
                assertEquals(8, sender.sendBatch(batch(8, 1200, 1200, true), to));
                assertEquals(0, sender.receiveBatch(Duration.ZERO).count());
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void receiveTimesOutWithZeroDatagrams() throws IOException {
        try (NativeDatagramEngine engine = NativeDatagramEngine.open(anyLoopbackPort(), options())) {
            long start = System.nanoTime();
            assertEquals(0, engine.receiveBatch(Duration.ofMillis(100)).count());
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 90, "waited " + elapsedMs + " ms");
            assertEquals(0, engine.receiveBatch(Duration.ZERO).count());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void closingTwiceIsHarmlessAndUseAfterCloseThrows() throws IOException {
        NativeDatagramEngine engine = NativeDatagramEngine.open(anyLoopbackPort(), options());
        InetSocketAddress self = new InetSocketAddress(LOOPBACK, engine.localPort());
        engine.close();
        engine.close();
        assertThrows(IOException.class, () -> engine.receiveBatch(Duration.ZERO));
        assertThrows(IOException.class, () -> engine.sendBatch(batch(1, 10, 10, false), self));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void errnoBecomesIOExceptionWithItsText() throws IOException {
        try (NativeDatagramEngine first = NativeDatagramEngine.open(anyLoopbackPort(), options())) {
            IOException e = assertThrows(IOException.class, () -> NativeDatagramEngine.open(
                    new InetSocketAddress(LOOPBACK, first.localPort()), options()));
            assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
            assertTrue(e.getMessage().contains("errno 98"), e.getMessage());
        }
        try (NativeDatagramEngine a = NativeDatagramEngine.open(anyLoopbackPort(), options().reusePort(true))) {
            NativeDatagramEngine.open(new InetSocketAddress(LOOPBACK, a.localPort()), options().reusePort(true)).close();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void interoperatesWithJavaDatagramSocket() throws IOException {
        try (NativeDatagramEngine engine = NativeDatagramEngine.open(anyLoopbackPort(), options());
             DatagramSocket java = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            java.setSoTimeout((int) WAIT.toMillis());
            InetSocketAddress javaAddress = new InetSocketAddress(LOOPBACK, java.getLocalPort());
            // Native sends, Java receives.
            assertEquals(8, engine.sendBatch(batch(8, 1000, 333, true), javaAddress));
            boolean[] seen = new boolean[8];
            for (int n = 0; n < 8; n++) {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                java.receive(p);
                byte[] data = Arrays.copyOf(p.getData(), p.getLength());
                int i = ByteBuffer.wrap(data).getInt(0);
                assertFalse(seen[i]);
                seen[i] = true;
                assertArrayEquals(payload(i, i == 7 ? 333 : 1000), data);
                assertEquals(engine.localAddress(), p.getSocketAddress());
            }
            // Java sends, native receives.
            InetSocketAddress engineAddress = new InetSocketAddress(LOOPBACK, engine.localPort());
            for (int i = 0; i < 5; i++) {
                byte[] p = payload(i, 100 + i);
                java.send(new DatagramPacket(p, p.length, engineAddress));
            }
            List<Datagram> got = receive(engine, 5);
            for (Datagram d : got) {
                assertArrayEquals(payload(d.index(), 100 + d.index()), d.data());
                assertEquals(javaAddress, d.peer());
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void dualStackEngineTalksToIpv4Peers() throws IOException {
        InetSocketAddress wildcard6 = new InetSocketAddress(InetAddress.getByName("::"), 0);
        try (NativeDatagramEngine v6 = NativeDatagramEngine.open(wildcard6, options());
             NativeDatagramEngine v4 = NativeDatagramEngine.open(anyLoopbackPort(), options())) {
            InetSocketAddress to6 = new InetSocketAddress(LOOPBACK, v6.localPort());
            assertEquals(3, v4.sendBatch(batch(3, 50, 50, false), to6));
            List<Datagram> got = receive(v6, 3);
            assertBatch(got, 3, 50, 50, v4.localAddress());
            assertEquals(3, v6.sendBatch(batch(3, 60, 60, false), new InetSocketAddress(LOOPBACK, v4.localPort())));
            assertBatch(receive(v4, 3), 3, 60, 60, new InetSocketAddress(LOOPBACK, v6.localPort()));
        }
    }

    /** When descriptors run out mid-split, the rest of a GRO buffer stays in one flagged descriptor. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void groSplitKeepsTheRestCoalescedWhenDescriptorsRunOut() throws Throwable {
        NativeDatagramEngine.Capabilities caps = NativeDatagramEngine.capabilities();
        assumeTrue(caps.gso() && caps.gro(), "needs UDP_SEGMENT and UDP_GRO");
        try (NativeDatagramEngine receiver = NativeDatagramEngine.open(anyLoopbackPort(), options().gro(true));
             NativeDatagramEngine sender = NativeDatagramEngine.open(anyLoopbackPort(), options().gso(true));
             Arena arena = Arena.ofConfined()) {
            assertEquals(32, sender.sendBatch(batch(32, 1200, 1200, true),
                    new InetSocketAddress(LOOPBACK, receiver.localPort())));
            MemorySegment data = arena.allocate(65536);
            MemorySegment descs = arena.allocate(NativeUdp.DESCRIPTOR, 8);
            MemorySegment scratch = arena.allocate(NativeUdp.scratchSize(1), NativeUdp.SCRATCH_ALIGN);
            int n = (int) NativeUdp.RECV_BATCH.invokeExact(receiver.fd(), data, data.byteSize(), 65536, descs, 8, 5000,
                    scratch, scratch.byteSize());
            assertEquals(8, n);
            for (int i = 0; i < 8; i++) {
                int flags = (int) NativeUdp.DESC_FLAGS.get(descs, 0L, (long) i);
                int length = (int) NativeUdp.DESC_LENGTH.get(descs, 0L, (long) i);
                int offset = (int) NativeUdp.DESC_OFFSET.get(descs, 0L, (long) i);
                assertEquals(1200, (int) NativeUdp.DESC_SEGMENT_SIZE.get(descs, 0L, (long) i));
                assertEquals(1200 * i, offset);
                assertEquals(i == 7 ? 25 * 1200 : 1200, length);
                assertEquals(i == 7 ? dev.pqdtls.nativeabi.UdpAbi.DESC_COALESCED : 0, flags);
                assertArrayEquals(payload(i, 1200), data.asSlice(offset, 1200).toArray(ValueLayout.JAVA_BYTE));
            }
            assertArrayEquals(payload(31, 1200), data.asSlice(31 * 1200, 1200).toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
