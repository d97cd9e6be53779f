package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ML-KEM-768 source selection (libcrypto ≥ 3.5 → liboqs → pure Java) and the deterministic
 * operations of each native source, cross-checked against the fallback backend's implementation.
 */
class MlKemSourceTest {
    private static final PublicKeyOperations OPS = new PublicKeyOperations();

    private static void skipUnless(boolean condition, String reason) {
        if (!condition) {
            System.out.println("[" + MlKemSourceTest.class.getSimpleName() + "] skipped: " + reason);
        }
        assumeTrue(condition, reason);
    }

    private static String libcryptoMlKemAbsence() {
        return "libcrypto " + Libcrypto.version() + " (" + Libcrypto.source() + ") is older than 3.5; set -D"
                + Libcrypto.PATH_PROPERTY + "=<openssl-3.5>/lib64/libcrypto.so.3";
    }

    @Test
    void sourceIsReportedAsChosen() {
        Map<String, String> impl = OPS.implementations();
        Map<String, String> details = OPS.details();
        System.out.println("[MlKemSourceTest] implementations: " + impl);
        System.out.println("[MlKemSourceTest] details: " + details);
        String mlKem = impl.get("ML-KEM-768");
        assertEquals("libcrypto " + Libcrypto.version(), impl.get("X25519"));
        assertEquals(mlKem, details.get("ML-KEM-768 source"));
        if (Libcrypto.hasMlKem()) {
            assertEquals("libcrypto " + Libcrypto.version(), mlKem);
            assertTrue(OPS.componentKeyExchange(NamedGroup.MLKEM768) instanceof dev.pqdtls.nativeabi.NativeKeyExchange);
        } else if (OqsLibrary.get().unavailableReason().isEmpty()) {
            assertEquals("liboqs " + OqsLibrary.get().version(), mlKem);
            assertTrue(details.get("ML-KEM-768 via libcrypto").contains("< 3.5"));
        } else {
            assertTrue(mlKem.contains("(pure Java: libcrypto " + Libcrypto.version() + " < 3.5 and liboqs not found)"),
                    mlKem);
            assertTrue(details.get("liboqs").startsWith("not found: "), details.get("liboqs"));
            assertTrue(details.get("ML-KEM-768 via liboqs").contains("not found"));
        }
    }

    @Test
    void knownAnswerIsOfferedByTheChosenSource() {
        Optional<MlKemKnownAnswer> kat = OPS.mlKemKnownAnswer();
        if (Libcrypto.hasMlKem()) {
            assertEquals("libcrypto " + Libcrypto.version(), kat.orElseThrow().implementation());
        }
        kat.ifPresent(k -> assertEquals(1184, k.keyGen(new byte[64]).encapsulationKey().length));
    }

    @Test
    void libcryptoKnownAnswerMatchesThePureJavaImplementation() throws Exception {
        skipUnless(Libcrypto.hasMlKem(), libcryptoMlKemAbsence());
        LibcryptoMlKem kem = LibcryptoMlKem.probe().kem().orElseThrow();
        crossCheck(kem);
    }

    @Test
    void libcryptoKemInteroperatesWithPureJava() throws Exception {
        skipUnless(Libcrypto.hasMlKem(), libcryptoMlKemAbsence());
        interoperate(OPS.nativeExchange(NamedGroup.MLKEM768).orElseThrow());
    }

    @Test
    void liboqsKemRoundTripsAndInteroperates() throws Exception {
        OqsLibrary lib = OqsLibrary.get();
        skipUnless(lib.unavailableReason().isEmpty(), "liboqs " + lib.describe());
        OqsMlKem.Probe probe = OqsMlKem.probe();
        skipUnless(probe.kem().isPresent(), String.valueOf(probe.reason()));
        OqsMlKem kem = probe.kem().get();
        System.out.println("[MlKemSourceTest] liboqs: " + lib.describe());
        try (KeyExchange.ClientKeyShare c = kem.newClientShare()) {
            KeyExchange.ServerKeyShare s = kem.respond(c.publicShare());
            assertArrayEquals(s.sharedSecret(), c.finish(s.publicShare()));
        }
        interoperate(kem);
        byte[] bad = new byte[1184];
        Arrays.fill(bad, (byte) 0xFF);
        assertThrows(InvalidKeyShareException.class, () -> kem.respond(bad));
        Optional<MlKemKnownAnswer> kat = kem.knownAnswer();
        skipUnless(kat.isPresent(), "liboqs " + lib.version() + " has no OQS_KEM_keypair_derand/encaps_derand");
        crossCheck(kat.get());
    }

    /** Same seeds and m: native and pure-Java implementations must agree bit for bit. */
    private static void crossCheck(MlKemKnownAnswer nativeKat) throws Exception {
        MlKemKnownAnswer pure = new FallbackBackend().mlKemKnownAnswer().orElseThrow();
        Random random = new Random(203);
        for (int i = 0; i < 5; i++) {
            byte[] seed = new byte[64];
            byte[] m = new byte[32];
            random.nextBytes(seed);
            random.nextBytes(m);
            MlKemKnownAnswer.KeyPair a = nativeKat.keyGen(seed);
            MlKemKnownAnswer.KeyPair b = pure.keyGen(seed);
            assertArrayEquals(b.encapsulationKey(), a.encapsulationKey());
            assertArrayEquals(b.decapsulationKey(), a.decapsulationKey());
            MlKemKnownAnswer.Encapsulation ea = nativeKat.encapsulate(a.encapsulationKey(), m);
            MlKemKnownAnswer.Encapsulation eb = pure.encapsulate(b.encapsulationKey(), m);
            assertArrayEquals(eb.ciphertext(), ea.ciphertext());
            assertArrayEquals(eb.sharedSecret(), ea.sharedSecret());
            assertArrayEquals(ea.sharedSecret(), nativeKat.decapsulate(a.decapsulationKey(), ea.ciphertext()));
            byte[] tampered = ea.ciphertext().clone();
            tampered[0] ^= 1;
            assertArrayEquals(pure.decapsulate(b.decapsulationKey(), tampered),
                    nativeKat.decapsulate(a.decapsulationKey(), tampered), "implicit rejection differs");
        }
        byte[] dk = nativeKat.keyGen(new byte[64]).decapsulationKey();
        dk[2336] ^= 1; // the embedded H(ek)
        assertThrows(InvalidKeyShareException.class, () -> nativeKat.decapsulate(dk, new byte[1088]));
        assertThrows(InvalidKeyShareException.class, () -> nativeKat.decapsulate(new byte[2399], new byte[1088]));
        assertThrows(IllegalArgumentException.class, () -> nativeKat.keyGen(new byte[32]));
    }

    /** A native client with a pure-Java server and the other way round. */
    private static void interoperate(KeyExchange nativeKem) throws Exception {
        KeyExchange pure = new FallbackBackend().componentKeyExchange(NamedGroup.MLKEM768);
        try (KeyExchange.ClientKeyShare c = nativeKem.newClientShare()) {
            KeyExchange.ServerKeyShare s = pure.respond(c.publicShare());
            assertArrayEquals(s.sharedSecret(), c.finish(s.publicShare()));
        }
        try (KeyExchange.ClientKeyShare c = pure.newClientShare()) {
            KeyExchange.ServerKeyShare s = nativeKem.respond(c.publicShare());
            byte[] secret = c.finish(s.publicShare());
            assertArrayEquals(s.sharedSecret(), secret);
            assertFalse(Arrays.equals(new byte[32], secret));
        }
    }
}
