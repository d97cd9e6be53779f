package dev.pqdtls.internal.runtime;

import dev.pqdtls.DtlsServer;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.internal.server.AuditLog;
import dev.pqdtls.metrics.DtlsServerMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/** A server's metrics as the platform MXBean {@code dev.pqdtls:type=DtlsServer,address="HOST:PORT"}. */
final class ServerMBean implements DtlsServerMXBean {
    private final DtlsServer server;
    private final ObjectName name;

    private ServerMBean(DtlsServer server, ObjectName name) {
        this.server = server;
        this.name = name;
    }

    /** Registers the server's MXBean; null (logged) if JMX refuses, which never stops the server. */
    static ServerMBean register(DtlsServer server) {
        try {
            ObjectName name = new ObjectName("dev.pqdtls:type=DtlsServer,address="
                    + ObjectName.quote(AuditLog.hostPort(server.localAddress())));
            ServerMBean bean = new ServerMBean(server, name);
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
            return bean;
        } catch (JMException | RuntimeException e) {
            EventLoop.LOG.info("pqdtls: server metrics not registered with JMX: {}", e.toString());
            return null;
        }
    }

    static void unregister(ServerMBean bean) {
        if (bean == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(bean.name);
        } catch (JMException e) {
            EventLoop.LOG.debug("pqdtls: JMX unregistration failed", e);
        }
    }

    private ServerMetrics m() {
        return server.metrics();
    }

    private static <E extends Enum<E>> Map<String, Long> named(Map<E, Long> counts) {
        Map<String, Long> m = new LinkedHashMap<>();
        counts.forEach((k, v) -> m.put(k.name().toLowerCase(Locale.ROOT), v));
        return m;
    }

    @Override
    public String getLocalAddress() {
        return server.localAddress().toString();
    }

    @Override
    public String getBackend() {
        return server.backend();
    }

    @Override
    public int getConnectionsHandshaking() {
        return m().handshaking();
    }

    @Override
    public int getConnectionsEstablished() {
        return m().established();
    }

    @Override
    public long getHandshakesStarted() {
        return m().handshakesStarted();
    }

    @Override
    public long getHandshakesCompleted() {
        return m().handshakesCompleted();
    }

    @Override
    public long getHandshakesResumed() {
        return m().handshakesResumed();
    }

    @Override
    public long getHandshakesFailed() {
        return m().handshakesFailedTotal();
    }

    @Override
    public Map<String, Long> getHandshakesFailedByAlert() {
        return named(m().handshakesFailed());
    }

    @Override
    public long getCookiesIssued() {
        return m().cookiesIssued();
    }

    @Override
    public long getCookiesVerified() {
        return m().cookiesVerified();
    }

    @Override
    public long getCookiesRejected() {
        return m().cookiesRejected();
    }

    @Override
    public long getRecordsReceived() {
        return m().recordsReceived();
    }

    @Override
    public long getRecordsDelivered() {
        return m().recordsDelivered();
    }

    @Override
    public Map<String, Long> getRecordsDropped() {
        return named(m().recordsDropped());
    }

    @Override
    public long getBytesIn() {
        return m().bytesIn();
    }

    @Override
    public long getBytesOut() {
        return m().bytesOut();
    }

    @Override
    public long getKeyUpdates() {
        return m().keyUpdates();
    }

    @Override
    public Map<String, Long> getAdmissionRejections() {
        return named(m().admissionRejections());
    }
}
