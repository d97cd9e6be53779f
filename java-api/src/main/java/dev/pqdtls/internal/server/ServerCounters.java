package dev.pqdtls.internal.server;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.ServerMetrics;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server's running totals, shared by its event loops and application threads. Each is a
 * {@link LongAdder}: an uncontended add is one CAS on a cell of its own thread, and the sums are
 * taken only when someone asks for {@link #snapshot}.
 */
public final class ServerCounters {
    public final LongAdder handshakesStarted = new LongAdder();
    public final LongAdder handshakesCompleted = new LongAdder();
    public final LongAdder handshakesResumed = new LongAdder();
    private final LongAdder[] handshakesFailed = adders(DtlsAlert.values().length);
    public final LongAdder cookiesIssued = new LongAdder();
    public final LongAdder cookiesVerified = new LongAdder();
    public final LongAdder cookiesRejected = new LongAdder();
    public final LongAdder recordsReceived = new LongAdder();
    public final LongAdder recordsDelivered = new LongAdder();
    private final LongAdder[] dropped = adders(ServerMetrics.DropReason.values().length);
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    public final LongAdder keyUpdates = new LongAdder();

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    public void handshakeFailed(DtlsAlert alert) {
        handshakesFailed[alert.ordinal()].increment();
    }

    public void dropped(ServerMetrics.DropReason reason, long n) {
        if (n != 0) {
            dropped[reason.ordinal()].add(n);
        }
    }

    /** The totals now, with the connection counts and rejections that {@code admission} keeps. */
    public ServerMetrics snapshot(Admission admission) {
        Map<DtlsAlert, Long> failed = new EnumMap<>(DtlsAlert.class);
        for (DtlsAlert a : DtlsAlert.values()) {
            failed.put(a, handshakesFailed[a.ordinal()].sum());
        }
        Map<ServerMetrics.DropReason, Long> drops = new EnumMap<>(ServerMetrics.DropReason.class);
        for (ServerMetrics.DropReason r : ServerMetrics.DropReason.values()) {
            drops.put(r, dropped[r.ordinal()].sum());
        }
        int handshaking = admission.handshakesInProgress();
        return new ServerMetrics(handshaking, Math.max(0, admission.connections() - handshaking),
                handshakesStarted.sum(), handshakesCompleted.sum(), handshakesResumed.sum(), failed, cookiesIssued.sum(), cookiesVerified.sum(),
                cookiesRejected.sum(), recordsReceived.sum(), recordsDelivered.sum(), drops, bytesIn.sum(),
                bytesOut.sum(), keyUpdates.sum(), admission.rejections());
    }
}
