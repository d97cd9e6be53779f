package dev.pqdtls.nativeabi.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.PreSharedKey;
import dev.pqdtls.SessionInfo;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.internal.auth.Pem;
import dev.pqdtls.interop.WolfSslPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interoperability with wolfSSL 5.9 (DTLS 1.3) run as separate processes, both directions, every
 * suite with the hybrid and the classic groups, plus cookie, CID, KeyUpdate and client-auth cases.
 * Skipped with the reason printed when wolfSSL is not built (ci/build-wolfssl.sh).
 */
@Timeout(90)
@ExtendWith(WolfSslPeer.DumpOnFailure.class)
public abstract class WolfSslInteropSuite extends NativeBackendSuite {
    private static final Duration STEP = Duration.ofSeconds(20);
    private static final List<NamedGroup> GROUPS = List.of(NamedGroup.X25519_MLKEM768, NamedGroup.X25519, NamedGroup.SECP256R1);

    @BeforeEach
    void wolfSslBuilt() {
        WolfSslPeer.assumeAvailable();
    }

    static Stream<Arguments> suitesAndGroups() {
        List<Arguments> out = new ArrayList<>();
        for (CipherSuite s : CipherSuite.values()) {
            for (NamedGroup g : GROUPS) {
                out.add(Arguments.of(s, g));
            }
        }
        return out.stream();
    }

    /** wolfSSL's name for a suite in -l. */
    private static String wolfSuite(CipherSuite s) {
        return switch (s) {
            case TLS_AES_128_GCM_SHA256 -> "TLS13-AES128-GCM-SHA256";
            case TLS_AES_256_GCM_SHA384 -> "TLS13-AES256-GCM-SHA384";
            case TLS_CHACHA20_POLY1305_SHA256 -> "TLS13-CHACHA20-POLY1305-SHA256";
            case TLS_AES_128_CCM_SHA256 -> "TLS13-AES128-CCM-SHA256";
            case TLS_AES_128_CCM_8_SHA256 -> "TLS13-AES128-CCM8-SHA256";
        };
    }

    /** The CCM suites need a wolfSSL configured with --enable-aesccm (ci/build-wolfssl.sh does). */
    private static void assumeSuite(CipherSuite suite) {
        if (suite.isCcm()) {
            WolfSslPeer.assumeFeature("HAVE_AESCCM", "--enable-aesccm");
        }
    }

    private static List<String> args(int port, String... more) {
        List<String> a = new ArrayList<>(List.of("-u", "-v", "4", "-p", Integer.toString(port)));
        a.addAll(List.of(more));
        return a;
    }

    private static Path wolf(String relative) {
        return WolfSslPeer.buildDir().orElseThrow().resolve(relative);
    }

    private DtlsConfig.Builder clientTrustingWolfSsl() throws IOException {
        return DtlsConfig.builder().backend(nativeBackend().name()).trustedCertificates(Pem.certificates(wolf("certs/ca-cert.pem")))
                .initialRetransmitTimeout(Duration.ofMillis(300));
    }

    /** pqdtls client → wolfSSL server: handshake, our message, wolfSSL's reply. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndGroups")
    void ourClientToWolfSslServer(CipherSuite suite, NamedGroup group) throws Exception {
        assumeSuite(suite);
        int port = WolfSslPeer.freeUdpPort();
        List<String> server = args(port, "-d", "-l", wolfSuite(suite));
        if (group == NamedGroup.X25519_MLKEM768) {
            server.addAll(List.of("--pqc", "X25519MLKEM768"));
        }
        try (WolfSslPeer wolf = WolfSslPeer.startServer(server.toArray(String[]::new));
                DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port),
                        clientTrustingWolfSsl().groups(group).cipherSuites(suite).build())) {
            assertEquals(group, c.session().group());
            assertEquals(suite, c.session().cipherSuite());
            assertTrue(c.session().helloRetryRequest(), "wolfSSL always sends a cookie");
            c.send("hello from pqdtls".getBytes(StandardCharsets.UTF_8));
            String reply = new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("I hear you fa shizzle!"), reply);
            wolf.awaitOutput(WolfSslPeer.HANDSHAKE_DONE, STEP);
        }
    }

    /** wolfSSL client → pqdtls server: handshake, wolfSSL's message echoed back. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndGroups")
    void wolfSslClientToOurServer(CipherSuite suite, NamedGroup group) throws Exception {
        assumeSuite(suite);
        List<String> extra = new ArrayList<>(List.of("-d", "-l", wolfSuite(suite)));
        if (group == NamedGroup.X25519_MLKEM768) {
            extra.addAll(List.of("--pqc", "X25519MLKEM768"));
        }
        runWolfClientAgainstOurServer(DtlsConfig.builder().backend(nativeBackend().name()).groups(group).cipherSuites(suite), extra, group);
    }

    /** A server with the default groups accepts wolfSSL's other hybrid. */
    @Test
    void wolfSslSecP256r1MlKem768ClientToOurDefaultServer() throws Exception {
        runWolfClientAgainstOurServer(DtlsConfig.builder().backend(nativeBackend().name()),
                List.of("-d", "--pqc", "SecP256r1MLKEM768"), NamedGroup.SECP256R1_MLKEM768);
    }

    /** A wolfSSL client whose only group our server does not allow gets our handshake_failure at once. */
    @Test
    void wolfSslClientWithNoGroupInCommonIsRefusedAtOnce() throws Exception {
        TestPki.Pki pki = TestPki.quickServer();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), DtlsConfig.builder()
                .backend(nativeBackend().name()).groups(NamedGroup.X25519)
                .certificate(pki.leaf().chain(), pki.leaf().privateKey()).build());
                WolfSslPeer wolf = WolfSslPeer.startClient(args(server.localAddress().getPort(), "-d", "--pqc",
                        "SecP256r1MLKEM768").toArray(String[]::new))) {
            int exit = wolf.waitFor(Duration.ofSeconds(10));
            assertTrue(exit != 0, "wolfSSL's client must fail, not time out or succeed");
            assertEquals(0, server.connectionCount());
        }
    }

    private void runWolfClientAgainstOurServer(DtlsConfig.Builder config, List<String> clientArgs, NamedGroup group)
            throws Exception {
        TestPki.Pki pki = TestPki.quickServer();
        runWolfClient(config.certificate(pki.leaf().chain(), pki.leaf().privateKey()).build(), clientArgs, group);
    }

    /** Runs the wolfSSL client against a server of {@code config}; returns the server side's session. */
    private SessionInfo runWolfClient(DtlsConfig config, List<String> clientArgs, NamedGroup group) throws Exception {
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), config)) {
            CompletableFuture<List<Served>> served = serveEchoes(server, 1);
            try (WolfSslPeer wolf = WolfSslPeer.startClient(args(server.localAddress().getPort(),
                    clientArgs.toArray(String[]::new)).toArray(String[]::new))) {
                wolf.awaitOutput(WolfSslPeer.HANDSHAKE_DONE, STEP);
                Served first = served.get(STEP.toSeconds(), TimeUnit.SECONDS).get(0);
                assertTrue(first.message().startsWith("hello wolfssl"), first.message());
                SessionInfo session = first.session();
                assertEquals(group, session.group());
                assertEquals(0, wolf.waitFor(STEP), "wolfSSL client exit code");
                return session;
            }
        }
    }

    @Test
    void connectionIdsBothWays() throws Exception {
        int port = WolfSslPeer.freeUdpPort();
        try (WolfSslPeer wolf = WolfSslPeer.startServer(args(port, "-d", "--cid", "wolfcid").toArray(String[]::new));
                DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port),
                        clientTrustingWolfSsl().connectionIdLength(6).build())) {
            assertTrue(c.session().connectionIds());
            c.send("cid".getBytes(StandardCharsets.UTF_8));
            assertTrue(new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8).startsWith("I hear you"));
            wolf.awaitOutput(java.util.regex.Pattern.compile("CID extension was negotiated"), STEP);
        }
        runWolfClientAgainstOurServer(DtlsConfig.builder().backend(nativeBackend().name()).connectionIdLength(8),
                List.of("-d", "--cid", "clientcid"), NamedGroup.SECP256R1);
    }

    @Test
    void keyUpdateBothWays() throws Exception {
        int port = WolfSslPeer.freeUdpPort();
        try (WolfSslPeer wolf = WolfSslPeer.startServer(args(port, "-d").toArray(String[]::new));
                DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port), clientTrustingWolfSsl().build())) {
            assertTrue(c.keyUpdate(false));
            c.send("after key update".getBytes(StandardCharsets.UTF_8));
            assertTrue(new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8).startsWith("I hear you"));
            assertEquals(1, c.stats().keyUpdates(), "wolfSSL acknowledged our KeyUpdate");
        }
        runWolfClientAgainstOurServer(DtlsConfig.builder().backend(nativeBackend().name()), List.of("-d", "-I", "--pqc", "X25519MLKEM768"),
                NamedGroup.X25519_MLKEM768);
    }

    @Test
    void clientAuthenticationBothWays() throws Exception {
        // Our client presents a certificate the wolfSSL server verifies against our CA (-A).
        TestPki.Pki ours = TestPki.quickServer();
        Path ca = Files.createTempFile("pqdtls-ca", ".pem");
        try {
            Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ours.ca().certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            int port = WolfSslPeer.freeUdpPort();
            try (WolfSslPeer wolf = WolfSslPeer.startServer(args(port, "-A", ca.toString()).toArray(String[]::new));
                    DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port),
                            clientTrustingWolfSsl().certificate(ours.leaf().chain(), ours.leaf().privateKey()).build())) {
                c.send("authenticated".getBytes(StandardCharsets.UTF_8));
                assertTrue(new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8).startsWith("I hear you"));
            }
        } finally {
            Files.deleteIfExists(ca);
        }
        // The wolfSSL client presents its RSA certificate; our server requires and verifies it.
        runWolfClientAgainstOurServer(DtlsConfig.builder().backend(nativeBackend().name()).clientAuth(DtlsConfig.ClientAuth.REQUIRED)
                .trustedCertificates(Pem.certificates(wolf("certs/client-cert.pem"))), List.of("-d", "--pqc", "X25519MLKEM768"),
                NamedGroup.X25519_MLKEM768);
    }

    /** What a served connection showed: its session, the 0-RTT data it took and the message it echoed. */
    private record Served(SessionInfo session, boolean earlyDataAccepted, List<String> earlyData, String message) {
    }

    /**
     * Serves {@code connections} connections one after the other on a thread of its own: takes the early
     * data, echoes one datagram, closes.
     */
    private static CompletableFuture<List<Served>> serveEchoes(DtlsServer server, int connections) {
        return CompletableFuture.supplyAsync(() -> {
            List<Served> served = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                try (DtlsConnection c = server.accept(STEP).orElseThrow()) {
                    List<String> early = c.takeEarlyData().stream().map(d -> new String(d, StandardCharsets.UTF_8)).toList();
                    byte[] message = c.receive(STEP).orElseThrow();
                    c.send(message);
                    served.add(new Served(c.session(), c.earlyDataAccepted(), early,
                            new String(message, StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }
            return served;
        }, task -> new Thread(task, "pqdtls-server-test").start());
    }

    /** A wolfSSL client (-r) resumes with our ticket: its binder verifies here, our Finished there. */
    @Test
    void wolfSslClientResumesWithOurTicket() throws Exception {
        TestPki.Pki pki = TestPki.quickServer();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), DtlsConfig.builder()
                .backend(nativeBackend().name()).certificate(pki.leaf().chain(), pki.leaf().privateKey()).build())) {
            CompletableFuture<List<Served>> served = serveEchoes(server, 2);
            try (WolfSslPeer wolf = WolfSslPeer.startClient(args(server.localAddress().getPort(), "-d", "-r",
                    "--pqc", "X25519MLKEM768").toArray(String[]::new))) {
                wolf.awaitOutput(java.util.regex.Pattern.compile("(?m)^reused session id$"), STEP);
                assertEquals(List.of(false, true), served.get(STEP.toSeconds(), TimeUnit.SECONDS).stream()
                        .map(c -> c.session().resumed()).toList());
                assertEquals(0, wolf.waitFor(STEP), "wolfSSL client exit code");
            }
        }
    }

    /**
     * 0-RTT: a wolfSSL client (-r -0) resumes with our ticket and sends "A drop of info" as early data,
     * which our server (no cookie round trip, which would rule early data out) takes.
     */
    @Test
    void wolfSslClientSendsEarlyDataWithOurTicket() throws Exception {
        TestPki.Pki pki = TestPki.quickServer();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), DtlsConfig.builder()
                .backend(nativeBackend().name()).certificate(pki.leaf().chain(), pki.leaf().privateKey())
                .cookiePolicy(DtlsConfig.CookiePolicy.NEVER).maxEarlyData(4096).build())) {
            CompletableFuture<List<Served>> served = serveEchoes(server, 2);
            // A classic group: its share fits wolfSSL's first ClientHello, so no HelloRetryRequest.
            try (WolfSslPeer wolf = WolfSslPeer.startClient(args(server.localAddress().getPort(), "-d", "-r", "-0")
                    .toArray(String[]::new))) {
                wolf.awaitOutput(java.util.regex.Pattern.compile("(?m)^reused session id$"), STEP);
                assertEquals(List.of("false []", "true [A drop of info]"), served.get(STEP.toSeconds(), TimeUnit.SECONDS)
                        .stream().map(c -> c.earlyDataAccepted() + " " + c.earlyData()).toList());
                assertEquals(0, wolf.waitFor(STEP), "wolfSSL client exit code");
            }
        }
    }

    /**
     * Without the cookie round trip a wolfSSL client's first ClientHello has no hybrid share (it would
     * need fragments); our stateful HelloRetryRequest carries a cookie anyway, without which wolfSSL
     * would not send the fragmented second ClientHello with the share.
     */
    @Test
    void wolfSslHybridClientToOurServerWithoutTheCookieRoundTrip() throws Exception {
        runWolfClientAgainstOurServer(DtlsConfig.builder().backend(nativeBackend().name())
                .cookiePolicy(DtlsConfig.CookiePolicy.NEVER), List.of("-d", "--pqc", "X25519MLKEM768"), NamedGroup.X25519_MLKEM768);
    }

    /**
     * 0-RTT the other way: our client's early data with a wolfSSL server's ticket (-0; -J n: no
     * cookie, which would rule early data out; a classic group, whose share fits the first
     * ClientHello). The server answers the early message itself.
     */
    @Test
    void ourClientSendsEarlyDataWithAWolfSslTicket() throws Exception {
        int port = WolfSslPeer.freeUdpPort();
        DtlsConfig config = clientTrustingWolfSsl().groups(NamedGroup.X25519).build();
        try (WolfSslPeer wolf = WolfSslPeer.startServer(args(port, "-d", "-C", "2", "-0", "-J", "n").toArray(String[]::new))) {
            try (DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port), config)) {
                c.send("hello".getBytes(StandardCharsets.UTF_8));
                assertTrue(new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8).startsWith("I hear you"));
            }
            // Early data is not retransmitted: it must not go out before the server listens again (the
            // example server binds a fresh socket for each client; its "Client message" line is unreliable).
            assertTrue(wolf.awaitUdpListening(port, STEP), "the wolfSSL server listens for its second client");
            try (DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port), config,
                    List.of("early hello".getBytes(StandardCharsets.UTF_8)))) {
                assertTrue(c.session().resumed());
                assertTrue(c.earlyDataAccepted(), "wolfSSL took our early data");
                wolf.awaitOutput(java.util.regex.Pattern.compile("(?m)early hello"), STEP);
            }
        }
    }

    /** psk_ke (-K): a PSK handshake without key exchange, when both sides allow it, both ways. */
    @Test
    void externalPskWithoutKeyExchangeBothWays() throws Exception {
        int port = WolfSslPeer.freeUdpPort();
        try (WolfSslPeer wolf = WolfSslPeer.startServer(args(port, "-s", "-K").toArray(String[]::new));
                DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port), DtlsConfig.builder()
                        .backend(nativeBackend().name()).preSharedKeys(wolfSslExamplePsk("Client_identity"))
                        .pskModes(DtlsConfig.PskMode.PSK_KE).build())) {
            assertEquals(null, c.session().group(), "psk_ke: no key exchange");
            c.send("psk_ke".getBytes(StandardCharsets.UTF_8));
            assertTrue(new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8).startsWith("I hear you"));
        }
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), DtlsConfig.builder()
                .backend(nativeBackend().name()).preSharedKeys(wolfSslExamplePsk("Client_identitySHA256"))
                .pskModes(DtlsConfig.PskMode.PSK_KE, DtlsConfig.PskMode.PSK_DHE_KE).build())) {
            CompletableFuture<List<Served>> served = serveEchoes(server, 1);
            try (WolfSslPeer wolf = WolfSslPeer.startClient(args(server.localAddress().getPort(), "-s", "-K")
                    .toArray(String[]::new))) {
                wolf.awaitOutput(WolfSslPeer.HANDSHAKE_DONE, STEP);
                SessionInfo session = served.get(STEP.toSeconds(), TimeUnit.SECONDS).get(0).session();
                assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY, session.authentication());
                assertEquals(null, session.group(), "psk_ke: no key exchange");
                assertEquals(0, wolf.waitFor(STEP), "wolfSSL client exit code");
            }
        }
    }

    /**
     * RFC 7250 the other way: our client, which pins the server's key instead of validating a chain,
     * against a wolfSSL server presenting a raw public key (a driver of the test tree,
     * wolfssl_rpk_server.c: wolfSSL's example server has no raw-key option). A client that pinned
     * another key refuses the server with bad_certificate.
     */
    @Test
    void ourClientPinsTheRawKeyOfAWolfSslServer() throws Exception {
        Path driver = WolfSslPeer.driver(WolfSslInteropSuite.class, "wolfssl_rpk_server.c");
        Path rpk = wolf("certs/rpk/server-ecc-cert-rpk.der");
        java.security.PublicKey serverKey = java.security.KeyFactory.getInstance("EC")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(Files.readAllBytes(rpk)));
        String pin = DtlsConfig.publicKeyPin(serverKey);
        List<String> serverArgs = List.of(rpk.toString(), wolf("certs/ecc-key.der").toString());
        int port = WolfSslPeer.freeUdpPort();
        try (WolfSslPeer wolf = WolfSslPeer.start(WolfSslPeer.Role.SERVER, driver,
                Stream.concat(Stream.of(Integer.toString(port)), serverArgs.stream()).toList())) {
            wolf.awaitUdpBound(port, STEP);
            try (DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port), DtlsConfig.builder()
                    .backend(nativeBackend().name()).pinnedPublicKeys(List.of(pin), DtlsConfig.PinMode.INSTEAD_OF_CHAIN).build())) {
                assertEquals(List.of(), c.session().peerCertificates(), "a raw key, no certificate");
                assertEquals(pin, c.session().peerPublicKeyPin().orElseThrow());
                c.send("raw key".getBytes(StandardCharsets.UTF_8));
                assertEquals("raw key", new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8));
                wolf.awaitOutput(java.util.regex.Pattern.compile("(?m)^server certificate type: RPK$"), STEP);
            }
        }
        String otherPin = DtlsConfig.publicKeyPin(TestPki.freshKeyPair(TestPki.KeyType.EC_P256).getPublic());
        int port2 = WolfSslPeer.freeUdpPort();
        try (WolfSslPeer wolf = WolfSslPeer.start(WolfSslPeer.Role.SERVER, driver,
                Stream.concat(Stream.of(Integer.toString(port2)), serverArgs.stream()).toList())) {
            wolf.awaitUdpBound(port2, STEP);
            DtlsException refused = org.junit.jupiter.api.Assertions.assertThrows(DtlsException.class, () -> DtlsClient.connect(
                    new InetSocketAddress("127.0.0.1", port2), DtlsConfig.builder().backend(nativeBackend().name())
                            .pinnedPublicKeys(List.of(otherPin), DtlsConfig.PinMode.INSTEAD_OF_CHAIN).build()));
            assertEquals(DtlsAlert.BAD_CERTIFICATE, refused.alert(), refused.getMessage());
        }
    }

    /** Our client resumes with the ticket a wolfSSL server issued (two connections to one server). */
    @Test
    void ourClientResumesWithAWolfSslTicket() throws Exception {
        int port = WolfSslPeer.freeUdpPort();
        DtlsConfig config = clientTrustingWolfSsl().build(); // one configuration, one session cache
        try (WolfSslPeer wolf = WolfSslPeer.startServer(args(port, "-d", "-C", "2").toArray(String[]::new))) {
            for (boolean resumed : new boolean[] {false, true}) {
                assertTrue(wolf.awaitUdpListening(port, STEP), "the wolfSSL server listens for its next client");
                try (DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port), config)) {
                    c.send("hello".getBytes(StandardCharsets.UTF_8));
                    assertTrue(new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8).startsWith("I hear you"));
                    assertEquals(resumed, c.session().resumed(), "connection " + (resumed ? 2 : 1));
                }
            }
        }
    }

    /**
     * wolfSSL's example PSK (-s, wolfssl/test.h): identity Client_identity, 32 bytes 01 23 45 ..,
     * for TLS13-AES128-GCM-SHA256 in a build without SHA-384 PSK suites (ci/build-wolfssl.sh's). Its
     * client names the key Client_identity followed by the hash, Client_identitySHA256; its server
     * takes any identity that starts with Client_identity.
     */
    private static PreSharedKey wolfSslExamplePsk(String identity) {
        byte[] key = new byte[32];
        for (int i = 0, b = 0x01; i < 32; i++, b += 0x22) {
            if (b >= 0x100) {
                b = 0x01;
            }
            key[i] = (byte) b;
        }
        return PreSharedKey.of(identity, key);
    }

    /** External PSK, no certificates: our PSK-only client with wolfSSL's -s server, and the reverse. */
    @Test
    void externalPskBothWays() throws Exception {
        int port = WolfSslPeer.freeUdpPort();
        try (WolfSslPeer wolf = WolfSslPeer.startServer(args(port, "-s").toArray(String[]::new));
                DtlsConnection c = DtlsClient.connect(new InetSocketAddress("127.0.0.1", port),
                        DtlsConfig.builder().backend(nativeBackend().name()).preSharedKeys(wolfSslExamplePsk("Client_identity")).build())) {
            assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY, c.session().authentication());
            assertEquals(NamedGroup.X25519_MLKEM768, c.session().group(), "psk_dhe_ke with the hybrid group");
            c.send("psk".getBytes(StandardCharsets.UTF_8));
            assertTrue(new String(c.receive(STEP).orElseThrow(), StandardCharsets.UTF_8).startsWith("I hear you"));
        }
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0), DtlsConfig.builder()
                .backend(nativeBackend().name()).preSharedKeys(wolfSslExamplePsk("Client_identitySHA256")).build())) {
            CompletableFuture<List<Served>> served = serveEchoes(server, 1);
            try (WolfSslPeer wolf = WolfSslPeer.startClient(args(server.localAddress().getPort(), "-s")
                    .toArray(String[]::new))) {
                wolf.awaitOutput(WolfSslPeer.HANDSHAKE_DONE, STEP);
                assertEquals(SessionInfo.Authentication.PRE_SHARED_KEY,
                        served.get(STEP.toSeconds(), TimeUnit.SECONDS).get(0).session().authentication());
                assertEquals(0, wolf.waitFor(STEP), "wolfSSL client exit code");
            }
        }
    }

    /**
     * RFC 7250 with wolfSSL's example client ({@code --rpk}: it offers and accepts only raw public keys;
     * it sends client_certificate_type only when its -c file is a raw key, wolfSSL's certs/rpk/*.der). Our server presents a raw key and accepts the client's only
     * when pinned. The example client does not check the server's key (it turns peer verification off
     * with --rpk), and the example server has no --rpk: the other direction cannot be tested with them.
     */
    @Test
    void wolfSslRawPublicKeyClientToOurRawKeyServer() throws Exception {
        java.security.PublicKey wolfClientKey = java.security.KeyFactory.getInstance("RSA").generatePublic(
                new java.security.spec.X509EncodedKeySpec(Files.readAllBytes(wolf("certs/rpk/client-cert-rpk.der"))));
        String wolfClientPin = DtlsConfig.publicKeyPin(wolfClientKey);
        List<String> rawKeyClient = List.of("--rpk", "--files-are-der", "-c", "certs/rpk/client-cert-rpk.der",
                "-k", "certs/client-key.der");
        DtlsConfig.Builder server = DtlsConfig.builder().backend(nativeBackend().name())
                .rawPublicKey(TestPki.freshKeyPair(TestPki.KeyType.EC_P256)).clientAuth(DtlsConfig.ClientAuth.REQUIRED);
        SessionInfo session = runWolfClient(server.pinnedPublicKeys(List.of(wolfClientPin), DtlsConfig.PinMode.INSTEAD_OF_CHAIN)
                .build(), Stream.concat(rawKeyClient.stream(), Stream.of("--pqc", "X25519MLKEM768")).toList(),
                NamedGroup.X25519_MLKEM768);
        assertEquals(List.of(), session.peerCertificates(), "the client sent a raw key, no certificate");
        assertEquals(wolfClientPin, session.peerPublicKeyPin().orElseThrow());

        // The same client against a server that pinned another key is refused: the pin is what admits it.
        String otherPin = DtlsConfig.publicKeyPin(TestPki.freshKeyPair(TestPki.KeyType.EC_P256).getPublic());
        try (DtlsServer refusing = DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0),
                server.pinnedPublicKeys(List.of(otherPin), DtlsConfig.PinMode.INSTEAD_OF_CHAIN).build());
                WolfSslPeer wolf = WolfSslPeer.startClient(args(refusing.localAddress().getPort(),
                        rawKeyClient.toArray(String[]::new)).toArray(String[]::new))) {
            assertTrue(wolf.waitFor(STEP) != 0, "wolfSSL's client must fail");
            assertTrue(refusing.accept(Duration.ofMillis(1)).isEmpty(), "no connection for an unpinned client key");
        }
    }
}
