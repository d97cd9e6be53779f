package dev.pqdtls.nativeabi;

import dev.pqdtls.spi.DatagramTransport;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Hands the datagrams of one native receive to the engine as buffers over the receive arena. The
 * buffer objects are reused from batch to batch (one per descriptor), so a steady stream allocates no
 * views; they are valid until the next receive.
 */
public final class DatagramViews {
    private final ByteBuffer arena;
    private ByteBuffer[] views = new ByteBuffer[64];
    private long truncated;

    /** {@code arena}: the whole receive arena as one direct buffer. */
    public DatagramViews(ByteBuffer arena) {
        this.arena = arena;
    }

    /** Delivers every datagram of {@code received} to {@code sink}; returns how many. */
    public int deliver(ReceivedDescriptors received, DatagramTransport.Receiver sink) {
        int delivered = 0;
        for (int i = 0; i < received.count(); i++) {
            if (received.truncated(i)) {
                truncated++; // longer than any DTLS record we accept: dropped, as the kernel would
                continue;
            }
            sink.onDatagram(view(i, (int) received.offset(i), received.length(i)), received.peer(i));
            delivered++;
        }
        if (delivered > 0) {
            sink.endOfBatch();
        }
        return delivered;
    }

    /** Datagrams dropped because they did not fit their receive slot. */
    public long truncated() {
        return truncated;
    }

    private ByteBuffer view(int i, int offset, int length) {
        if (i >= views.length) {
            views = Arrays.copyOf(views, Math.max(i + 1, 2 * views.length));
        }
        ByteBuffer v = views[i];
        if (v == null) {
            v = views[i] = arena.duplicate();
        }
        v.clear().position(offset).limit(offset + length);
        return v;
    }
}
