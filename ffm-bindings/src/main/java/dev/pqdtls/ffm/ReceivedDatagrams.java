package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.pqdtls.nativeabi.ReceivedDescriptors;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * The datagrams of a {@link NativeDatagramEngine#receiveBatch}: index {@code 0..count()-1}, valid until
 * the engine's next receive or close. The native descriptors are copied into a Java array once per
 * batch and read by the shared {@link ReceivedDescriptors}; only {@link #peer(int)} and
 * {@link #segment(int)} allocate.
 */
public final class ReceivedDatagrams {
    private final MemorySegment recvArena;
    private final MemorySegment descriptors;
    private final ReceivedDescriptors fields;

    ReceivedDatagrams(MemorySegment recvArena, MemorySegment descriptors, int maxDescriptors) {
        this.recvArena = recvArena;
        this.descriptors = descriptors;
        this.fields = new ReceivedDescriptors(NativeUdp.LAYOUT_INFO, maxDescriptors);
    }

    /** Takes over the descriptors of a receive that returned {@code n} (0 after close). */
    void load(int n) {
        MemorySegment.copy(descriptors, JAVA_INT, 0, fields.fields(), 0, n * fields.stride());
        fields.loaded(n);
    }

    /** The descriptors of this batch, as the shared contract reads them. */
    ReceivedDescriptors descriptors() {
        return fields;
    }

    public int count() {
        return fields.count();
    }

    /** The receive arena; datagram i is {@code length(i)} bytes at {@code offset(i)}. */
    public MemorySegment data() {
        return recvArena;
    }

    public long offset(int i) {
        return fields.offset(i);
    }

    public int length(int i) {
        return fields.length(i);
    }

    /** Datagram i as a slice of the arena. */
    public MemorySegment segment(int i) {
        return recvArena.asSlice(offset(i), length(i));
    }

    /** The GRO segment size of the coalesced buffer datagram i came from, or 0. */
    public int segmentSize(int i) {
        return fields.segmentSize(i);
    }

    /** The datagram was longer than its receive slot and was cut. */
    public boolean truncated(int i) {
        return fields.truncated(i);
    }

    /** Descriptors ran out: entry i still holds several segments of {@link #segmentSize(int)} bytes. */
    public boolean coalesced(int i) {
        return fields.coalesced(i);
    }

    public int peerPort(int i) {
        return fields.peerPort(i);
    }

    /** The sender of datagram i (IPv4-mapped IPv6 senders are reported as IPv4). */
    public InetSocketAddress peer(int i) {
        return fields.peer(i);
    }

    /** Copies datagram i into a new array. */
    public byte[] toByteArray(int i) {
        return segment(i).toArray(JAVA_BYTE);
    }
}
