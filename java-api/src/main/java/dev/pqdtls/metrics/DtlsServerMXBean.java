package dev.pqdtls.metrics;

import java.util.Map;

/**
 * A server's {@link dev.pqdtls.ServerMetrics} over JMX. Every {@link dev.pqdtls.DtlsServer} registers
 * one with the platform MBean server while it is open, named
 * {@code dev.pqdtls:type=DtlsServer,address="HOST:PORT"}; read it with jconsole, VisualVM or any JMX
 * client. Maps are keyed by lower-case alert, reason or limit names.
 */
public interface DtlsServerMXBean {
    String getLocalAddress();

    String getBackend();

    int getConnectionsHandshaking();

    int getConnectionsEstablished();

    long getHandshakesStarted();

    long getHandshakesCompleted();

    long getHandshakesResumed();

    long getHandshakesFailed();

    Map<String, Long> getHandshakesFailedByAlert();

    long getCookiesIssued();

    long getCookiesVerified();

    long getCookiesRejected();

    long getRecordsReceived();

    long getRecordsDelivered();

    Map<String, Long> getRecordsDropped();

    long getBytesIn();

    long getBytesOut();

    long getKeyUpdates();

    Map<String, Long> getAdmissionRejections();
}
