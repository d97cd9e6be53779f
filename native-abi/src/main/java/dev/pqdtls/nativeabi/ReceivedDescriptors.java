package dev.pqdtls.nativeabi;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The {@code pqdtls_udp_descriptor}s of one receive, copied by the backend into a Java {@code int[]}
 * once per batch (one bulk copy is cheaper than a checked native access per field) and read from
 * there with the offsets of {@link UdpAbi.Layout}. Only {@link #peer(int)} allocates, and only when
 * the sender differs from the previous call's: a batch usually comes from one peer.
 */
public final class ReceivedDescriptors {
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final int stride;
    private final int offset;
    private final int length;
    private final int segmentSize;
    private final int flags;
    private final int peer;
    private final int peerInts;
    private final long familyByte;
    private final long portByte;
    private final int scopeInt;
    private final long bytesByte;
    private final int[] fields;
    private final int[] lastPeerFields;
    private InetSocketAddress lastPeer;
    private int count;

    public ReceivedDescriptors(UdpAbi.Layout layout, int maxDescriptors) {
        this.stride = (int) (layout.descSize() / Integer.BYTES);
        this.offset = (int) (layout.descOffset() / Integer.BYTES);
        this.length = (int) (layout.descLength() / Integer.BYTES);
        this.segmentSize = (int) (layout.descSegmentSize() / Integer.BYTES);
        this.flags = (int) (layout.descFlags() / Integer.BYTES);
        this.peer = (int) (layout.descPeer() / Integer.BYTES);
        this.peerInts = (int) ((layout.addrSize() + Integer.BYTES - 1) / Integer.BYTES);
        this.familyByte = layout.addrFamily();
        this.portByte = layout.addrPort();
        this.scopeInt = (int) (layout.addrScopeId() / Integer.BYTES);
        this.bytesByte = layout.addrBytes();
        this.fields = new int[maxDescriptors * stride];
        this.lastPeerFields = new int[peerInts];
    }

    /** Descriptor words (32-bit, native order) per descriptor. */
    public int stride() {
        return stride;
    }

    /** Where the backend copies {@code n * stride()} words before {@link #loaded(int)}. */
    public int[] fields() {
        return fields;
    }

    /** Takes over the descriptors of a receive that returned {@code n} (0 after close). */
    public void loaded(int n) {
        count = n;
    }

    public int count() {
        return count;
    }

    public long offset(int i) {
        return Integer.toUnsignedLong(field(i, offset));
    }

    public int length(int i) {
        return field(i, length);
    }

    /** The GRO segment size of the coalesced buffer datagram i came from, or 0. */
    public int segmentSize(int i) {
        return field(i, segmentSize);
    }

    /** The datagram was longer than its receive slot and was cut. */
    public boolean truncated(int i) {
        return (field(i, flags) & UdpAbi.DESC_TRUNCATED) != 0;
    }

    /** Descriptors ran out: entry i still holds several segments of {@link #segmentSize(int)} bytes. */
    public boolean coalesced(int i) {
        return (field(i, flags) & UdpAbi.DESC_COALESCED) != 0;
    }

    public int peerPort(int i) {
        return unsigned(check(i) * stride + peer, portByte, 2);
    }

    /** The sender of datagram i (IPv4-mapped IPv6 senders are reported as IPv4). */
    public InetSocketAddress peer(int i) {
        int at = check(i) * stride + peer;
        if (lastPeer != null && Arrays.equals(fields, at, at + peerInts, lastPeerFields, 0, peerInts)) {
            return lastPeer;
        }
        int family = unsigned(at, familyByte, 1);
        byte[] bytes = new byte[family == UdpAbi.INET ? 4 : 16];
        for (int b = 0; b < bytes.length; b++) {
            bytes[b] = (byte) unsigned(at, bytesByte + b, 1);
        }
        InetSocketAddress decoded;
        try {
            int scope = fields[at + scopeInt];
            InetAddress address = family == UdpAbi.INET6 && scope != 0 ? Inet6Address.getByAddress(null, bytes, scope)
                    : InetAddress.getByAddress(bytes);
            decoded = new InetSocketAddress(address, peerPort(i));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("bad address from the native engine", e);
        }
        System.arraycopy(fields, at, lastPeerFields, 0, peerInts);
        lastPeer = decoded;
        return decoded;
    }

    /** An unsigned value of {@code size} bytes (1 or 2, not crossing a word) at byte {@code byteOffset} of word {@code base}. */
    private int unsigned(int base, long byteOffset, int size) {
        int word = fields[base + (int) (byteOffset / Integer.BYTES)];
        int within = (int) (byteOffset % Integer.BYTES);
        int shift = LITTLE_ENDIAN ? 8 * within : 8 * (Integer.BYTES - size - within);
        return (word >>> shift) & (size == 1 ? 0xFF : 0xFFFF);
    }

    private int field(int i, int index) {
        return fields[check(i) * stride + index];
    }

    private int check(int i) {
        Objects.checkIndex(i, count);
        return i;
    }
}
