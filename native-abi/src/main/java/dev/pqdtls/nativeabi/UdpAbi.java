package dev.pqdtls.nativeabi;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.internal.recordlayer.EpochCipher;
import dev.pqdtls.internal.recordlayer.UnifiedHeader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.LongUnaryOperator;

/**
 * The batched UDP engine's contract ({@code pqdtls_udp_*} in {@code pqdtls.h}) for both native
 * backends: constants, the struct layouts as {@code pqdtls_udp_layout()} reports them (never a Java
 * copy of the C struct), encoding a peer address, and the one place where a negative return becomes
 * an exception.
 */
public final class UdpAbi {
    public static final int INET = 4;
    public static final int INET6 = 6;
    public static final int CAP_GSO = 1;
    public static final int CAP_GRO = 2;
    public static final int SEND_GSO = 1;
    public static final int SEND_NOWAIT = 2;
    public static final int STAT_GSO_DATAGRAMS = 0;
    public static final int STAT_SYSCALLS = 1;
    public static final int STAT_DATAGRAMS = 2;
    public static final int STAT_COUNT = 3;
    public static final int DESC_TRUNCATED = 1;
    public static final int DESC_COALESCED = 2;
    /** Bytes of an address in {@code pqdtls_udp_addr}. */
    public static final int ADDRESS_BYTES = 16;

    /** UDP_GRO never coalesces more than 64 segments into one buffer (UDP_GRO_CNT_MAX). */
    public static final int GRO_MAX_SEGMENTS = 64;
    /** Receive slot for GRO-coalesced buffers. */
    public static final int GRO_SLOT = 65536;

    /** Linux's ECONNREFUSED (asm-generic/errno.h), what a connected UDP socket reports for ICMP port unreachable. */
    public static final int ECONNREFUSED = 111;

    private static final int LAYOUT_DESC_SIZE = 0;
    private static final int LAYOUT_DESC_OFFSET = 1;
    private static final int LAYOUT_DESC_LENGTH = 2;
    private static final int LAYOUT_DESC_SEGMENT_SIZE = 3;
    private static final int LAYOUT_DESC_FLAGS = 4;
    private static final int LAYOUT_DESC_PEER = 5;
    private static final int LAYOUT_ADDR_SIZE = 6;
    private static final int LAYOUT_ADDR_FAMILY = 7;
    private static final int LAYOUT_ADDR_PORT = 8;
    private static final int LAYOUT_ADDR_SCOPE_ID = 9;
    private static final int LAYOUT_ADDR_BYTES = 10;
    private static final int LAYOUT_SCRATCH_ALIGN = 11;

    private UdpAbi() {
    }

    /**
     * Sizes, offsets and alignment of {@code pqdtls_udp_descriptor} and {@code pqdtls_udp_addr}.
     * Descriptor fields are 32-bit; the peer is an embedded address at {@code descPeer}.
     */
    public record Layout(long descSize, long descOffset, long descLength, long descSegmentSize, long descFlags,
            long descPeer, long addrSize, long addrFamily, long addrPort, long addrScopeId, long addrBytes,
            long scratchAlign) {

        /**
         * Asks the library ({@code pqdtls_udp_layout}) for every item and checks that the fields
         * neither overlap nor misalign.
         */
        public static Layout query(LongUnaryOperator item) {
            long[] v = new long[LAYOUT_SCRATCH_ALIGN + 1];
            for (int i = 0; i < v.length; i++) {
                v[i] = item.applyAsLong(i);
                if (v[i] < 0) {
                    throw new IllegalStateException("pqdtls_udp_layout(" + i + ") is unknown to the library");
                }
            }
            Layout layout = new Layout(v[LAYOUT_DESC_SIZE], v[LAYOUT_DESC_OFFSET], v[LAYOUT_DESC_LENGTH],
                    v[LAYOUT_DESC_SEGMENT_SIZE], v[LAYOUT_DESC_FLAGS], v[LAYOUT_DESC_PEER], v[LAYOUT_ADDR_SIZE],
                    v[LAYOUT_ADDR_FAMILY], v[LAYOUT_ADDR_PORT], v[LAYOUT_ADDR_SCOPE_ID], v[LAYOUT_ADDR_BYTES],
                    v[LAYOUT_SCRATCH_ALIGN]);
            checkFields("pqdtls_udp_addr", layout.addrSize, List.of(new Field("family", layout.addrFamily, 1),
                    new Field("port", layout.addrPort, 2), new Field("scope_id", layout.addrScopeId, 4),
                    new Field("addr", layout.addrBytes, ADDRESS_BYTES)));
            checkFields("pqdtls_udp_descriptor", layout.descSize, List.of(new Field("offset", layout.descOffset, 4),
                    new Field("length", layout.descLength, 4), new Field("segment_size", layout.descSegmentSize, 4),
                    new Field("flags", layout.descFlags, 4), new Field("peer", layout.descPeer, layout.addrSize)));
            if (layout.descSize % 4 != 0 || layout.descPeer % 4 != 0) {
                throw new IllegalStateException("pqdtls_udp_descriptor of " + layout.descSize
                        + " bytes is not an array of 32-bit words");
            }
            return layout;
        }

        /** A field as (name, offset, size); alignment is its size, except for arrays of bytes. */
        public record Field(String name, long offset, long size) {
        }

        private static void checkFields(String struct, long size, List<Field> fields) {
            List<Field> sorted = new ArrayList<>(fields);
            sorted.sort(Comparator.comparingLong(Field::offset));
            long at = 0;
            for (Field f : sorted) {
                long alignment = f.size() <= 8 ? f.size() : 1;
                if (f.offset() < at || f.offset() % alignment != 0) {
                    throw new IllegalStateException("native layout puts " + struct + "." + f.name() + " at "
                            + f.offset() + ", which overlaps or misaligns it");
                }
                at = f.offset() + f.size();
            }
            if (size < at) {
                throw new IllegalStateException("native " + struct + " size " + size + " is smaller than its fields ("
                        + at + ")");
            }
        }

        /**
         * Writes {@code peer} as a {@code pqdtls_udp_addr} at {@code base} of {@code target}, which
         * must be in native byte order; the rest of the struct is zeroed.
         */
        public void encodeAddress(ByteBuffer target, int base, InetSocketAddress peer) {
            if (peer.isUnresolved()) {
                throw new IllegalArgumentException("unresolved peer " + peer);
            }
            InetAddress address = peer.getAddress();
            for (int i = 0; i < addrSize; i++) {
                target.put(base + i, (byte) 0);
            }
            target.put(base + (int) addrFamily, (byte) (address instanceof Inet4Address ? INET : INET6));
            target.putShort(base + (int) addrPort, (short) peer.getPort());
            target.putInt(base + (int) addrScopeId, address instanceof Inet6Address v6 ? v6.getScopeId() : 0);
            byte[] bytes = address.getAddress();
            for (int i = 0; i < bytes.length; i++) {
                target.put(base + (int) addrBytes + i, bytes[i]);
            }
        }
    }

    /** The family code of {@code address}, as {@code pqdtls_udp_open} takes it. */
    public static int family(InetAddress address) {
        return address instanceof Inet4Address ? INET : INET6;
    }

    /** Milliseconds for the receive call: -1 (forever) for null or negative, rounded up otherwise. */
    public static int timeoutMillis(java.time.Duration timeout) {
        return timeout == null || timeout.isNegative() ? -1
                : (int) Math.min(Integer.MAX_VALUE, timeout.toMillis() + (timeout.toNanosPart() % 1_000_000 > 0 ? 1 : 0));
    }

    /**
     * The one place where a negative return of the UDP engine becomes an exception: returns rc when
     * it is >= 0. {@code errorText} gives the C library's text for a negative errno.
     */
    public static int check(int rc, String operation, IntFunction<String> errorText) throws IOException {
        if (rc >= 0) {
            return rc;
        }
        if (rc == -ECONNREFUSED) {
            // A connected socket's peer answered with ICMP port unreachable: nothing listens there.
            throw new PortUnreachableException(operation + ": " + errorText.apply(rc));
        }
        throw new IOException(operation + ": " + errorText.apply(rc) + " (errno " + -rc + ")");
    }

    /**
     * The result of a fused seal-and-send: the count sent, or an exception for a sealing failure
     * (an IllegalStateException) or a socket failure (IOException).
     */
    public static int checkSealSend(int rc, int records, InetSocketAddress peer, IntFunction<String> errorText)
            throws IOException {
        if (rc >= 0) {
            return rc; // messages are built only on failure: this is the per-batch hot path
        }
        if (NativeStatus.isDataPlaneError(rc)) {
            NativeStatus.check(rc, "sealing " + records + " records");
        }
        return check(rc, "sending " + records + " records to " + peer, errorText);
    }

    /** Bytes of the unified header that {@code pqdtls_dp_seal_send} writes before each record's content. */
    public static int sealHeaderLength(byte[] cid) {
        if (cid.length > 255) {
            throw new IllegalArgumentException("connection ID of " + cid.length + " bytes");
        }
        return UnifiedHeader.length(cid.length, 16, true);
    }

    /** The slot each record of a fused seal-and-send needs: header, largest content, type and the longest tag. */
    public static int sealSlot(byte[] cid, List<ByteBuffer> contents) {
        int largest = 0;
        for (ByteBuffer c : contents) {
            largest = Math.max(largest, c.remaining());
        }
        int slot = EpochCipher.protectedLength(cid.length, largest, CipherSuite.TAG_LENGTH);
        if (slot > 65535) {
            throw new IllegalArgumentException("record content of " + largest + " bytes does not fit a datagram");
        }
        return slot;
    }
}
