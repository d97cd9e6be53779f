package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.NativeUdpTransport;
import dev.pqdtls.nativeabi.ReceivedDescriptors;
import dev.pqdtls.spi.RecordProtection;
import dev.pqdtls.nativeabi.UdpAbi;
import dev.pqdtls.nativeabi.UdpEngineOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A UDP socket driven by {@code libpqdtls_native}'s batched engine through JNA, as the ffm backend's
 * {@code NativeDatagramEngine}: one {@code sendmmsg} (or one {@code UDP_SEGMENT} GSO {@code sendmsg})
 * per batch out, one {@code recvmmsg} per batch in, GRO-coalesced buffers split into one datagram
 * each, and the fused seal-and-send. All native memory is allocated once per engine; Java reaches it
 * through buffer views, so steady-state batches allocate none and make one native call each.
 *
 * <p>Threads: one thread may send while another receives; concurrent sends (or receives) serialise.
 * {@link #close()} waits for a send or receive in progress.
 */
final class JnaDatagramEngine implements NativeUdpTransport.Engine {
    private static final UdpAbi.Layout LAYOUT = UdpAbi.Layout.query(item -> PqdtlsNative.pqdtls_udp_layout((int) item));

    /** What the kernel offers. */
    record Capabilities(boolean gso, boolean gro) {
    }

    private final Object sendLock = new Object();
    private final Object receiveLock = new Object();
    private final InetAddress bindAddress;
    private final int port;
    private final boolean groEnabled;
    private final boolean gsoRequested;
    private final int maxBatch;
    private volatile int fd;

    // Send side (guarded by sendLock).
    private final NativeMemory sendPtrs;
    private final NativeMemory sendLens;
    private final NativeMemory sendPeer;
    private final NativeMemory sendScratch;
    private final NativeMemory sendStats;
    private NativeMemory staging;
    private InetSocketAddress encodedPeer;
    /** Where sealAndSend builds its records: maxBatch slots of sealSlot bytes (grown on demand). */
    private NativeMemory sealSlots;
    private int sealSlot;
    private final NativeMemory sealContentLengths;
    private final NativeMemory sealCid;

    // Receive side (guarded by receiveLock).
    private final NativeMemory recvArena;
    private final int slotLength;
    private final NativeMemory descriptors;
    private final IntBuffer descriptorWords;
    private final int maxDescriptors;
    private final NativeMemory recvScratch;
    private final ReceivedDescriptors received;

    private JnaDatagramEngine(int fd, InetAddress bindAddress, UdpEngineOptions options) throws IOException {
        this.fd = fd;
        this.bindAddress = bindAddress;
        this.maxBatch = options.maxBatch();
        this.gsoRequested = options.gso();
        this.port = check(PqdtlsNative.pqdtls_udp_local_port(fd), "getsockname");
        this.groEnabled = options.gro() && check(PqdtlsNative.pqdtls_udp_gro_enabled(fd), "getsockopt(UDP_GRO)") == 1;
        long scratchBytes = PqdtlsNative.pqdtls_udp_scratch_size(maxBatch);
        sendPtrs = NativeMemory.allocate((long) maxBatch * Long.BYTES, 8);
        sendLens = NativeMemory.allocate((long) maxBatch * Integer.BYTES, 8);
        sendPeer = NativeMemory.allocate(LAYOUT.addrSize(), 8);
        sendScratch = NativeMemory.allocate(scratchBytes, LAYOUT.scratchAlign());
        sendStats = NativeMemory.allocate((long) UdpAbi.STAT_COUNT * Long.BYTES, 8);
        sealContentLengths = NativeMemory.allocate((long) maxBatch * Integer.BYTES, 8);
        sealCid = NativeMemory.allocate(256, 8);

        UdpEngineOptions.ReceiveGeometry geometry = options.receiveGeometry(groEnabled);
        slotLength = geometry.slotLength();
        maxDescriptors = geometry.maxDescriptors();
        recvArena = NativeMemory.allocate((long) geometry.slots() * slotLength, 64);
        descriptors = NativeMemory.allocate(LAYOUT.descSize() * maxDescriptors, 8);
        descriptorWords = descriptors.buffer.asIntBuffer();
        recvScratch = NativeMemory.allocate(PqdtlsNative.pqdtls_udp_scratch_size(geometry.slots()), LAYOUT.scratchAlign());
        received = new ReceivedDescriptors(LAYOUT, maxDescriptors);
    }

    /** Why the native library cannot be used, or empty when it can. */
    static Optional<String> unavailableReason() {
        return PqdtlsLibrary.unavailableReason();
    }

    /** GSO/GRO support of this kernel (GSO drops out once the kernel has refused a GSO send). */
    static Capabilities capabilities() {
        int caps = PqdtlsNative.pqdtls_udp_caps();
        return new Capabilities((caps & UdpAbi.CAP_GSO) != 0, (caps & UdpAbi.CAP_GRO) != 0);
    }

    /**
     * Opens an engine bound to {@code bind} (port 0 for an ephemeral port). An IPv6 (including
     * wildcard {@code ::}) address gives a dual-stack socket that also talks to IPv4 peers.
     */
    static JnaDatagramEngine open(InetSocketAddress bind, UdpEngineOptions options) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(options, "options");
        if (bind.isUnresolved()) {
            throw new IllegalArgumentException("unresolved bind address " + bind);
        }
        PqdtlsLibrary.unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason, PqdtlsLibrary.unavailabilityCause());
        });
        InetAddress address = bind.getAddress();
        byte[] bytes = address.getAddress();
        NativeMemory addr = NativeMemory.allocate(bytes.length, 8);
        addr.put(0, bytes);
        int fd = PqdtlsNative.pqdtls_udp_open(UdpAbi.family(address), addr.address, bytes.length, bind.getPort(),
                options.receiveBufferSize(), options.sendBufferSize(), options.reusePort() ? 1 : 0, options.gro() ? 1 : 0);
        check(fd, "cannot open UDP socket on " + bind);
        try {
            return new JnaDatagramEngine(fd, address, options);
        } catch (IOException | RuntimeException | Error e) {
            PqdtlsNative.pqdtls_udp_close(fd);
            throw e;
        }
    }

    int localPort() {
        return port;
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress(bindAddress, port);
    }

    @Override
    public boolean groEnabled() {
        return groEnabled;
    }

    /** Datagrams this engine has sent inside UDP_SEGMENT (GSO) sendmsg calls. */
    long gsoDatagramsSent() {
        return sendStats.buffer.getLong(UdpAbi.STAT_GSO_DATAGRAMS * Long.BYTES);
    }

    /** sendmsg/sendmmsg system calls this engine has made. */
    long sendSyscalls() {
        return sendStats.buffer.getLong(UdpAbi.STAT_SYSCALLS * Long.BYTES);
    }

    @Override
    public long datagramsSent() {
        return sendStats.buffer.getLong(UdpAbi.STAT_DATAGRAMS * Long.BYTES);
    }

    /**
     * Sends the remaining bytes of each buffer as one datagram to {@code peer}, advancing the
     * positions of those sent. Direct buffers go to the kernel in place; heap buffers are copied into
     * reused native memory first.
     *
     * @return datagrams sent: all of them unless the socket buffer stayed full for a second
     */
    @Override
    public int sendBatch(List<ByteBuffer> datagrams, InetSocketAddress peer) throws IOException {
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
                    ByteBuffer b = datagrams.get(total + i);
                    if (b.remaining() > 65535) {
                        throw new IllegalArgumentException("datagram of " + b.remaining() + " bytes");
                    }
                    heapBytes += b.isDirect() ? 0 : b.remaining();
                }
                NativeMemory stage = stagingFor(heapBytes);
                int stageAt = 0;
                for (int i = 0; i < k; i++) {
                    ByteBuffer b = datagrams.get(total + i);
                    int len = b.remaining();
                    long address;
                    if (b.isDirect()) {
                        address = NativeMemory.positionAddress(b);
                    } else {
                        stage.buffer.put(stageAt, b, b.position(), len);
                        address = stage.address + stageAt;
                        stageAt += len;
                    }
                    sendPtrs.buffer.putLong(i * Long.BYTES, address);
                    sendLens.buffer.putInt(i * Integer.BYTES, len);
                }
                int rc = PqdtlsNative.pqdtls_udp_send_batch(fd, k, sendPtrs.address, sendLens.address, sendPeer.address, 1,
                        gsoRequested ? UdpAbi.SEND_GSO : 0, sendScratch.address, sendScratch.size(), sendStats.address);
                int sent = check(rc, "sending " + k + " datagrams to " + encodedPeer);
                for (int i = 0; i < sent; i++) {
                    ByteBuffer b = datagrams.get(total + i);
                    b.position(b.limit());
                }
                total += sent;
                if (sent < k) {
                    break;
                }
            }
            java.lang.ref.Reference.reachabilityFence(datagrams);
            return total;
        }
    }

    /**
     * Seals each content buffer (position to limit; positions do not move) as one DTLS 1.3 record
     * of {@code contentType} in {@code epoch} under {@code protection}, numbered from
     * {@code firstSequence}, and sends each as one datagram to {@code peer}: one native call per
     * {@code maxBatch} records (DESIGN §4). The contents are copied once into native memory.
     *
     * @return datagrams sent: all of them unless the socket buffer stayed full for a second
     */
    @Override
    public boolean canSeal(RecordProtection protection) {
        return protection instanceof JnaRecordProtection;
    }

    @Override
    public boolean gsoAvailable() {
        return capabilities().gso();
    }

    @Override
    public int sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
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
                    sealSlots.buffer.put(i * sealSlot + header, c, c.position(), len);
                    sealContentLengths.buffer.putInt(i * Integer.BYTES, len);
                }
                int rc = PqdtlsNative.pqdtls_dp_seal_send(((JnaRecordProtection) protection).handle(), fd, epoch, sealCid.address, cid.length,
                        contentType, firstSequence + total, k, sealSlots.address, sealSlot, sealContentLengths.address,
                        sendPtrs.address, sendLens.address, sendPeer.address, gsoRequested ? UdpAbi.SEND_GSO : 0,
                        sendScratch.address, sendScratch.size(), sendStats.address);
                int sent = UdpAbi.checkSealSend(rc, k, encodedPeer, JnaDatagramEngine::errorText);
                total += sent;
                if (sent < k) {
                    break;
                }
            }
            return total;
        }
    }

    /** Makes room for maxBatch records of {@code slot} bytes and stores the CID in native memory. */
    private void ensureSealSlots(int slot, byte[] cid) {
        int rounded = (slot + 63) & ~63;
        if (rounded > sealSlot) {
            if (sealSlots != null) {
                sealSlots.wipe(sealSlots.size());
            }
            sealSlot = Math.max(rounded, 2048);
            sealSlots = NativeMemory.allocate((long) maxBatch * sealSlot, 64);
        }
        sealCid.put(0, cid);
    }

    /**
     * Restricts the socket to {@code peer}, so an ICMP port unreachable from it surfaces as a
     * {@link java.net.PortUnreachableException} from the next receive.
     */
    @Override
    public void connect(InetSocketAddress peer) throws IOException {
        synchronized (sendLock) {
            encodePeer(peer);
            check(PqdtlsNative.pqdtls_udp_connect(fd, sendPeer.address), "connecting the UDP socket to " + peer);
        }
    }

    private void encodePeer(InetSocketAddress peer) {
        Objects.requireNonNull(peer, "peer");
        if (!peer.equals(encodedPeer)) {
            LAYOUT.encodeAddress(sendPeer.buffer, 0, peer);
            encodedPeer = peer;
        }
    }

    private NativeMemory stagingFor(long bytes) {
        if (bytes > 0 && (staging == null || staging.size() < bytes)) {
            staging = NativeMemory.allocate(Math.max(bytes, 64L * 1024), 64);
        }
        return staging;
    }

    /**
     * Waits up to {@code timeout} for datagrams and returns their descriptors (the same object
     * every time), valid until the next receive or close; the bytes are in {@link #receiveArena()}.
     *
     * @param timeout {@link Duration#ZERO} to poll; null or negative to wait forever
     */
    @Override
    public ReceivedDescriptors receiveDescriptors(Duration timeout) throws IOException {
        synchronized (receiveLock) {
            int fd = openFd();
            int rc = PqdtlsNative.pqdtls_udp_recv_batch(fd, recvArena.address, recvArena.size(), slotLength,
                    descriptors.address, maxDescriptors, UdpAbi.timeoutMillis(timeout), recvScratch.address,
                    recvScratch.size());
            int n = check(rc, "receiving on port " + port);
            descriptorWords.get(0, received.fields(), 0, n * received.stride());
            received.loaded(n);
            return received;
        }
    }

    /** The receive arena as one buffer (its own view; position and limit are the caller's). */
    @Override
    public ByteBuffer receiveArena() {
        return recvArena.buffer.duplicate();
    }

    /** Datagram i of the last receive, copied. */
    byte[] toByteArray(int i) {
        byte[] out = new byte[received.length(i)];
        recvArena.buffer.get((int) received.offset(i), out, 0, out.length);
        return out;
    }

    private int openFd() throws IOException {
        int fd = this.fd;
        if (fd < 0) {
            throw new IOException("engine closed");
        }
        return fd;
    }

    /** Closes the socket; later calls are no-ops. Memory goes with the engine. */
    @Override
    public void close() throws IOException {
        synchronized (sendLock) {
            synchronized (receiveLock) {
                int fd = this.fd;
                if (fd < 0) {
                    return;
                }
                this.fd = -1;
                if (sealSlots != null) {
                    sealSlots.wipe(sealSlots.size()); // a failed seal may have left plaintext behind
                }
                received.loaded(0);
                check(PqdtlsNative.pqdtls_udp_close(fd), "close");
            }
        }
    }

    private static int check(int rc, String operation) throws IOException {
        return UdpAbi.check(rc, operation, JnaDatagramEngine::errorText);
    }

    /** The C library's text for a negative errno. */
    static String errorText(int rc) {
        NativeMemory buffer = NativeMemory.allocate(256, 8);
        int n = PqdtlsNative.pqdtls_udp_strerror(rc, buffer.address, 256);
        if (n < 0) {
            return "error " + rc;
        }
        int end = 0;
        while (end < 256 && buffer.buffer.get(end) != 0) {
            end++;
        }
        return new String(buffer.get(0, end), java.nio.charset.StandardCharsets.UTF_8);
    }
}
