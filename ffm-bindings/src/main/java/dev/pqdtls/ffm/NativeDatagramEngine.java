package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.nativeabi.NativeUdpTransport;
import dev.pqdtls.nativeabi.ReceivedDescriptors;
import dev.pqdtls.nativeabi.UdpAbi;
import dev.pqdtls.spi.RecordProtection;
import dev.pqdtls.nativeabi.UdpEngineOptions;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A UDP socket driven by {@code libpqdtls_native}'s batched engine: one {@code sendmmsg} (or one
 * {@code UDP_SEGMENT} GSO {@code sendmsg}) per batch on the way out, one {@code recvmmsg} per batch
 * on the way in, with {@code UDP_GRO}-coalesced buffers split into one datagram each.
 *
 * <p>All native memory (pointer and length arrays, peer address, syscall scratch, receive arena and
 * descriptors) is allocated once per engine in a shared arena; steady-state batches allocate none.
 * The descriptor layout comes from the library ({@link NativeUdp}).
 *
 * <p>Threads: one thread may send while another receives; concurrent sends (or receives) serialise.
 * {@link #close()} waits for a send or receive in progress, so do not close while a receive with a
 * long timeout is waiting. The socket is non-blocking; receives wait with {@code poll(2)} inside the
 * native call, and a send whose socket buffer is full waits up to one second for room.
 */
public final class NativeDatagramEngine implements NativeUdpTransport.Engine {
    /** What the kernel offers. */
    public record Capabilities(boolean gso, boolean gro) {
    }

    private final Object sendLock = new Object();
    private final Object receiveLock = new Object();
    private final Arena arena = Arena.ofShared();
    private final InetAddress bindAddress;
    private final int port;
    private final boolean groEnabled;
    private final boolean gsoRequested;
    private final int maxBatch;
    private volatile int fd;

    // Send side (guarded by sendLock).
    private final MemorySegment sendPtrs;
    private final MemorySegment sendLens;
    private final MemorySegment sendPeer;
    private final MemorySegment sendScratch;
    private final MemorySegment sendStats;
    private Arena stagingArena;
    private MemorySegment staging = MemorySegment.NULL;
    private InetSocketAddress encodedPeer;
    /** Where sealAndSend builds its records: maxBatch slots of sealSlot bytes (grown on demand). */
    private Arena sealArena;
    private MemorySegment sealSlots = MemorySegment.NULL;
    private int sealSlot;
    private MemorySegment sealContentLengths = MemorySegment.NULL;
    private MemorySegment sealCid = MemorySegment.NULL;
    private final int[] contentLengthStage;

    // Receive side (guarded by receiveLock).
    private final MemorySegment recvArena;
    private final int slotLength;
    private final MemorySegment descriptors;
    private final int maxDescriptors;
    private final MemorySegment recvScratch;
    private final ReceivedDatagrams received;

    private NativeDatagramEngine(int fd, InetAddress bindAddress, UdpEngineOptions options) throws IOException {
        this.fd = fd;
        this.bindAddress = bindAddress;
        this.maxBatch = options.maxBatch();
        this.gsoRequested = options.gso();
        try {
            this.port = NativeUdp.check((int) NativeUdp.LOCAL_PORT.invokeExact(fd), "getsockname");
            this.groEnabled = options.gro()
                    && NativeUdp.check((int) NativeUdp.GRO_ENABLED.invokeExact(fd), "getsockopt(UDP_GRO)") == 1;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw NativeUdp.rethrow(e);
        }
        this.contentLengthStage = new int[maxBatch];
        long scratchBytes = NativeUdp.scratchSize(maxBatch);
        sendPtrs = arena.allocate(ADDRESS, maxBatch);
        sendLens = arena.allocate(JAVA_INT, maxBatch);
        sendPeer = arena.allocate(NativeUdp.ADDR);
        sendScratch = arena.allocate(scratchBytes, NativeUdp.SCRATCH_ALIGN);
        sendStats = arena.allocate(JAVA_LONG, UdpAbi.STAT_COUNT);

        UdpEngineOptions.ReceiveGeometry geometry = options.receiveGeometry(groEnabled);
        int slots = geometry.slots();
        slotLength = geometry.slotLength();
        maxDescriptors = geometry.maxDescriptors();
        recvArena = arena.allocate((long) slots * slotLength, 64);
        descriptors = arena.allocate(NativeUdp.DESCRIPTOR, maxDescriptors);
        recvScratch = arena.allocate(NativeUdp.scratchSize(slots), NativeUdp.SCRATCH_ALIGN);
        received = new ReceivedDatagrams(recvArena, descriptors, maxDescriptors);
    }

    /** Why the native library cannot be used, or empty when it can. */
    public static Optional<String> unavailableReason() {
        return NativeLibrary.unavailableReason();
    }

    /** GSO/GRO support of this kernel (GSO drops out once the kernel has refused a GSO send). */
    public static Capabilities capabilities() {
        int caps = NativeUdp.caps();
        return new Capabilities((caps & UdpAbi.CAP_GSO) != 0, (caps & UdpAbi.CAP_GRO) != 0);
    }

    /** Opens an engine bound to {@code bind} with default options. */
    public static NativeDatagramEngine open(InetSocketAddress bind) throws IOException {
        return open(bind, new UdpEngineOptions());
    }

    /**
     * Opens an engine bound to {@code bind} (port 0 for an ephemeral port). An IPv6 (including
     * wildcard {@code ::}) address gives a dual-stack socket that also talks to IPv4 peers.
     */
    public static NativeDatagramEngine open(InetSocketAddress bind, UdpEngineOptions options) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(options, "options");
        if (bind.isUnresolved()) {
            throw new IllegalArgumentException("unresolved bind address " + bind);
        }
        NativeLibrary.unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason, NativeLibrary.unavailabilityCause());
        });
        InetAddress address = bind.getAddress();
        byte[] bytes = address.getAddress();
        int family = UdpAbi.family(address);
        int fd;
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment addr = temp.allocateFrom(JAVA_BYTE, bytes);
            fd = (int) NativeUdp.OPEN.invokeExact(family, addr, bytes.length, bind.getPort(),
                    options.receiveBufferSize(), options.sendBufferSize(), options.reusePort() ? 1 : 0, options.gro() ? 1 : 0);
        } catch (Throwable e) {
            throw NativeUdp.rethrow(e);
        }
        NativeUdp.check(fd, "cannot open UDP socket on " + bind);
        try {
            return new NativeDatagramEngine(fd, address, options);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(fd);
            throw e;
        }
    }

    private static void closeQuietly(int fd) {
        try {
            int ignored = (int) NativeUdp.CLOSE.invokeExact(fd);
        } catch (Throwable ignored) {
            // Nothing better to do.
        }
    }

    @Override
    public boolean gsoAvailable() {
        return capabilities().gso();
    }

    @Override
    public boolean canSeal(RecordProtection protection) {
        return protection instanceof NativeRecordProtection;
    }

    @Override
    public int sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
            List<ByteBuffer> contents, InetSocketAddress peer) throws IOException {
        return sealAndSend((NativeRecordProtection) protection, epoch, cid, contentType, firstSequence, contents, peer);
    }

    @Override
    public ReceivedDescriptors receiveDescriptors(Duration timeout) throws IOException {
        return receiveBatch(timeout).descriptors();
    }

    @Override
    public ByteBuffer receiveArena() {
        return recvArena.asByteBuffer();
    }

    public int localPort() {
        return port;
    }

    public InetSocketAddress localAddress() {
        return new InetSocketAddress(bindAddress, port);
    }

    /** Whether UDP_GRO is on for this socket (asked for and supported). */
    public boolean groEnabled() {
        return groEnabled;
    }

    /** Datagrams this engine has sent inside UDP_SEGMENT (GSO) sendmsg calls. */
    public long gsoDatagramsSent() {
        return sendStats.getAtIndex(JAVA_LONG, UdpAbi.STAT_GSO_DATAGRAMS);
    }

    /** sendmsg/sendmmsg system calls this engine has made. */
    public long sendSyscalls() {
        return sendStats.getAtIndex(JAVA_LONG, UdpAbi.STAT_SYSCALLS);
    }

    @Override
    public long datagramsSent() {
        return sendStats.getAtIndex(JAVA_LONG, UdpAbi.STAT_DATAGRAMS);
    }

    /** The descriptor of the open socket. */
    int fd() {
        return fd;
    }

    /**
     * Sends the remaining bytes of each buffer as one datagram to {@code peer}, advancing the
     * positions of those sent. Direct buffers go to the kernel in place; heap buffers are copied
     * into reused native memory first. Batches where all datagrams but a shorter-or-equal last one
     * have the same size use GSO when available.
     *
     * @return datagrams sent: all of them unless the socket buffer stayed full for a second
     * @throws IOException with the C library's error text when the kernel refused the first datagram
     *     of a syscall
     */
    public int sendBatch(List<ByteBuffer> datagrams, InetSocketAddress peer) throws IOException {
        Objects.requireNonNull(datagrams, "datagrams");
        List<MemorySegment> views = new ArrayList<>(datagrams.size());
        for (ByteBuffer b : datagrams) {
            views.add(MemorySegment.ofBuffer(b)); // position..limit; direct buffers stay in place
        }
        int sent = sendSegments(views, peer);
        for (int i = 0; i < sent; i++) {
            ByteBuffer b = datagrams.get(i);
            b.position(b.limit());
        }
        Reference.reachabilityFence(datagrams);
        return sent;
    }

    /**
     * Sends each segment as one datagram to {@code peer}. Native segments go to the kernel in place
     * (their arenas must stay open for the call); heap segments are copied first.
     *
     * @return datagrams sent, as for {@link #sendBatch}
     */
    public int sendSegments(List<MemorySegment> datagrams, InetSocketAddress peer) throws IOException {
        Objects.requireNonNull(datagrams, "datagrams");
        synchronized (sendLock) {
            int fd = openFd();
            encodePeer(peer);
            int total = 0;
            int n = datagrams.size();
            while (total < n) {
                int k = Math.min(maxBatch, n - total);
                long heapBytes = 0;
                for (int i = 0; i < k; i++) {
                    MemorySegment s = datagrams.get(total + i);
                    if (!s.isNative()) {
                        heapBytes += s.byteSize();
                    }
                }
                MemorySegment stage = stagingFor(heapBytes);
                long stageAt = 0;
                for (int i = 0; i < k; i++) {
                    MemorySegment s = datagrams.get(total + i);
                    long len = s.byteSize();
                    if (len > 65535) {
                        throw new IllegalArgumentException("datagram of " + len + " bytes");
                    }
                    long address;
                    if (s.isNative()) {
                        address = s.address();
                    } else {
                        MemorySegment.copy(s, 0, stage, stageAt, len);
                        address = stage.address() + stageAt;
                        stageAt += len;
                    }
                    sendPtrs.setAtIndex(JAVA_LONG, i, address);
                    sendLens.setAtIndex(JAVA_INT, i, (int) len);
                }
                int sent = sendChunk(fd, k);
                total += sent;
                if (sent < k) {
                    break;
                }
            }
            Reference.reachabilityFence(datagrams);
            return total;
        }
    }

    /**
     * Seals each content buffer (position to limit; positions do not move) as one DTLS 1.3 record
     * of {@code contentType} in {@code epoch} under {@code protection}, numbered from
     * {@code firstSequence}, and sends each as one datagram to {@code peer}: one downcall per
     * {@code maxBatch} records, which builds the unified headers, seals, encrypts the record numbers
     * and sends with sendmmsg or GSO (DESIGN §4). The contents are copied once into native memory.
     *
     * @return datagrams sent: all of them unless the socket buffer stayed full for a second
     * @throws IOException with the C library's error text when the kernel refused the first datagram
     */
    int sealAndSend(NativeRecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
            List<ByteBuffer> contents, InetSocketAddress peer) throws IOException {
        int header = UdpAbi.sealHeaderLength(cid); // what pqdtls_dp_seal_send writes
        int slot = UdpAbi.sealSlot(cid, contents);
        synchronized (sendLock) {
            int fd = openFd();
            encodePeer(peer);
            ensureSealSlots(slot, cid);
            int total = 0;
            int n = contents.size();
            while (total < n) {
                int k = Math.min(maxBatch, n - total);
                for (int i = 0; i < k; i++) {
                    ByteBuffer c = contents.get(total + i);
                    int len = c.remaining();
                    MemorySegment.copy(MemorySegment.ofBuffer(c), 0, sealSlots, (long) i * sealSlot + header, len);
                    contentLengthStage[i] = len;
                }
                MemorySegment.copy(contentLengthStage, 0, sealContentLengths, JAVA_INT, 0, k);
                int rc;
                try {
                    rc = (int) NativeAbi.DP_SEAL_SEND.invokeExact(protection.handle(), fd, epoch, sealCid, cid.length,
                            contentType, firstSequence + total, k, sealSlots, sealSlot, sealContentLengths, sendPtrs,
                            sendLens, sendPeer, gsoRequested ? UdpAbi.SEND_GSO : 0, sendScratch,
                            sendScratch.byteSize(), sendStats);
                } catch (Throwable e) {
                    throw NativeUdp.rethrow(e);
                }
                UdpAbi.checkSealSend(rc, k, encodedPeer, NativeUdp::errorText);
                int sent = rc;
                total += sent;
                if (sent < k) {
                    break;
                }
            }
            Reference.reachabilityFence(contents);
            return total;
        }
    }

    /** Makes room for maxBatch records of {@code slot} bytes and stores the CID in native memory. */
    private void ensureSealSlots(int slot, byte[] cid) {
        int rounded = (slot + 63) & ~63;
        if (rounded > sealSlot) {
            if (sealArena != null) {
                sealArena.close();
            }
            sealArena = Arena.ofShared();
            sealSlot = Math.max(rounded, 2048);
            sealSlots = sealArena.allocate((long) maxBatch * sealSlot, 64);
            sealContentLengths = sealArena.allocate(JAVA_INT, maxBatch);
            sealCid = sealArena.allocate(256);
        }
        MemorySegment.copy(cid, 0, sealCid, JAVA_BYTE, 0, cid.length);
    }

    private int sendChunk(int fd, int k) throws IOException {
        int flags = gsoRequested ? UdpAbi.SEND_GSO : 0;
        int rc;
        try {
            rc = (int) NativeUdp.SEND_BATCH.invokeExact(fd, k, sendPtrs, sendLens, sendPeer, 1, flags, sendScratch,
                    sendScratch.byteSize(), sendStats);
        } catch (Throwable e) {
            throw NativeUdp.rethrow(e);
        }
        return rc >= 0 ? rc : NativeUdp.check(rc, "sending " + k + " datagrams to " + encodedPeer);
    }

    /**
     * Restricts the socket to {@code peer}, so an ICMP port unreachable from it surfaces as a
     * {@link java.net.PortUnreachableException} from the next receive (a client with one server).
     */
    public void connect(InetSocketAddress peer) throws IOException {
        synchronized (sendLock) {
            encodePeer(peer);
            int rc;
            try {
                rc = (int) NativeUdp.CONNECT.invokeExact(fd, sendPeer);
            } catch (Throwable e) {
                throw NativeUdp.rethrow(e);
            }
            NativeUdp.check(rc, "connecting the UDP socket to " + peer);
        }
    }

    private void encodePeer(InetSocketAddress peer) {
        Objects.requireNonNull(peer, "peer");
        if (peer.equals(encodedPeer)) {
            return;
        }
        NativeUdp.LAYOUT_INFO.encodeAddress(sendPeer.asByteBuffer().order(ByteOrder.nativeOrder()), 0, peer);
        encodedPeer = peer;
    }

    /** Reused native staging for heap data; grows (replacing its arena) only when a batch needs more. */
    private MemorySegment stagingFor(long bytes) {
        if (bytes == 0) {
            return staging;
        }
        if (staging.byteSize() < bytes) {
            if (stagingArena != null) {
                stagingArena.close();
            }
            stagingArena = Arena.ofShared();
            staging = stagingArena.allocate(Math.max(bytes, 64L * 1024), 64);
        }
        return staging;
    }

    /**
     * Waits up to {@code timeout} for datagrams and returns those that arrived, at most one batch.
     * The returned view (the same object every time) is valid until the next receive or close.
     *
     * @param timeout {@link Duration#ZERO} to poll without waiting; null or negative to wait forever
     */
    public ReceivedDatagrams receiveBatch(Duration timeout) throws IOException {
        int ms = UdpAbi.timeoutMillis(timeout);
        synchronized (receiveLock) {
            int fd = openFd();
            int rc;
            try {
                rc = (int) NativeUdp.RECV_BATCH.invokeExact(fd, recvArena, recvArena.byteSize(), slotLength, descriptors,
                        maxDescriptors, ms, recvScratch, recvScratch.byteSize());
            } catch (Throwable e) {
                throw NativeUdp.rethrow(e);
            }
            received.load(rc >= 0 ? rc : NativeUdp.check(rc, "receiving on port " + port));
            return received;
        }
    }

    private int openFd() throws IOException {
        int fd = this.fd;
        if (fd < 0) {
            throw new IOException("engine closed");
        }
        return fd;
    }

    /** Closes the socket and frees the engine's memory; later calls are no-ops. */
    @Override
    public void close() throws IOException {
        synchronized (sendLock) {
            synchronized (receiveLock) {
                int fd = this.fd;
                if (fd < 0) {
                    return;
                }
                this.fd = -1;
                int rc;
                try {
                    rc = (int) NativeUdp.CLOSE.invokeExact(fd);
                } catch (Throwable e) {
                    throw NativeUdp.rethrow(e);
                } finally {
                    if (stagingArena != null) {
                        stagingArena.close();
                        stagingArena = null;
                        staging = MemorySegment.NULL;
                    }
                    if (sealArena != null) {
                        sealSlots.fill((byte) 0); // a failed seal may have left plaintext behind
                        sealArena.close();
                        sealArena = null;
                    }
                    received.load(0);
                    arena.close();
                }
                NativeUdp.check(rc, "close");
            }
        }
    }
}
