package dev.pqdtls.nativeabi.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.auth.TestPki;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The public API over real UDP sockets on loopback, on a native backend, on fallback and mixed. */
@Timeout(60)
public abstract class ApiLoopbackSuite extends NativeBackendSuite {
    /**
     * Echoes every datagram of the next accepted connection on a thread of its own (the common pool
     * has one thread on two cores); completes when the connection ends.
     */
    private static CompletableFuture<DtlsConnection> echo(DtlsServer server) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                DtlsConnection c = server.accept(WAIT).orElseThrow();
                while (c.isOpen()) {
                    var d = c.receive(Duration.ofMillis(200));
                    if (d.isPresent()) {
                        c.send(d.get());
                    }
                }
                return c;
            } catch (DtlsException closed) {
                return null;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, task -> {
            Thread t = new Thread(task, "echo");
            t.setDaemon(true);
            t.start();
        });
    }

    /**
     * Like {@link #roundTrip} but resends a few times: a flood can overflow the server's socket
     * buffer, and UDP then loses the datagram before pqdtls ever sees it.
     */
    private static String roundTripDespiteFlood(DtlsConnection c, String text) throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            c.send(text.getBytes(StandardCharsets.UTF_8));
            var reply = c.receive(Duration.ofSeconds(2));
            if (reply.isPresent()) {
                return new String(reply.get(), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no echo of '" + text + "' after 5 attempts");
    }

    private static String roundTrip(DtlsConnection c, String text) throws Exception {
        c.send(text.getBytes(StandardCharsets.UTF_8));
        return new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "client {0} / server {1}")
    @CsvSource({"native,native", "fallback,fallback", "native,fallback", "fallback,native"})
    void hybridHandshakeWithStatelessCookieAndData(String clientBackend, String serverBackend) throws Exception {
        try (DtlsServer server = server(serverBackend, DtlsConfig.builder())) {
            var echoed = echo(server);
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client(clientBackend).build())) {
                assertEquals(NamedGroup.X25519_MLKEM768, c.session().group());
                assertTrue(c.session().helloRetryRequest(), "the default cookie policy is ALWAYS");
                assertEquals(resolve(clientBackend), c.session().backend());
                assertEquals(resolve(serverBackend), server.backend());
                for (int i = 0; i < 20; i++) {
                    assertEquals("msg " + i, roundTrip(c, "msg " + i));
                }
                List<ByteBuffer> batch = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    batch.add(ByteBuffer.wrap(("batch " + i).getBytes(StandardCharsets.UTF_8)));
                }
                c.sendBatch(batch);
                Set<String> echoedBatch = new HashSet<>();
                for (int i = 0; i < 16; i++) {
                    echoedBatch.add(new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
                }
                assertEquals(16, echoedBatch.size(), "every datagram of the batch came back once");
                assertTrue(c.keyUpdate(true));
                assertEquals("after key update", roundTrip(c, "after key update"));
                byte[] exported = c.exportKeyingMaterial("EXPORTER-pqdtls-test", new byte[0], 32);
                assertEquals(32, exported.length);
            }
            echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** The AES-CCM suites over real sockets: single records and fused batches (the native data plane), KeyUpdate. */
    @ParameterizedTest(name = "{2}: client {0} / server {1}")
    @CsvSource({"native,native,TLS_AES_128_CCM_SHA256", "native,fallback,TLS_AES_128_CCM_8_SHA256",
        "fallback,native,TLS_AES_128_CCM_8_SHA256", "native,native,TLS_AES_128_CCM_8_SHA256"})
    void ccmSuitesCarrySingleRecordsAndBatches(String clientBackend, String serverBackend, CipherSuite suite) throws Exception {
        try (DtlsServer server = server(serverBackend, DtlsConfig.builder().cipherSuites(suite))) {
            var echoed = echo(server);
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client(clientBackend).cipherSuites(suite).build())) {
                assertEquals(suite, c.session().cipherSuite());
                assertEquals("ccm", roundTrip(c, "ccm"));
                List<ByteBuffer> batch = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    batch.add(ByteBuffer.wrap(("ccm batch " + i).getBytes(StandardCharsets.UTF_8)));
                }
                c.sendBatch(batch);
                Set<String> echoedBatch = new HashSet<>();
                for (int i = 0; i < 16; i++) {
                    echoedBatch.add(new String(c.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
                }
                assertEquals(16, echoedBatch.size(), "every datagram of the batch came back once");
                // MTU 1200 less the unified header (flags, 16-bit sequence, length), the content type and the tag.
                assertEquals(1200 - 5 - 1 - suite.tagLength(), c.maxDatagramSize());
                byte[] largest = new byte[c.maxDatagramSize()];
                new Random(3).nextBytes(largest);
                c.send(largest);
                assertArrayEquals(largest, c.receive(WAIT).orElseThrow(), "a datagram of maxDatagramSize fits one record");
                assertTrue(c.keyUpdate(true));
                assertEquals("after key update", roundTrip(c, "after key update"));
            }
            echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ALWAYS,true", "NEVER,false", "UNDER_LOAD,false"})
    void cookiePolicyDecidesTheStatelessRoundTrip(DtlsConfig.CookiePolicy policy, boolean expectRetry) throws Exception {
        // X25519's share fits the first ClientHello, so only the cookie policy can cause a retry;
        // UNDER_LOAD with no handshake in progress is below its threshold.
        try (DtlsServer server = server("native", DtlsConfig.builder().cookiePolicy(policy).cookieThreshold(1))) {
            var echoed = echo(server);
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client("native").groups(NamedGroup.X25519).build())) {
                assertEquals(expectRetry, c.session().helloRetryRequest());
                assertEquals("policy " + policy, roundTrip(c, "policy " + policy));
            }
            echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void socketOptionsFromTheConfigurationAreApplied(String backend) throws Exception {
        try (DtlsServer server = server(backend, DtlsConfig.builder().reusePort(true).udpOffload(false)
                .socketReceiveBufferSize(1 << 20).socketSendBufferSize(1 << 20))) {
            var echoed = echo(server);
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(),
                    client(backend).socketReceiveBufferSize(1 << 20).udpOffload(false).build())) {
                assertEquals("with options", roundTrip(c, "with options"));
            }
            echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void aSenderFasterThanItsSocketLosesNothingToLocalBuffers(String backend) throws Exception {
        // A tiny send buffer on the client, a receiver that drains as it goes and a socket buffer that
        // could hold the whole run anyway: any datagram missing was lost by pqdtls, not by UDP.
        int count = 1200;
        try (DtlsServer server = server(backend, DtlsConfig.builder().socketReceiveBufferSize(4 << 20));
                DtlsConnection c = DtlsClient.connect(server.localAddress(),
                        client(backend).socketSendBufferSize(4096).build());
                DtlsConnection s = server.accept(WAIT).orElseThrow()) {
            CompletableFuture<List<Integer>> received = CompletableFuture.supplyAsync(() -> {
                List<Integer> got = new ArrayList<>();
                try {
                    while (got.size() < count) {
                        var d = s.receive(Duration.ofSeconds(3));
                        if (d.isEmpty()) {
                            break;
                        }
                        got.add(ByteBuffer.wrap(d.get()).getInt());
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                return got;
            }, task -> new Thread(task, "drain").start());
            int size = c.maxDatagramSize();
            for (int i = 0; i < count; ) {
                if (i % 100 == 0) {
                    c.send(ByteBuffer.allocate(size).putInt(0, i++));
                    continue;
                }
                List<ByteBuffer> batch = new ArrayList<>();
                for (int k = 0; k < 33 && i < count && i % 100 != 0; k++) {
                    batch.add(ByteBuffer.allocateDirect(size).putInt(0, i++));
                }
                c.sendBatch(batch);
            }
            List<Integer> got = received.get(60, TimeUnit.SECONDS);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add(i);
            }
            assertEquals(expected, got, "every datagram accepted by send arrived, once and in order");
            assertEquals(0, s.stats().datagramsDropped());
        }
    }

    /**
     * Forwards between one client and {@code server}; every large encrypted datagram from the client
     * (an application record; the ClientHello is as large but in the clear) is preceded by a forged copy (last tag byte flipped) when its index is a
     * multiple of 7 and followed by a replay of itself when a multiple of 5. Returns its address.
     */
    private static InetSocketAddress tamperingRelay(InetSocketAddress server, DatagramSocket relay,
            java.util.concurrent.atomic.AtomicIntegerArray tampered) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65535];
            InetSocketAddress client = null;
            int index = 0;
            try {
                while (!relay.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    relay.receive(p);
                    if (p.getSocketAddress().equals(server)) {
                        if (client != null) {
                            relay.send(new DatagramPacket(buf, p.getLength(), client));
                        }
                        continue;
                    }
                    client = (InetSocketAddress) p.getSocketAddress();
                    boolean data = p.getLength() >= 1000 && (buf[0] & 0xE0) == 0x20; // a large DTLSCiphertext
                    if (data && index % 7 == 0) {
                        byte[] forged = java.util.Arrays.copyOf(buf, p.getLength());
                        forged[forged.length - 1] ^= 1;
                        relay.send(new DatagramPacket(forged, forged.length, server));
                        tampered.incrementAndGet(0);
                    }
                    relay.send(new DatagramPacket(buf, p.getLength(), server));
                    if (data && index % 5 == 0) {
                        relay.send(new DatagramPacket(buf, p.getLength(), server));
                        tampered.incrementAndGet(1);
                    }
                    index += data ? 1 : 0;
                }
            } catch (java.io.IOException closed) {
                // the test is over
            }
        }, "tampering-relay");
        t.setDaemon(true);
        t.start();
        return (InetSocketAddress) relay.getLocalSocketAddress();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void batchReceiveDeliversEveryDatagramOnceInOrderAndStillDropsReplaysAndForgeries(String backend) throws Exception {
        int count = 300;
        var tampered = new java.util.concurrent.atomic.AtomicIntegerArray(2);
        try (DtlsServer server = server(backend, DtlsConfig.builder());
                DatagramSocket relay = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                DtlsConnection c = DtlsClient.connect(tamperingRelay(server.localAddress(), relay, tampered),
                        client(backend).build());
                DtlsConnection s = server.accept(WAIT).orElseThrow()) {
            relay.setReceiveBufferSize(4 << 20); // the relay must not lose what it forwards
            long droppedBefore = s.stats().recordsDropped(); // a resent handshake record may have counted
            int size = c.maxDatagramSize();
            List<ByteBuffer> into = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                into.add(ByteBuffer.allocateDirect(size));
            }
            List<Integer> got = new ArrayList<>();
            int batches = 0;
            for (int i = 0; i < count; i += 10) {
                List<ByteBuffer> batch = new ArrayList<>();
                for (int k = i; k < i + 10; k++) {
                    ByteBuffer b = ByteBuffer.allocate(size);
                    b.putInt(0, k).put(size - 1, (byte) k);
                    batch.add(b);
                }
                c.sendBatch(batch);
                if (i % 50 == 40) { // let several batches queue up, then drain them in large receives
                    while (got.size() < i + 10) {
                        int n = s.receive(into, WAIT);
                        assertTrue(n > 0, "nothing after " + got.size() + " datagrams");
                        batches++;
                        for (int j = 0; j < n; j++) {
                            ByteBuffer b = into.get(j);
                            assertEquals(size, b.remaining(), "datagram length");
                            assertEquals((byte) b.getInt(0), b.get(size - 1), "datagram content");
                            got.add(b.getInt(0));
                        }
                    }
                }
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add(i);
            }
            assertEquals(expected, got, "every datagram once, in order");
            assertTrue(batches < count / 2, "datagrams came several per call (" + batches + " calls)");
            assertTrue(tampered.get(0) > 0 && tampered.get(1) > 0);
            assertEquals(tampered.get(0) + tampered.get(1), s.stats().recordsDropped() - droppedBefore,
                    "every forgery and replay was dropped");

            c.send(ByteBuffer.allocate(size));
            List<ByteBuffer> tooSmall = List.of(ByteBuffer.allocate(size - 1));
            assertThrows(IllegalArgumentException.class, () -> s.receive(tooSmall, WAIT));
            assertEquals(1, s.receive(into, WAIT), "a datagram that did not fit is still there");
        }
    }

    @Test
    void connectionIdsAndManyClientsOnOneSocket() throws Exception {
        try (DtlsServer server = server("native", DtlsConfig.builder().connectionIdLength(8))) {
            List<CompletableFuture<DtlsConnection>> echoes = List.of(echo(server), echo(server), echo(server));
            DtlsConnection[] clients = new DtlsConnection[3];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = DtlsClient.connect(server.localAddress(), client("native").connectionIdLength(4).build());
                assertTrue(clients[i].session().connectionIds());
            }
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < clients.length; i++) {
                    assertEquals("c" + i + "r" + round, roundTrip(clients[i], "c" + i + "r" + round));
                }
            }
            for (DtlsConnection c : clients) {
                c.close();
            }
            for (var e : echoes) {
                e.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void garbageFromOtherSourcesNeverDisturbsAnEstablishedClient() throws Exception {
        try (DtlsServer server = server("native", DtlsConfig.builder());
                DatagramSocket attacker = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            var echoed = echo(server);
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client("native").build())) {
                Random rnd = new Random(7);
                for (int i = 0; i < 2000; i++) {
                    byte[] junk = new byte[1 + rnd.nextInt(1400)];
                    rnd.nextBytes(junk);
                    if (i % 3 == 0) {
                        junk[0] = 22; // looks like a DTLSPlaintext handshake record
                    } else if (i % 3 == 1) {
                        junk[0] = (byte) (0x20 | rnd.nextInt(32)); // looks like a unified header
                    }
                    attacker.send(new DatagramPacket(junk, junk.length, server.localAddress()));
                    if (i % 200 == 0) {
                        assertEquals("still here " + i, roundTripDespiteFlood(c, "still here " + i));
                    }
                }
                assertEquals("done", roundTripDespiteFlood(c, "done"));
                assertEquals(1, server.connectionCount(), "junk created no connection state");
                assertEquals(0, c.stats().recordsDropped(), "the client saw none of it");
            }
            echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void untrustedServerIsRejectedWithAClearAlert() throws Exception {
        TestPki.Pki other = TestPki.quickServer();
        try (DtlsServer server = server("native", DtlsConfig.builder())) {
            DtlsException e = assertThrows(DtlsException.class, () -> DtlsClient.connect(server.localAddress(),
                    client("native").trustedCertificates(List.of(other.ca().certificate())).build()));
            assertEquals(dev.pqdtls.DtlsAlert.UNKNOWN_CA, e.alert(), e.getMessage());
        }
    }

    @Test
    void exportedKeyingMaterialMatchesOnBothSides() throws Exception {
        try (DtlsServer server = server("fallback", DtlsConfig.builder())) {
            var accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept(WAIT).orElseThrow();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client("native").build())) {
                DtlsConnection s = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertArrayEquals(c.exportKeyingMaterial("EXPORTER-x", new byte[] {1}, 48),
                        s.exportKeyingMaterial("EXPORTER-x", new byte[] {1}, 48));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void aClientWithNoGroupInCommonIsRefusedAtOnceWithHandshakeFailure(String backend) throws Exception {
        Duration timeout = Duration.ofSeconds(20);
        try (DtlsServer server = server(backend, DtlsConfig.builder().groups(NamedGroup.X25519))) {
            long start = System.nanoTime();
            DtlsException e = assertThrows(DtlsException.class, () -> DtlsClient.connect(server.localAddress(),
                    client(backend).groups(NamedGroup.MLKEM768).handshakeTimeout(timeout).build()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(dev.pqdtls.DtlsAlert.HANDSHAKE_FAILURE, e.alert(), e.getMessage());
            assertTrue(e.fromPeer(), "the server's alert, not our timeout: " + e.getMessage());
            assertTrue(e.getMessage().contains("MLKEM768"), "says what we offered: " + e.getMessage());
            assertTrue(took.compareTo(timeout.dividedBy(2)) < 0, "refused at once, not timed out: " + took);
            assertEquals(0, server.connectionCount(), "no state for a refused client");
        }
    }

    @ParameterizedTest(name = "{0} client, group {1}")
    @CsvSource({"native,SECP256R1_MLKEM768", "native,MLKEM768", "fallback,SECP256R1_MLKEM768", "fallback,MLKEM768"})
    void theDefaultServerAcceptsEveryImplementedGroup(String backend, NamedGroup group) throws Exception {
        try (DtlsServer server = server(backend, DtlsConfig.builder())) {
            var echoed = echo(server);
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client(backend).groups(group).build())) {
                assertEquals(group, c.session().group());
                assertEquals("group " + group, roundTrip(c, "group " + group));
            }
            echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void aClosedPortFailsAtOnceSayingNothingListens(String backend) throws Exception {
        InetSocketAddress closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            closed = (InetSocketAddress) s.getLocalSocketAddress();
        }
        Duration timeout = Duration.ofSeconds(20);
        long start = System.nanoTime();
        java.net.PortUnreachableException e = assertThrows(java.net.PortUnreachableException.class,
                () -> DtlsClient.connect(closed, client(backend).handshakeTimeout(timeout).build()));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(e.getMessage().contains("nothing is listening at 127.0.0.1:" + closed.getPort()), e.getMessage());
        assertTrue(took.compareTo(timeout.dividedBy(2)) < 0, "failed at once, not timed out: " + took);
    }

    @ParameterizedTest(name = "client {0} / server {1}")
    @CsvSource({"native,native", "fallback,fallback", "native,fallback", "fallback,native"})
    void ipv6Loopback(String clientBackend, String serverBackend) throws Exception {
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("::1", 0), DtlsConfig.builder()
                .certificate(PKI.leaf().chain(), PKI.leaf().privateKey()).backend(resolve(serverBackend)).build())) {
            var echoed = echo(server);
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), client(clientBackend).build())) {
                assertEquals("over ipv6", roundTrip(c, "over ipv6"));
            }
            echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "fallback"})
    void oneClientEndpointReachesIpv4AndIpv6Servers(String backend) throws Exception {
        DtlsConfig.Builder serverConfig = DtlsConfig.builder().certificate(PKI.leaf().chain(), PKI.leaf().privateKey())
                .backend(resolve(backend));
        try (DtlsServer v4 = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), serverConfig.build());
                DtlsServer v6 = DtlsServer.bind(new InetSocketAddress("::1", 0), serverConfig.build());
                DtlsClient client = DtlsClient.create(client(backend).build())) {
            var e4 = echo(v4);
            var e6 = echo(v6);
            DtlsConnection c4 = client.connect(v4.localAddress());
            DtlsConnection c6 = client.connect(v6.localAddress());
            assertEquals("v4", roundTrip(c4, "v4"));
            assertEquals("v6", roundTrip(c6, "v6"));
            c4.close();
            c6.close();
            e4.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            e6.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
