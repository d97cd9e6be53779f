package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.pqdtls.nativeabi.UdpAbi;
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
 * Every {@code -errno} the engine returns becomes an {@link IOException} in {@link #check} ({@link UdpAbi}).
 */
final class NativeUdp {
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

    /** Sizes and offsets as the library reports them (checked by the shared contract). */
    static final UdpAbi.Layout LAYOUT_INFO = UdpAbi.Layout.query(NativeUdp::layout);
    /** {@code pqdtls_udp_addr}, laid out from the native offsets. */
    static final StructLayout ADDR;
    /** {@code pqdtls_udp_descriptor}, laid out from the native offsets (the peer flattened in). */
    static final StructLayout DESCRIPTOR;
    static final long SCRATCH_ALIGN = LAYOUT_INFO.scratchAlign();

    // Descriptor fields as array elements: (segment, base offset, index).
    static final VarHandle DESC_OFFSET;
    static final VarHandle DESC_LENGTH;
    static final VarHandle DESC_SEGMENT_SIZE;
    static final VarHandle DESC_FLAGS;

    static {
        ByteOrder order = ByteOrder.nativeOrder();
        UdpAbi.Layout l = LAYOUT_INFO;
        ADDR = struct(l.addrSize(), List.of(
                new Field("family", l.addrFamily(), JAVA_BYTE),
                new Field("port", l.addrPort(), JAVA_SHORT.withOrder(order)),
                new Field("scope_id", l.addrScopeId(), JAVA_INT.withOrder(order)),
                new Field("addr", l.addrBytes(), MemoryLayout.sequenceLayout(UdpAbi.ADDRESS_BYTES, JAVA_BYTE))));
        DESCRIPTOR = struct(l.descSize(), List.of(
                new Field("offset", l.descOffset(), JAVA_INT.withOrder(order)),
                new Field("length", l.descLength(), JAVA_INT.withOrder(order)),
                new Field("segment_size", l.descSegmentSize(), JAVA_INT.withOrder(order)),
                new Field("flags", l.descFlags(), JAVA_INT.withOrder(order)),
                new Field("peer", l.descPeer(), ADDR)));
        DESC_OFFSET = element("offset");
        DESC_LENGTH = element("length");
        DESC_SEGMENT_SIZE = element("segment_size");
        DESC_FLAGS = element("flags");
    }

    private NativeUdp() {
    }

    private record Field(String name, long offset, MemoryLayout layout) {
    }

    private static long layout(long item) {
        try {
            return (long) LAYOUT.invokeExact((int) item);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** A struct of `size` bytes with the given (already checked) fields at their offsets, padding in between. */
    private static StructLayout struct(long size, List<Field> fields) {
        List<Field> sorted = new ArrayList<>(fields);
        sorted.sort(Comparator.comparingLong(Field::offset));
        List<MemoryLayout> members = new ArrayList<>();
        long at = 0;
        for (Field f : sorted) {
            if (f.offset() > at) {
                members.add(MemoryLayout.paddingLayout(f.offset() - at));
            }
            members.add(f.layout().withName(f.name()));
            at = f.offset() + f.layout().byteSize();
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

    /** The one place where a negative return becomes an exception (shared contract): returns rc when it is >= 0. */
    static int check(int rc, String operation) throws IOException {
        return UdpAbi.check(rc, operation, NativeUdp::errorText);
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
