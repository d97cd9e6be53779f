package dev.pqdtls.metrics;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.internal.server.AuditLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a server's {@link ServerMetrics} to Micrometer (an optional dependency: add
 * {@code io.micrometer:micrometer-core} to use this class):
 * {@code new DtlsServerMeterBinder(server).bindTo(registry)}. Meters read the server's counters when
 * the registry asks (no polling thread, no copies); every meter has the tag {@code server=HOST:PORT}.
 *
 * <ul>
 *   <li>{@code pqdtls.connections} (gauge, tag {@code state}: handshaking, established)
 *   <li>{@code pqdtls.handshakes} (counter, tag {@code outcome}: started, completed, resumed — a
 *       subset of completed) and
 *       {@code pqdtls.handshakes.failed} (counter, tag {@code alert}, one per TLS alert)
 *   <li>{@code pqdtls.cookies} (counter, tag {@code result}: issued, verified, rejected)
 *   <li>{@code pqdtls.records} (counter, tag {@code outcome}: received, delivered) and
 *       {@code pqdtls.records.dropped} (counter, tag {@code reason}: replay, authentication_failure,
 *       malformed, unknown_connection, queue_full)
 *   <li>{@code pqdtls.bytes} (counter in bytes, tag {@code direction}: in, out)
 *   <li>{@code pqdtls.key.updates} (counter)
 *   <li>{@code pqdtls.admission.rejected} (counter, tag {@code limit}: handshake_rate_per_source,
 *       handshakes, connections, connections_per_source)
 * </ul>
 */
public final class DtlsServerMeterBinder implements MeterBinder {
    private final DtlsServer server;
    private final Tags tags;

    public DtlsServerMeterBinder(DtlsServer server) {
        this.server = server;
        this.tags = Tags.of(Tag.of("server", AuditLog.hostPort(server.localAddress())));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "pqdtls.connections", "Connections held, by state", "state", "handshaking", ServerMetrics::handshaking);
        gauge(registry, "pqdtls.connections", "Connections held, by state", "state", "established", ServerMetrics::established);
        counter(registry, "pqdtls.handshakes", "Handshakes", null, "outcome", "started", ServerMetrics::handshakesStarted);
        counter(registry, "pqdtls.handshakes", "Handshakes", null, "outcome", "completed", ServerMetrics::handshakesCompleted);
        counter(registry, "pqdtls.handshakes", "Handshakes", null, "outcome", "resumed", ServerMetrics::handshakesResumed);
        for (DtlsAlert a : DtlsAlert.values()) {
            counter(registry, "pqdtls.handshakes.failed", "Failed handshakes, by alert", null, "alert", lower(a),
                    m -> m.handshakesFailed().getOrDefault(a, 0L));
        }
        counter(registry, "pqdtls.cookies", "Stateless cookies", null, "result", "issued", ServerMetrics::cookiesIssued);
        counter(registry, "pqdtls.cookies", "Stateless cookies", null, "result", "verified", ServerMetrics::cookiesVerified);
        counter(registry, "pqdtls.cookies", "Stateless cookies", null, "result", "rejected", ServerMetrics::cookiesRejected);
        counter(registry, "pqdtls.records", "Records", null, "outcome", "received", ServerMetrics::recordsReceived);
        counter(registry, "pqdtls.records", "Records", null, "outcome", "delivered", ServerMetrics::recordsDelivered);
        for (ServerMetrics.DropReason r : ServerMetrics.DropReason.values()) {
            counter(registry, "pqdtls.records.dropped", "Dropped records and datagrams, by reason", null, "reason",
                    lower(r), m -> m.recordsDropped().get(r));
        }
        counter(registry, "pqdtls.bytes", "UDP payload bytes", BaseUnits.BYTES, "direction", "in", ServerMetrics::bytesIn);
        counter(registry, "pqdtls.bytes", "UDP payload bytes", BaseUnits.BYTES, "direction", "out", ServerMetrics::bytesOut);
        FunctionCounter.builder("pqdtls.key.updates", server, s -> s.metrics().keyUpdates())
                .description("KeyUpdates completed, either direction").tags(tags).register(registry);
        for (ServerMetrics.Limit l : ServerMetrics.Limit.values()) {
            counter(registry, "pqdtls.admission.rejected", "New handshakes refused, by limit", null, "limit", lower(l),
                    m -> m.admissionRejections().get(l));
        }
    }

    private void gauge(MeterRegistry registry, String name, String description, String tag, String value,
            ToDoubleFunction<ServerMetrics> f) {
        Gauge.builder(name, server, s -> f.applyAsDouble(s.metrics())).description(description)
                .tags(tags).tag(tag, value).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, String unit, String tag,
            String value, ToDoubleFunction<ServerMetrics> f) {
        FunctionCounter.builder(name, server, s -> f.applyAsDouble(s.metrics())).description(description)
                .baseUnit(unit).tags(tags).tag(tag, value).register(registry);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
