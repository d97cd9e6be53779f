package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.auth.TestPki;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The event API (DtlsServerListener) and the security audit log, over loopback on both backends. */
@Timeout(60)
class ServerEventsTest {
    static final TestPki.Pki PKI = TestPki.quickServer();
    static final Duration WAIT = Duration.ofSeconds(10);
    /** The fixed schema of an audit line: these keys always, and only the optional ones besides. */
    private static final Set<String> REQUIRED = Set.of("time", "event", "server", "peer", "alert", "detail");
    private static final Set<String> OPTIONAL = Set.of("subject", "limit", "suppressed");
    private static final Set<String> EVENTS = Set.of("handshake_failed", "cookie_rejected", "certificate_rejected",
            "aead_limit", "rate_limited", "idle_timeout");

    static DtlsConfig.Builder serverConfig(String backend) {
        return DtlsConfig.builder().certificate(PKI.leaf().chain(), PKI.leaf().privateKey()).backend(backend);
    }

    static DtlsConfig.Builder client(String backend) {
        return DtlsConfig.builder().trustedCertificates(List.of(PKI.ca().certificate())).serverName("localhost")
                .backend(backend).groups(NamedGroup.X25519).initialRetransmitTimeout(Duration.ofMillis(300));
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    static String roundTrip(DtlsConnection c, String text) throws Exception {
        c.send(text.getBytes(StandardCharsets.UTF_8));
        return new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8);
    }

    /** Checks every line against the schema and returns the parsed lines. */
    static List<JsonNode> checkedAuditLines(AuditCapture audit) throws Exception {
        List<JsonNode> lines = audit.events();
        for (JsonNode n : lines) {
            Set<String> keys = new TreeSet<>();
            n.fieldNames().forEachRemaining(keys::add);
            assertTrue(keys.containsAll(REQUIRED), "required keys in " + n);
            keys.removeAll(REQUIRED);
            assertTrue(OPTIONAL.containsAll(keys), "only known keys in " + n);
            assertTrue(EVENTS.contains(n.get("event").asText()), "known event in " + n);
            assertTrue(n.get("time").asText().endsWith("Z"), "UTC time in " + n);
            assertTrue(n.get("peer").asText().matches("127\\.0\\.0\\.\\d+:\\d+"), "peer address in " + n);
        }
        return lines;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ffm", "fallback"})
    void theListenerGetsExactlyTheEventsOfAScriptedExchangeInOrderOnTheLoop(String backend) throws Exception {
        RecordingListener events = new RecordingListener();
        try (AuditCapture audit = new AuditCapture();
                DtlsServer server = DtlsServer.bind(loopback(), serverConfig(backend).groups(NamedGroup.X25519).build(),
                        events)) {
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client(backend).build())) {
                for (String m : List.of("one", "two", "three")) {
                    assertEquals(m, roundTrip(c, m));
                }
            }
            assertEquals("connected", events.next(WAIT));
            assertEquals("datagram one", events.next(WAIT));
            assertEquals("datagram two", events.next(WAIT));
            assertEquals("datagram three", events.next(WAIT));
            assertEquals("closed CLOSE_NOTIFY by peer", events.next(WAIT));
            assertTrue(events.threads.stream().allMatch(t -> t.startsWith("pqdtls-server-")),
                    "callbacks ran on the event loop: " + events.threads);

            // No group in common: the gate's alert, the listener's event and one audit line.
            DtlsException e = assertThrows(DtlsException.class, () -> DtlsClient.connect(server.localAddress(),
                    client(backend).groups(NamedGroup.MLKEM768).build()));
            assertEquals(DtlsAlert.HANDSHAKE_FAILURE, e.alert(), e.getMessage());
            assertEquals("handshake failed HANDSHAKE_FAILURE", events.next(WAIT));
            assertTrue(events.events.isEmpty(), "nothing else: " + events.events);
            List<JsonNode> lines = checkedAuditLines(audit);
            assertEquals(1, lines.size(), audit.lines().toString());
            assertEquals("handshake_failed", lines.get(0).get("event").asText());
            assertEquals("handshake_failure", lines.get(0).get("alert").asText());
            assertEquals(1, server.metrics().handshakesFailed().get(DtlsAlert.HANDSHAKE_FAILURE));
            assertThrows(IllegalStateException.class, () -> server.accept(Duration.ZERO), "the listener has them");
        }
    }

    @Test
    void withACallbackExecutorEventsStillArriveInOrderPerConnection() throws Exception {
        RecordingListener events = new RecordingListener();
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "app-callbacks");
            t.setDaemon(true);
            return t;
        });
        try (DtlsServer server = DtlsServer.bind(loopback(), serverConfig("ffm").callbackExecutor(pool).build(), events)) {
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client("ffm").build())) {
                List<String> sent = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    sent.add("m" + i);
                    assertEquals("m" + i, roundTrip(c, "m" + i));
                }
                assertEquals("connected", events.next(WAIT));
                for (String m : sent) {
                    assertEquals("datagram " + m, events.next(WAIT));
                }
            }
            assertEquals("closed CLOSE_NOTIFY by peer", events.next(WAIT));
            assertTrue(events.threads.stream().allMatch("app-callbacks"::equals), events.threads.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theBlockingStyleStillWorksBesideTheEventApi() throws Exception {
        try (DtlsServer server = DtlsServer.bind(loopback(), serverConfig("ffm").build())) {
            Thread echo = new Thread(() -> {
                try {
                    DtlsConnection s = server.accept(WAIT).orElseThrow();
                    s.send(s.receive());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            echo.start();
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client("ffm").build())) {
                assertEquals("blocking", roundTrip(c, "blocking"));
            }
            echo.join(WAIT.toMillis());
            assertFalse(echo.isAlive());
            assertEquals(1, server.metrics().recordsDelivered());
        }
    }

    @Test
    void auditLinesCarryNoKeyAndNoApplicationBytesAcrossAFullExchange() throws Exception {
        String secretText = "top-secret-application-payload-4711";
        RecordingListener events = new RecordingListener();
        TestPki.Issued intruder = TestPki.selfSigned("intruder.example", TestPki.KeyType.EC_P256);
        List<byte[]> exported = new ArrayList<>();
        try (AuditCapture audit = new AuditCapture();
                DtlsServer server = DtlsServer.bind(loopback(), serverConfig("ffm").groups(NamedGroup.X25519)
                        .clientAuth(DtlsConfig.ClientAuth.REQUESTED).trustedCertificates(List.of(PKI.ca().certificate()))
                        .idleTimeout(Duration.ofSeconds(1)).build(), events)) {
            // A full exchange with KeyUpdate and exported keying material, then an idle timeout.
            DtlsConnection c = DtlsClient.connect(server.localAddress(), client("ffm").build());
            assertEquals("connected", events.next(WAIT));
            assertEquals(secretText, roundTrip(c, secretText));
            assertTrue(c.keyUpdate(true));
            assertEquals(secretText + "2", roundTrip(c, secretText + "2"));
            exported.add(c.exportKeyingMaterial("EXPORTER-audit-test", new byte[0], 32));
            exported.add(events.last.exportKeyingMaterial("EXPORTER-audit-test", new byte[0], 32));
            events.next(WAIT);
            events.next(WAIT);
            assertEquals("closed CLOSE_NOTIFY here", events.next(WAIT), "the server closed it as idle");
            c.close();
            // A rejected client certificate (the server decides after the client's Finished) and a
            // refused ClientHello.
            // The client's connect returns once it sent its Finished, unless the server's verdict
            // arrives first: both are right, and the server reports the failure either way.
            try (DtlsConnection rejected = DtlsClient.connect(server.localAddress(), client("ffm")
                    .certificate(intruder.chain(), intruder.privateKey()).build())) {
                assertEquals("handshake failed UNKNOWN_CA", events.next(WAIT));
            } catch (DtlsException refused) {
                assertEquals(DtlsAlert.UNKNOWN_CA, refused.alert(), refused::getMessage);
                assertEquals("handshake failed UNKNOWN_CA", events.next(WAIT));
            }
            assertThrows(DtlsException.class, () -> DtlsClient.connect(server.localAddress(),
                    client("ffm").groups(NamedGroup.MLKEM768).build()));
            assertEquals("handshake failed HANDSHAKE_FAILURE", events.next(WAIT));

            List<JsonNode> lines = checkedAuditLines(audit);
            List<String> kinds = lines.stream().map(n -> n.get("event").asText()).toList();
            assertEquals(List.of("idle_timeout", "certificate_rejected", "handshake_failed"), kinds, audit.lines().toString());
            JsonNode cert = lines.get(1);
            assertTrue(cert.get("subject").asText().contains("intruder.example"), cert.toString());
            assertEquals("unknown_ca", cert.get("alert").asText());
            String all = String.join("\n", audit.lines());
            assertFalse(all.contains(secretText), "no application data");
            for (byte[] k : exported) {
                assertFalse(all.toLowerCase().contains(HexFormat.of().formatHex(k)), "no keying material (hex)");
                assertFalse(all.contains(Base64.getEncoder().encodeToString(k)), "no keying material (base64)");
                assertFalse(all.contains(new String(k, StandardCharsets.ISO_8859_1)), "no keying material (raw)");
            }
            assertFalse(all.contains("BEGIN"), "no PEM");
        }
    }
}
