package dev.pqdtls.nativeabi.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.testing.ImpairmentRelay;
import dev.pqdtls.testing.UdpRelay;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The runtime: several event loops per server, routing by CID and address, the shared client endpoint. */
@Timeout(120)
public abstract class RuntimeRoutingSuite extends NativeBackendSuite {
    /** Echoes every datagram of {@code clients} accepted connections, each on a thread of its own. */
    private static List<CompletableFuture<Void>> echo(DtlsServer server, int clients) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    DtlsConnection c = server.accept(WAIT).orElseThrow();
                    while (true) {
                        c.send(c.receive());
                    }
                } catch (DtlsException closedByPeer) {
                    f.complete(null);
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            }, "echo-" + i);
            t.setDaemon(true);
            t.start();
            done.add(f);
        }
        return done;
    }

    private static String roundTrip(DtlsConnection c, String text) throws Exception {
        c.send(text.getBytes(StandardCharsets.UTF_8));
        return new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void cidDatagramsFromAChangedAddressReachTheirConnectionOnWhicheverLoop(String backend) throws Exception {
        try (DtlsServer server = server(backend, DtlsConfig.builder().eventLoops(2).connectionIdLength(8));
                UdpRelay relay = new UdpRelay(server.localAddress())) {
            var echoed = echo(server, 1);
            try (DtlsConnection c = DtlsClient.connect(relay.clientSide(), client(backend).groups(NamedGroup.X25519).connectionIdLength(4).build())) {
                assertTrue(c.session().connectionIds());
                assertEquals("before", roundTrip(c, "before"));
                // With two SO_REUSEPORT sockets a new source port lands on either loop; eight moves
                // reach the other loop with probability 255/256, and each must still find its connection.
                for (int move = 0; move < 8; move++) {
                    relay.changeClientAddress();
                    assertEquals("after move " + move, roundTrip(c, "after move " + move));
                    assertEquals(1, server.connectionCount(), "no new connection for the new address");
                }
            }
            echoed.get(0).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, server.connectionCount(), "the closed connection is gone");
            relay.replayLastToServer(); // its close_notify, with its CID, from the last address
            relay.changeClientAddress();
            relay.replayLastToServer(); // and from a new one
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client(backend).groups(NamedGroup.X25519).build())) {
                var next = echo(server, 1);
                assertEquals("next", roundTrip(c, "next"));
                assertEquals(1, server.connectionCount(), "the stale CID revived nothing");
                c.close();
                next.get(0).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void manyClientsSpreadOverSeveralLoops(String backend) throws Exception {
        int clients = 12;
        try (DtlsServer server = server(backend, DtlsConfig.builder().eventLoops(3))) {
            var echoed = echo(server, clients);
            List<DtlsConnection> connections = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                connections.add(DtlsClient.connect(server.localAddress(), client(backend).groups(NamedGroup.X25519).build()));
            }
            assertEquals(clients, server.connectionCount());
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < clients; i++) {
                    assertEquals("c" + i + "r" + round, roundTrip(connections.get(i), "c" + i + "r" + round));
                }
            }
            for (DtlsConnection c : connections) {
                c.close();
            }
            for (var e : echoed) {
                e.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(0, server.connectionCount());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void oneClientEndpointCarriesConnectionsToSeveralServers(String backend) throws Exception {
        try (DtlsServer a = server(backend, DtlsConfig.builder()); DtlsServer b = server(backend, DtlsConfig.builder());
                DtlsClient client = DtlsClient.create(client(backend).groups(NamedGroup.X25519).build())) {
            var echoA = echo(a, 1);
            var echoB = echo(b, 1);
            DtlsConnection toA = client.connect(a.localAddress());
            DtlsConnection toB = client.connect(b.localAddress());
            assertEquals(2, client.connectionCount());
            assertEquals("to a", roundTrip(toA, "to a"));
            assertEquals("to b", roundTrip(toB, "to b"));
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> client.connect(a.localAddress()));
            assertTrue(twice.getMessage().contains("already has a connection"), twice.getMessage());
            toA.close();
            echoA.get(0).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(1, client.connectionCount());
            assertEquals("b still", roundTrip(toB, "b still"));
            client.close();
            assertFalse(toB.isOpen(), "closing the endpoint closes its connections");
            echoB.get(0).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void aClientReconnectingFromTheSamePortIsServedAtOnce(String backend) throws Exception {
        // A 30 s retransmission timeout: a ClientHello swallowed by the old connection would show as
        // a retransmission (and a 30 s wait) here.
        DtlsConfig config = client(backend).initialRetransmitTimeout(Duration.ofSeconds(30)).build();
        try (DtlsServer server = server(backend, DtlsConfig.builder());
                DtlsClient client = DtlsClient.create(config)) {
            var echoed = echo(server, 2);
            DtlsConnection first = client.connect(server.localAddress());
            assertEquals("first", roundTrip(first, "first"));
            first.close(); // its close_notify and the next ClientHello may reach the server in one batch
            DtlsConnection second = client.connect(server.localAddress());
            assertEquals(0, second.stats().retransmissions());
            assertEquals("second", roundTrip(second, "second"));
            second.close();
            for (var e : echoed) {
                e.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void aRestartedClientOnTheSameAddressReplacesItsLiveConnection(String backend) throws Exception {
        DtlsConfig config = client(backend).initialRetransmitTimeout(Duration.ofSeconds(30)).build();
        try (DtlsServer server = server(backend, DtlsConfig.builder());
                UdpRelay relay = new UdpRelay(server.localAddress())) {
            var echoed = echo(server, 2);
            // Both clients reach the server from the relay's one address, like a process that restarted
            // and got its old port back: the first never closes (as if it crashed).
            DtlsConnection crashed = DtlsClient.connect(relay.clientSide(), config);
            assertEquals("before", roundTrip(crashed, "before"));
            try (DtlsConnection restarted = DtlsClient.connect(relay.clientSide(), config)) {
                assertEquals(0, restarted.stats().retransmissions(), "its ClientHello was not swallowed");
                assertEquals("after", roundTrip(restarted, "after"));
                assertEquals(1, server.connectionCount(), "the old connection from this address was replaced");
            }
            echoed.get(0).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            crashed.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void aLateCopyOfTheClientHelloLeavesTheConnectionItMadeAlone(String backend) throws Exception {
        try (DtlsServer server = server(backend, DtlsConfig.builder());
                ImpairmentRelay relay = new ImpairmentRelay(server.localAddress(), ImpairmentRelay.Impairment.none(), 1)) {
            var echoed = echo(server, 1);
            relay.captureToServer(true);
            try (DtlsConnection c = DtlsClient.connect(relay.clientSide(), client(backend).build())) {
                relay.captureToServer(false);
                // The datagrams of the second ClientHello (message_seq 1, with the cookie; RFC 9147 §5.2 header).
                List<byte[]> secondHello = relay.capturedToServer().stream()
                        .filter(d -> d.length > 19 && d[0] == 22 && d[3] == 0 && d[4] == 0 && d[13] == 1
                                && d[17] == 0 && d[18] == 1).toList();
                assertTrue(!secondHello.isEmpty(), "the client answered a HelloRetryRequest with a cookie");
                // A copy arrives after the handshake, as a resend delayed in the network would: its cookie
                // is valid, but it must not start a connection that replaces the one it made.
                for (byte[] d : secondHello) {
                    relay.injectToServer(d);
                }
                assertEquals("after", roundTrip(c, "after"));
                assertEquals("again", roundTrip(c, "again"));
                assertEquals(1, server.metrics().handshakesStarted(), server.metrics()::summary);
                assertEquals(1, server.connectionCount());
            }
            echoed.get(0).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
