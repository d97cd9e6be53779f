package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The datagrams of a {@link NativeDatagramEngine#receiveBatch}: index {@code 0..count()-1}, valid until
 * the engine's next receive or close. The native descriptors are copied into a Java array once per
 * batch (one bulk copy is cheaper than a checked segment access per field); only {@link #peer(int)}
 * and {@link #segment(int)} allocate.
 */
public final class ReceivedDatagrams {
    private static final int STRIDE = (int) (NativeUdp.DESCRIPTOR.byteSize() / Integer.BYTES);
    private static final int OFFSET = intIndex("offset");
    private static final int LENGTH = intIndex("length");
    private static final int SEGMENT_SIZE = intIndex("segment_size");
    private static final int FLAGS = intIndex("flags");
    private static final int PEER = (int) (NativeUdp.DESC_PEER_OFFSET / Integer.BYTES);
    private static final int PEER_INTS = (int) (NativeUdp.ADDR.byteSize() / Integer.BYTES);

    private final MemorySegment recvArena;
    private final MemorySegment descriptors;
    private final int[] fields;
    private final int[] lastPeerFields = new int[PEER_INTS];
    private InetSocketAddress lastPeer;
    private int count;

    ReceivedDatagrams(MemorySegment recvArena, MemorySegment descriptors, int maxDescriptors) {
        this.recvArena = recvArena;
        this.descriptors = descriptors;
        this.fields = new int[maxDescriptors * STRIDE];
    }

    private static int intIndex(String field) {
        return (int) (NativeUdp.DESCRIPTOR.byteOffset(MemoryLayout.PathElement.groupElement(field))
                / Integer.BYTES);
    }

    /** Takes over the descriptors of a receive that returned {@code n} (0 after close). */
    void load(int n) {
        count = n;
        MemorySegment.copy(descriptors, JAVA_INT, 0, fields, 0, n * STRIDE);
    }

    public int count() {
        return count;
    }

    /** The receive arena; datagram i is {@code length(i)} bytes at {@code offset(i)}. */
    public MemorySegment data() {
        return recvArena;
    }

    public long offset(int i) {
        return Integer.toUnsignedLong(field(i, OFFSET));
    }

    public int length(int i) {
        return field(i, LENGTH);
    }

    /** Datagram i as a slice of the arena. */
    public MemorySegment segment(int i) {
        return recvArena.asSlice(offset(i), length(i));
    }

    /** The GRO segment size of the coalesced buffer datagram i came from, or 0. */
    public int segmentSize(int i) {
        return field(i, SEGMENT_SIZE);
    }

    /** The datagram was longer than its receive slot and was cut. */
    public boolean truncated(int i) {
        return (field(i, FLAGS) & NativeUdp.DESC_TRUNCATED) != 0;
    }

    /** Descriptors ran out: entry i still holds several segments of {@link #segmentSize(int)} bytes. */
    public boolean coalesced(int i) {
        return (field(i, FLAGS) & NativeUdp.DESC_COALESCED) != 0;
    }

    public int peerPort(int i) {
        return Short.toUnsignedInt((short) NativeUdp.DESC_PEER_PORT.get(descriptors, 0L, (long) check(i)));
    }

    /**
     * The sender of datagram i (IPv4-mapped IPv6 senders are reported as IPv4). Allocates only
     * when the sender differs from the previous call's: a batch usually comes from one peer.
     */
    public InetSocketAddress peer(int i) {
        int at = check(i) * STRIDE + PEER;
        if (lastPeer != null && Arrays.equals(fields, at, at + PEER_INTS, lastPeerFields, 0, PEER_INTS)) {
            return lastPeer;
        }
        InetSocketAddress peer = decodePeer(i, (long) i * NativeUdp.DESCRIPTOR.byteSize());
        System.arraycopy(fields, at, lastPeerFields, 0, PEER_INTS);
        lastPeer = peer;
        return peer;
    }

    private InetSocketAddress decodePeer(int i, long base) {
        int family = (byte) NativeUdp.DESC_PEER_FAMILY.get(descriptors, 0L, (long) i);
        byte[] bytes = new byte[family == NativeUdp.INET ? 4 : 16];
        MemorySegment.copy(descriptors, JAVA_BYTE, base + NativeUdp.DESC_PEER_BYTES_OFFSET, bytes, 0, bytes.length);
        try {
            InetAddress address;
            if (family == NativeUdp.INET6) {
                int scope = (int) NativeUdp.DESC_PEER_SCOPE_ID.get(descriptors, 0L, (long) i);
                address = scope != 0 ? Inet6Address.getByAddress(null, bytes, scope) : InetAddress.getByAddress(bytes);
            } else {
                address = InetAddress.getByAddress(bytes);
            }
            return new InetSocketAddress(address, peerPort(i));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("bad address from the native engine", e);
        }
    }

    /** Copies datagram i into a new array. */
    public byte[] toByteArray(int i) {
        return segment(i).toArray(JAVA_BYTE);
    }

    private int field(int i, int index) {
        return fields[check(i) * STRIDE + index];
    }

    private int check(int i) {
        Objects.checkIndex(i, count);
        return i;
    }
}
