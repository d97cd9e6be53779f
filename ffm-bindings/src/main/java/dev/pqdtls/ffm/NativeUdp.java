package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Downcall handles and struct layouts for the batched UDP engine of {@code pqdtls.h}
 * ({@code pqdtls_udp_*}). Touch only after {@link NativeLibrary#unavailableReason()} came back empty.
 *
 * <p>The layouts of {@code pqdtls_udp_descriptor} and {@code pqdtls_udp_addr} are built from the
 * sizes and offsets that {@code pqdtls_udp_layout()} reports, never from a Java copy of the C struct.
 * Every {@code -errno} the engine returns becomes an {@link IOException} in {@link #check}.
 */
final class NativeUdp {
    // pqdtls.h constants.
    static final int INET = 4;
    static final int INET6 = 6;
    static final int CAP_GSO = 1;
    static final int CAP_GRO = 2;
    static final int SEND_GSO = 1;
    static final int SEND_NOWAIT = 2;
    static final int STAT_GSO_DATAGRAMS = 0;
    static final int STAT_SYSCALLS = 1;
    static final int STAT_COUNT = 2;
    static final int DESC_TRUNCATED = 1;
    static final int DESC_COALESCED = 2;

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

    private static final MethodHandle LAYOUT = NativeLibrary.downcall("pqdtls_udp_layout",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    static final MethodHandle SCRATCH_SIZE = NativeLibrary.downcall("pqdtls_udp_scratch_size",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    static final MethodHandle CAPS = NativeLibrary.downcall("pqdtls_udp_caps", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle OPEN = NativeLibrary.downcall("pqdtls_udp_open",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                    JAVA_INT));
    static final MethodHandle LOCAL_PORT = NativeLibrary.downcall("pqdtls_udp_local_port",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle GRO_ENABLED = NativeLibrary.downcall("pqdtls_udp_gro_enabled",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle CONNECT = NativeLibrary.downcall("pqdtls_udp_connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle CLOSE = NativeLibrary.downcall("pqdtls_udp_close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** May wait (poll) for socket buffer room: an ordinary downcall. */
    static final MethodHandle SEND_BATCH = NativeLibrary.downcall("pqdtls_udp_send_batch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                    ADDRESS, JAVA_LONG, ADDRESS));
    /** Waits up to its timeout: an ordinary downcall. */
    static final MethodHandle RECV_BATCH = NativeLibrary.downcall("pqdtls_udp_recv_batch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                    ADDRESS, JAVA_LONG));
    private static final MethodHandle STRERROR = NativeLibrary.downcall("pqdtls_udp_strerror",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    /** {@code pqdtls_udp_addr}, laid out from the native offsets. */
    static final StructLayout ADDR;
    /** {@code pqdtls_udp_descriptor}, laid out from the native offsets (the peer flattened in). */
    static final StructLayout DESCRIPTOR;
    static final long SCRATCH_ALIGN;

    // pqdtls_udp_addr fields: (segment, base offset).
    static final VarHandle ADDR_FAMILY;
    static final VarHandle ADDR_PORT;
    static final VarHandle ADDR_SCOPE_ID;
    static final long ADDR_BYTES_OFFSET;

    // Descriptor fields as array elements: (segment, base offset, index).
    static final VarHandle DESC_OFFSET;
    static final VarHandle DESC_LENGTH;
    static final VarHandle DESC_SEGMENT_SIZE;
    static final VarHandle DESC_FLAGS;
    static final VarHandle DESC_PEER_FAMILY;
    static final VarHandle DESC_PEER_PORT;
    static final VarHandle DESC_PEER_SCOPE_ID;
    /** Offset of the peer's 16 address bytes inside a descriptor. */
    static final long DESC_PEER_BYTES_OFFSET;
    /** Offset of the whole peer address (a zero-padded ADDR) inside a descriptor. */
    static final long DESC_PEER_OFFSET;

    static {
        ByteOrder order = ByteOrder.nativeOrder();
        long addrSize = layout(LAYOUT_ADDR_SIZE);
        long family = layout(LAYOUT_ADDR_FAMILY);
        long port = layout(LAYOUT_ADDR_PORT);
        long scope = layout(LAYOUT_ADDR_SCOPE_ID);
        long bytes = layout(LAYOUT_ADDR_BYTES);
        ADDR = struct(addrSize, List.of(
                new Field("family", family, JAVA_BYTE),
                new Field("port", port, JAVA_SHORT.withOrder(order)),
                new Field("scope_id", scope, JAVA_INT.withOrder(order)),
                new Field("addr", bytes, MemoryLayout.sequenceLayout(16, JAVA_BYTE))));
        ADDR_FAMILY = ADDR.varHandle(MemoryLayout.PathElement.groupElement("family"));
        ADDR_PORT = ADDR.varHandle(MemoryLayout.PathElement.groupElement("port"));
        ADDR_SCOPE_ID = ADDR.varHandle(MemoryLayout.PathElement.groupElement("scope_id"));
        ADDR_BYTES_OFFSET = bytes;

        long peer = layout(LAYOUT_DESC_PEER);
        DESCRIPTOR = struct(layout(LAYOUT_DESC_SIZE), List.of(
                new Field("offset", layout(LAYOUT_DESC_OFFSET), JAVA_INT.withOrder(order)),
                new Field("length", layout(LAYOUT_DESC_LENGTH), JAVA_INT.withOrder(order)),
                new Field("segment_size", layout(LAYOUT_DESC_SEGMENT_SIZE), JAVA_INT.withOrder(order)),
                new Field("flags", layout(LAYOUT_DESC_FLAGS), JAVA_INT.withOrder(order)),
                new Field("peer_family", peer + family, JAVA_BYTE),
                new Field("peer_port", peer + port, JAVA_SHORT.withOrder(order)),
                new Field("peer_scope_id", peer + scope, JAVA_INT.withOrder(order)),
                new Field("peer_addr", peer + bytes, MemoryLayout.sequenceLayout(16, JAVA_BYTE))));
        DESC_OFFSET = element("offset");
        DESC_LENGTH = element("length");
        DESC_SEGMENT_SIZE = element("segment_size");
        DESC_FLAGS = element("flags");
        DESC_PEER_FAMILY = element("peer_family");
        DESC_PEER_PORT = element("peer_port");
        DESC_PEER_SCOPE_ID = element("peer_scope_id");
        DESC_PEER_BYTES_OFFSET = peer + bytes;
        DESC_PEER_OFFSET = peer;
        SCRATCH_ALIGN = layout(LAYOUT_SCRATCH_ALIGN);
    }

    private NativeUdp() {
    }

    private record Field(String name, long offset, MemoryLayout layout) {
    }

    private static long layout(int item) {
        try {
            long value = (long) LAYOUT.invokeExact(item);
            if (value < 0) {
                throw new ExceptionInInitializerError("pqdtls_udp_layout(" + item + ") is unknown to the library");
            }
            return value;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** A struct of `size` bytes with the given fields at the given offsets, padding in between. */
    private static StructLayout struct(long size, List<Field> fields) {
        List<Field> sorted = new ArrayList<>(fields);
        sorted.sort(Comparator.comparingLong(Field::offset));
        List<MemoryLayout> members = new ArrayList<>();
        long at = 0;
        for (Field f : sorted) {
            if (f.offset() < at || f.offset() % f.layout().byteAlignment() != 0) {
                throw new ExceptionInInitializerError("native layout puts " + f.name() + " at " + f.offset()
                        + ", which overlaps or misaligns it");
            }
            if (f.offset() > at) {
                members.add(MemoryLayout.paddingLayout(f.offset() - at));
            }
            members.add(f.layout().withName(f.name()));
            at = f.offset() + f.layout().byteSize();
        }
        if (size < at) {
            throw new ExceptionInInitializerError("native struct size " + size + " is smaller than its fields (" + at + ")");
        }
        if (size > at) {
            members.add(MemoryLayout.paddingLayout(size - at));
        }
        return MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new));
    }

    private static VarHandle element(String name) {
        return DESCRIPTOR.arrayElementVarHandle(MemoryLayout.PathElement.groupElement(name));
    }

    /** Capability bits ({@link #CAP_GSO}, {@link #CAP_GRO}). */
    static int caps() {
        try {
            return (int) CAPS.invokeExact();
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static long scratchSize(int maxDatagrams) {
        try {
            return (long) SCRATCH_SIZE.invokeExact(maxDatagrams);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Linux's ECONNREFUSED (asm-generic/errno.h), what a connected UDP socket reports for ICMP port unreachable. */
    static final int ECONNREFUSED = 111;

    /** The one place where a negative return becomes an exception: returns rc when it is >= 0. */
    static int check(int rc, String operation) throws IOException {
        if (rc >= 0) {
            return rc;
        }
        if (rc == -ECONNREFUSED) {
            // A connected socket's peer answered with ICMP port unreachable: nothing listens there.
            throw new java.net.PortUnreachableException(operation + ": " + errorText(rc));
        }
        throw new IOException(operation + ": " + errorText(rc) + " (errno " + -rc + ")");
    }

    /** The C library's text for a negative errno. */
    static String errorText(int rc) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int n = (int) STRERROR.invokeExact(rc, buf, (int) buf.byteSize());
            return n < 0 ? "error " + rc : buf.getString(0);
        } catch (Throwable e) {
            return "error " + rc;
        }
    }

    static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e);
    }
}
