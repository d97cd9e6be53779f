package dev.pqdtls.nativeabi.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.spi.CryptoBackend;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every suite × every group on a native backend, on fallback and mixed, through the sans-I/O engine in memory,
 * with and without a group-change HelloRetryRequest, carrying data both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // the matrix names the subclass's backend
public abstract class EngineMatrixSuite extends NativeBackendSuite {
    private static final CryptoBackend FALLBACK = new FallbackBackend();

    Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (String client : List.of(NATIVE, FALLBACK.name())) {
            for (String server : List.of(NATIVE, FALLBACK.name())) {
                for (CipherSuite suite : CipherSuite.values()) {
                    for (NamedGroup group : NamedGroup.values()) {
                        out.add(Arguments.of(resolve(client), resolve(server), suite, group));
                    }
                }
            }
        }
        return out.stream();
    }

    private CryptoBackend byName(String name) {
        return name.equals(FALLBACK.name()) ? FALLBACK : nativeBackend();
    }


    @ParameterizedTest(name = "{0}->{1} {2} {3}")
    @MethodSource("matrix")
    void handshakeAndData(String clientBackend, String serverBackend, CipherSuite suite, NamedGroup group) {
        // The client prefers X25519 but also offers the group under test, which the server insists
        // on: for every group but X25519 that takes a HelloRetryRequest.
        List<NamedGroup> clientGroups = group == NamedGroup.X25519 ? List.of(group) : List.of(NamedGroup.X25519, group);
        DtlsConfig clientConfig = DtlsConfig.builder().groups(clientGroups).cipherSuites(suite)
                .trustedCertificates(List.of(PKI.ca().certificate())).serverName("localhost").build();
        DtlsConfig serverConfig = DtlsConfig.builder().groups(group).cipherSuites(suite)
                .certificate(PKI.leaf().chain(), PKI.leaf().privateKey())
                .cookiePolicy(DtlsConfig.CookiePolicy.NEVER).build();
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 4433);
        ClientConnection c = new ClientConnection(clientConfig, byName(clientBackend), addr,
                PeerAuthenticator.builder().trustAnchors(clientConfig.trustedCertificates()).build(), null, 0);
        ServerConnection s = new ServerConnection(serverConfig, byName(serverBackend), addr,
                LocalCredentials.of(serverConfig.certificateChain(), serverConfig.privateKey().get()), PeerAuthenticator.insecure(), 0);
        c.start(0);
        EnginePump.exchangeAll(c, s);
        assertTrue(c.state() == Connection.State.CONNECTED && s.state() == Connection.State.CONNECTED,
                () -> c.failure() + " / " + s.failure());
        assertEquals(group, c.session().group());
        assertEquals(suite, s.session().cipherSuite());
        assertEquals(group != NamedGroup.X25519, c.session().helloRetryRequest());
        c.send(ByteBuffer.wrap("to server".getBytes(StandardCharsets.UTF_8)), 0);
        s.send(ByteBuffer.wrap("to client".getBytes(StandardCharsets.UTF_8)), 0);
        EnginePump.exchangeAll(c, s);
        assertEquals("to server", new String(s.pollApplicationData(), StandardCharsets.UTF_8));
        assertEquals("to client", new String(c.pollApplicationData(), StandardCharsets.UTF_8));
        assertArrayEquals(c.exportKeyingMaterial("EXPORTER-matrix", new byte[0], 16),
                s.exportKeyingMaterial("EXPORTER-matrix", new byte[0], 16));
    }
}
