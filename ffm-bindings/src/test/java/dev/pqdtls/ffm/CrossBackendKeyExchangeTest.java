package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.KeyExchange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The FFM and pure-Java backends interoperate: for the hybrid groups of draft-ietf-tls-ecdhe-mlkem
 * and their components, a client on one backend and a server on the other reach the same secret.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossBackendKeyExchangeTest {
    private static final NamedGroup[] GROUPS = {
        NamedGroup.X25519_MLKEM768, NamedGroup.SECP256R1_MLKEM768,
        NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.MLKEM768,
    };

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final CryptoBackend ffm = new FfmBackend();
    private final CryptoBackend fallback = new FallbackBackend();

    @BeforeAll
    void bothBackendsAreUsable() {
        for (CryptoBackend b : new CryptoBackend[] {ffm, fallback}) {
            Optional<String> why = b.checkUsable();
            if (why.isPresent()) {
                String msg = "backend '" + b.name() + "' is not usable here: " + why.get();
                System.out.println("[cross-backend] FAIL: " + msg);
                fail(msg);
            }
        }
        System.out.println("[cross-backend] ffm " + ffm.implementations() + "; fallback " + fallback.implementations());
    }

    @TestFactory
    Stream<DynamicTest> clientOnOneBackendServerOnTheOther() {
        List<DynamicTest> tests = new ArrayList<>();
        for (NamedGroup group : GROUPS) {
            // Dynamic tests are not covered by JUnit's default timeout: bound each one here.
            tests.add(DynamicTest.dynamicTest(group + ": client ffm, server fallback",
                    () -> assertTimeoutPreemptively(TIMEOUT, () -> exchange(group, ffm, fallback))));
            tests.add(DynamicTest.dynamicTest(group + ": client fallback, server ffm",
                    () -> assertTimeoutPreemptively(TIMEOUT, () -> exchange(group, fallback, ffm))));
        }
        return tests.stream();
    }

    private static void exchange(NamedGroup group, CryptoBackend clientSide, CryptoBackend serverSide) throws Exception {
        String what = group + " client " + clientSide.name() + " / server " + serverSide.name();
        for (int i = 0; i < 5; i++) {
            try (KeyExchange.ClientKeyShare client = clientSide.keyExchange(group).newClientShare()) {
                byte[] share = client.publicShare();
                assertEquals(group.clientShareLength(), share.length, what + ": client share length");
                KeyExchange.ServerKeyShare server = serverSide.keyExchange(group).respond(share);
                assertEquals(group.serverShareLength(), server.publicShare().length, what + ": server share length");
                byte[] secret = client.finish(server.publicShare());
                assertEquals(group.sharedSecretLength(), secret.length, what + ": secret length");
                assertArrayEquals(server.sharedSecret(), secret, what + ": shared secrets differ");
            }
        }
    }
}
