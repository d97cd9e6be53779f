package dev.pqdtls.ffm;

import static dev.pqdtls.ffm.ServerEventsTest.WAIT;
import static dev.pqdtls.ffm.ServerEventsTest.client;
import static dev.pqdtls.ffm.ServerEventsTest.loopback;
import static dev.pqdtls.ffm.ServerEventsTest.roundTrip;
import static dev.pqdtls.ffm.ServerEventsTest.serverConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.ServerMetrics;
import dev.pqdtls.ServerMetrics.DropReason;
import dev.pqdtls.metrics.DtlsServerMeterBinder;
import dev.pqdtls.testing.UdpRelay;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ServerMetrics after known exchanges, and the same numbers through Micrometer and JMX. */
@Timeout(60)
class ServerMetricsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ffm", "fallback"})
    void exactCountsAfterAKnownExchange(String backend) throws Exception {
        RecordingListener events = new RecordingListener();
        try (DtlsServer server = DtlsServer.bind(loopback(), serverConfig(backend).groups(NamedGroup.X25519).build(), events);
                UdpRelay relay = new UdpRelay(server.localAddress());
                DatagramSocket stranger = new DatagramSocket(loopback())) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new DtlsServerMeterBinder(server).bindTo(registry);
            // Slow retransmission: on loopback nothing is sent twice, so every count is exact.
            try (DtlsConnection c = DtlsClient.connect(relay.clientSide(), client(backend)
                    .initialRetransmitTimeout(Duration.ofSeconds(5)).build())) {
                assertEquals("connected", events.next(WAIT));
                for (int i = 0; i < 5; i++) {
                    assertEquals("m" + i, roundTrip(c, "m" + i));
                    events.next(WAIT);
                }
                relay.replayLastToServer();               // REPLAY
                relay.sendToServer(new byte[] {0});      // MALFORMED: no record starts with 0
                assertTrue(c.keyUpdate(true));            // ours, and the server's in reply
                assertEquals("after", roundTrip(c, "after"));
                events.next(WAIT);
                byte[] junk = "not dtls".getBytes(StandardCharsets.US_ASCII);
                stranger.send(new DatagramPacket(junk, junk.length, server.localAddress())); // UNKNOWN_CONNECTION
                assertThrows(DtlsException.class, () -> DtlsClient.connect(server.localAddress(),
                        client(backend).groups(NamedGroup.MLKEM768).build()));
                assertEquals("handshake failed HANDSHAKE_FAILURE", events.next(WAIT));
                ServerMetrics live = server.metrics();
                assertEquals(0, live.handshaking());
                assertEquals(1, live.established());
            }
            assertEquals("closed CLOSE_NOTIFY by peer", events.next(WAIT));
            ServerMetrics m = server.metrics();
            assertEquals(0, m.handshaking() + m.established(), m.summary());
            assertEquals(1, m.handshakesStarted(), m.summary());
            assertEquals(1, m.handshakesCompleted(), m.summary());
            assertEquals(Map.of(DtlsAlert.HANDSHAKE_FAILURE, 1L), m.handshakesFailed(), m.summary());
            assertEquals(1, m.cookiesIssued(), m.summary());
            assertEquals(1, m.cookiesVerified(), m.summary());
            assertEquals(0, m.cookiesRejected(), m.summary());
            assertEquals(6, m.recordsDelivered(), m.summary());
            assertEquals(Map.of(DropReason.REPLAY, 1L, DropReason.AUTHENTICATION_FAILURE, 0L, DropReason.MALFORMED, 1L,
                    DropReason.UNKNOWN_CONNECTION, 1L, DropReason.QUEUE_FULL, 0L), m.recordsDropped(), m.summary());
            assertEquals(2, m.keyUpdates(), m.summary());
            assertEquals(0, m.admissionRejectionsTotal(), m.summary());
            assertTrue(m.recordsReceived() >= 6 + 1 + 1, "data, KeyUpdate, ACK and more: " + m.summary());
            assertTrue(m.bytesIn() > 6 * 2 && m.bytesOut() > 6 * 2, m.summary());

            // Micrometer reads the same counters.
            assertEquals(1.0, registry.get("pqdtls.handshakes").tag("outcome", "completed").functionCounter().count());
            assertEquals(1.0, registry.get("pqdtls.handshakes.failed").tag("alert", "handshake_failure").functionCounter().count());
            assertEquals(1.0, registry.get("pqdtls.records.dropped").tag("reason", "replay").functionCounter().count());
            assertEquals(6.0, registry.get("pqdtls.records").tag("outcome", "delivered").functionCounter().count());
            assertEquals((double) m.bytesIn(), registry.get("pqdtls.bytes").tag("direction", "in").functionCounter().count());
            assertEquals(0.0, registry.get("pqdtls.connections").tag("state", "established").gauge().value());

            // And so does JMX, through the platform MBean server.
            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.pqdtls:type=DtlsServer,address="
                    + ObjectName.quote("127.0.0.1:" + server.localAddress().getPort()));
            assertEquals(1L, mbs.getAttribute(name, "HandshakesCompleted"));
            assertEquals(6L, mbs.getAttribute(name, "RecordsDelivered"));
            TabularData dropped = (TabularData) mbs.getAttribute(name, "RecordsDropped");
            CompositeData replay = dropped.get(new Object[] {"replay"});
            assertEquals(1L, replay.get("value"));
            server.close();
            assertTrue(mbs.queryNames(name, null).isEmpty(), "unregistered on close");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ffm", "fallback"})
    void resumedHandshakesAreCountedAndPublished(String backend) throws Exception {
        RecordingListener events = new RecordingListener();
        try (DtlsServer server = DtlsServer.bind(loopback(), serverConfig(backend).build(), events)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new DtlsServerMeterBinder(server).bindTo(registry);
            DtlsConfig config = client(backend).build(); // one configuration: one session cache
            for (boolean resumed : new boolean[] {false, true, true}) {
                try (DtlsConnection c = DtlsClient.connect(server.localAddress(), config)) {
                    assertEquals("connected", events.next(WAIT));
                    assertEquals("m", roundTrip(c, "m")); // the ticket arrived before the echo
                    events.next(WAIT);
                    assertEquals(resumed, c.session().resumed());
                }
                assertEquals("closed CLOSE_NOTIFY by peer", events.next(WAIT));
            }
            ServerMetrics m = server.metrics();
            assertEquals(3, m.handshakesCompleted(), m.summary());
            assertEquals(2, m.handshakesResumed(), m.summary());
            assertTrue(m.summary().contains("completed=3 resumed=2 "), m.summary());
            assertEquals(2.0, registry.get("pqdtls.handshakes").tag("outcome", "resumed").functionCounter().count());
            ObjectName name = new ObjectName("dev.pqdtls:type=DtlsServer,address="
                    + ObjectName.quote("127.0.0.1:" + server.localAddress().getPort()));
            assertEquals(2L, ManagementFactory.getPlatformMBeanServer().getAttribute(name, "HandshakesResumed"));
        }
    }
}
