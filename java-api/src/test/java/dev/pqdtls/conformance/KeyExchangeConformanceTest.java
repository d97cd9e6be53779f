package dev.pqdtls.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.conformance.support.BackendConformance;
import dev.pqdtls.conformance.support.Bytes;
import dev.pqdtls.conformance.support.Hex;
import dev.pqdtls.conformance.support.Rfc8448Simple1Rtt;
import dev.pqdtls.conformance.support.Wycheproof;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Key exchange of a {@link CryptoBackend}: Wycheproof X25519, P-256 ECDH and ML-KEM-768 (keygen from
 * seed, encapsulation, decapsulation from seed and from the expanded key) known answers, a round
 * trip for every {@link NamedGroup} with the share lengths TLS fixes, the hybrid concatenation order
 * of draft-ietf-tls-ecdhe-mlkem, and rejection of malformed shares.
 */
public abstract class KeyExchangeConformanceTest extends BackendConformance {
    private static final int MLKEM_EK = 1184;
    private static final int MLKEM_DK = 2400;
    private static final int MLKEM_CT = 1088;
    private static final String MLKEM_ENCAPS_FILE = "mlkem_768_encaps_test.json";
    private static final String MLKEM_ENCAPS_SCHEMA = "mlkem_encaps_test_schema.json";

    @Override
    protected abstract CryptoBackend backend();

    // --- static ECDH known answers -----------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> wycheproofX25519() {
        return Stream.of(vectorFile("x25519_test.json", "xdh_comp_schema_v1.json", g -> g.text("curve"),
                (g, v) -> checkEcdh(NamedGroup.X25519, v)));
    }

    /** Public keys as uncompressed points, as TLS 1.3 sends them (RFC 8446 §4.2.8.2). */
    @TestFactory
    Stream<DynamicNode> wycheproofSecp256r1() {
        return Stream.of(vectorFile("ecdh_secp256r1_ecpoint_test.json", "ecdh_ecpoint_test_schema_v1.json",
                g -> g.text("curve") + " " + g.text("encoding"), (g, v) -> checkEcdh(NamedGroup.SECP256R1, v)));
    }

    private void checkEcdh(NamedGroup group, Wycheproof.Vector v) {
        byte[] priv = group == NamedGroup.SECP256R1 ? fixed32(v.bytes("private"), v) : v.bytes("private");
        byte[] pub = v.bytes("public");
        byte[] shared = v.bytes("shared");
        boolean zeroShared = shared.length > 0 && Bytes.allZero(shared);
        CryptoBackend b = cryptoBackend();
        if (group == NamedGroup.X25519 && zeroShared) {
            // RFC 8446 §7.4.2 / RFC 7748 §6.1: an all-zero X25519 result must be refused.
            assertThrows(InvalidKeyShareException.class, () -> b.ecdh(group, priv, pub),
                    v + ": all-zero X25519 shared secret must throw InvalidKeyShareException");
            return;
        }
        if (v.isInvalid()) {
            assertThrows(InvalidKeyShareException.class, () -> b.ecdh(group, priv, pub),
                    v + ": must throw InvalidKeyShareException");
            return;
        }
        byte[] got;
        try {
            got = b.ecdh(group, priv, pub);
        } catch (InvalidKeyShareException e) {
            if (v.isAcceptable() && group == NamedGroup.SECP256R1) {
                return; // e.g. a compressed point, which TLS 1.3 does not use: rejecting it is fine.
            }
            throw new AssertionError(v + ": must give the shared secret but threw " + e, e);
        } catch (RuntimeException e) {
            throw new AssertionError(v + ": must give the shared secret but threw " + e, e);
        }
        assertArrayEquals(shared, got, v + ": shared secret");
    }

    /** Wycheproof P-256 private keys are minimal two's-complement integers: make them 32 bytes. */
    private static byte[] fixed32(byte[] value, Wycheproof.Vector v) {
        int start = 0;
        while (start < value.length - 1 && value[start] == 0 && value.length - start > 32) {
            start++;
        }
        int len = value.length - start;
        if (len > 32) {
            fail(v + ": private key longer than 32 bytes");
        }
        byte[] out = new byte[32];
        System.arraycopy(value, start, out, 32 - len, len);
        return out;
    }

    /** RFC 8448 §3: the client's and server's X25519 keys give the trace's (EC)DHE shared secret. */
    @TestFactory
    Stream<DynamicNode> rfc8448X25519() {
        Rfc8448Simple1Rtt.Step client = Rfc8448Simple1Rtt.CLIENT_X25519;
        Rfc8448Simple1Rtt.Step server = Rfc8448Simple1Rtt.SERVER_X25519;
        byte[] expected = Rfc8448Simple1Rtt.HANDSHAKE_SECRET.field("IKM");
        return Stream.of(
                bounded("client private x server public", () -> assertArrayEquals(expected,
                        cryptoBackend().ecdh(NamedGroup.X25519, client.field("private key"), server.field("public key")))),
                bounded("server private x client public", () -> assertArrayEquals(expected,
                        cryptoBackend().ecdh(NamedGroup.X25519, server.field("private key"), client.field("public key")))));
    }

    // --- ML-KEM-768 known answers ----------------------------------------------------------------

    private MlKemKnownAnswer mlKemOrSkip() {
        Optional<MlKemKnownAnswer> kat = cryptoBackend().mlKemKnownAnswer();
        if (kat.isEmpty()) {
            String reason = "backend '" + cryptoBackend().name() + "' exposes no deterministic ML-KEM "
                    + "(mlKemKnownAnswer() is empty); ML-KEM known-answer vectors skipped";
            log("SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
        log("ML-KEM known answers run on " + kat.get().implementation());
        return kat.get();
    }

    @TestFactory
    Stream<DynamicNode> wycheproofMlKem768KeyGen() {
        MlKemKnownAnswer kat = mlKemOrSkip();
        return mlKemFile("mlkem_768_keygen_seed_test.json", "mlkem_keygen_seed_test_schema.json", (g, v) -> {
            MlKemKnownAnswer.KeyPair kp = kat.keyGen(v.bytes("seed"));
            assertEquals(MLKEM_EK, kp.encapsulationKey().length, v + ": ek length");
            assertEquals(MLKEM_DK, kp.decapsulationKey().length, v + ": dk length");
            assertArrayEquals(v.bytes("ek"), kp.encapsulationKey(), v + ": ek");
            assertArrayEquals(v.bytes("dk"), kp.decapsulationKey(), v + ": dk");
        });
    }

    @TestFactory
    Stream<DynamicNode> wycheproofMlKem768Encaps() {
        MlKemKnownAnswer kat = mlKemOrSkip();
        return mlKemFile(MLKEM_ENCAPS_FILE, MLKEM_ENCAPS_SCHEMA, (g, v) -> {
            byte[] ek = v.bytes("ek");
            byte[] m = v.bytes("m");
            if (v.isValid()) {
                MlKemKnownAnswer.Encapsulation e = kat.encapsulate(ek, m);
                assertArrayEquals(v.bytes("c"), e.ciphertext(), v + ": ciphertext");
                assertArrayEquals(v.bytes("K"), e.sharedSecret(), v + ": shared secret");
            } else {
                // FIPS 203 §7.2 type and modulus checks on the encapsulation key.
                assertThrows(InvalidKeyShareException.class, () -> kat.encapsulate(ek, m),
                        v + ": encapsulate must throw InvalidKeyShareException");
            }
        });
    }

    /**
     * mlkem_768_test.json: seed = d||z; keyGen(seed) gives ek (compared when present) and dk, then
     * Decaps(dk, c) must give K, the implicit-rejection value included. "invalid" means the input
     * cannot be used: a seed that is not 64 bytes (keyGen must refuse it) or a ciphertext of the
     * wrong length (decapsulate must throw InvalidKeyShareException).
     */
    @TestFactory
    Stream<DynamicNode> wycheproofMlKem768Decaps() {
        MlKemKnownAnswer kat = mlKemOrSkip();
        return mlKemFile("mlkem_768_test.json", "mlkem_test_schema.json", (g, v) -> {
            byte[] seed = v.bytes("seed");
            byte[] c = v.bytes("c");
            if (seed.length != 64) {
                assertFalse(v.isValid(), v + ": a valid vector with a " + seed.length + "-byte seed?");
                assertThrows(IllegalArgumentException.class, () -> kat.keyGen(seed),
                        v + ": keyGen of a " + seed.length + "-byte seed must throw IllegalArgumentException");
                return;
            }
            MlKemKnownAnswer.KeyPair kp = kat.keyGen(seed);
            if (v.has("ek")) {
                assertArrayEquals(v.bytes("ek"), kp.encapsulationKey(), v + ": ek from seed");
            }
            if (v.isValid()) {
                assertArrayEquals(v.bytes("K"), kat.decapsulate(kp.decapsulationKey(), c), v + ": K");
            } else {
                assertTrue(c.length != MLKEM_CT, v + ": invalid vector without a length problem: update this test");
                assertThrows(InvalidKeyShareException.class, () -> kat.decapsulate(kp.decapsulationKey(), c),
                        v + ": decapsulate of a " + c.length + "-byte ciphertext must throw InvalidKeyShareException");
            }
        });
    }

    /**
     * mlkem_768_semi_expanded_decaps_test.json: Decaps(dk, c) with the 2400-byte expanded dk of
     * FIPS 203. "invalid" vectors have a ciphertext or key of the wrong length, or a dk whose
     * embedded H(ek) does not match its ek (the §7.3 hash check); decapsulate must throw
     * InvalidKeyShareException for each, never return a secret.
     */
    @TestFactory
    Stream<DynamicNode> wycheproofMlKem768SemiExpandedDecaps() {
        MlKemKnownAnswer kat = mlKemOrSkip();
        return mlKemFile("mlkem_768_semi_expanded_decaps_test.json", "mlkem_semi_expanded_decaps_test_schema.json",
                (g, v) -> {
                    byte[] dk = v.bytes("dk");
                    byte[] c = v.bytes("c");
                    if (v.isValid()) {
                        assertArrayEquals(v.bytes("K"), kat.decapsulate(dk, c), v + ": K");
                    } else {
                        assertThrows(InvalidKeyShareException.class, () -> kat.decapsulate(dk, c),
                                v + ": decapsulate must throw InvalidKeyShareException");
                    }
                });
    }

    private Stream<DynamicNode> mlKemFile(String file, String schema, VectorCheck check) {
        return Stream.of(vectorFile(file, schema, g -> g.text("parameterSet") + " " + g.source(), check));
    }

    /** ML-KEM through the protocol interface agrees with the deterministic one on ek/c shapes. */
    @TestFactory
    Stream<DynamicNode> mlKemKnownAnswerAgreesWithKeyExchange() {
        MlKemKnownAnswer kat = mlKemOrSkip();
        return Stream.of(bounded("keyExchange(MLKEM768).respond(ek from keyGen) decapsulates", () -> {
            byte[] seed = Bytes.pattern(64, 0x3D);
            MlKemKnownAnswer.KeyPair kp = kat.keyGen(seed);
            KeyExchange.ServerKeyShare s = cryptoBackend().keyExchange(NamedGroup.MLKEM768).respond(kp.encapsulationKey());
            assertEquals(MLKEM_CT, s.publicShare().length, "ciphertext length");
            assertArrayEquals(s.sharedSecret(), kat.decapsulate(kp.decapsulationKey(), s.publicShare()),
                    "Decaps of respond()'s ciphertext must give respond()'s secret");
        }));
    }

    // --- round trips ---------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> roundTripEveryGroup() {
        return Arrays.stream(NamedGroup.values()).map(group -> bounded(group.displayName(), () -> {
            KeyExchange kx = cryptoBackend().keyExchange(group);
            assertNotNull(kx, group + ": keyExchange");
            assertSame(group, kx.group(), group + ": group()");
            for (int i = 0; i < 3; i++) {
                try (KeyExchange.ClientKeyShare client = kx.newClientShare();
                        KeyExchange.ClientKeyShare other = kx.newClientShare()) {
                    byte[] pub = client.publicShare();
                    assertEquals(group.clientShareLength(), pub.length, group + ": client share length");
                    assertFalse(Arrays.equals(pub, other.publicShare()), group + ": two client shares are equal");
                    KeyExchange.ServerKeyShare server = kx.respond(pub);
                    assertEquals(group.serverShareLength(), server.publicShare().length, group + ": server share length");
                    assertEquals(group.sharedSecretLength(), server.sharedSecret().length, group + ": server secret length");
                    byte[] secret = client.finish(server.publicShare());
                    assertEquals(group.sharedSecretLength(), secret.length, group + ": client secret length");
                    assertArrayEquals(server.sharedSecret(), secret, group + ": client and server secrets differ");
                    assertFalse(Bytes.allZero(secret), group + ": all-zero shared secret");
                    KeyExchange.ServerKeyShare again = kx.respond(pub);
                    assertFalse(Arrays.equals(server.sharedSecret(), again.sharedSecret()),
                            group + ": two server responses to one client share gave the same secret");
                }
            }
        }));
    }

    /** draft-ietf-tls-ecdhe-mlkem §3: ML-KEM first in X25519MLKEM768, ECDH first in SecP256r1MLKEM768. */
    @TestFactory
    Stream<DynamicNode> hybridConcatenationOrder() {
        return Stream.of(
                bounded("X25519MLKEM768 = MLKEM768 || X25519",
                        () -> checkHybridOrder(NamedGroup.X25519_MLKEM768, NamedGroup.MLKEM768, NamedGroup.X25519)),
                bounded("SecP256r1MLKEM768 = secp256r1 || MLKEM768",
                        () -> checkHybridOrder(NamedGroup.SECP256R1_MLKEM768, NamedGroup.SECP256R1, NamedGroup.MLKEM768)));
    }

    private void checkHybridOrder(NamedGroup hybrid, NamedGroup first, NamedGroup second) throws Exception {
        CryptoBackend b = cryptoBackend();
        // Server side: component client shares, concatenated, answered by the hybrid.
        try (KeyExchange.ClientKeyShare a = b.keyExchange(first).newClientShare();
                KeyExchange.ClientKeyShare c = b.keyExchange(second).newClientShare()) {
            KeyExchange.ServerKeyShare s = b.keyExchange(hybrid).respond(Bytes.concat(a.publicShare(),
                    c.publicShare()));
            byte[] ss = s.publicShare();
            int split = first.serverShareLength();
            byte[] secret = Bytes.concat(a.finish(Arrays.copyOfRange(ss, 0, split)),
                    c.finish(Arrays.copyOfRange(ss, split, ss.length)));
            assertArrayEquals(secret, s.sharedSecret(), hybrid + ": server secret must be " + first + " || " + second);
        }
        // Client side: the hybrid client share split and answered by the components.
        try (KeyExchange.ClientKeyShare h = b.keyExchange(hybrid).newClientShare()) {
            byte[] pub = h.publicShare();
            int split = first.clientShareLength();
            KeyExchange.ServerKeyShare s1 = b.keyExchange(first).respond(Arrays.copyOfRange(pub, 0, split));
            KeyExchange.ServerKeyShare s2 = b.keyExchange(second).respond(Arrays.copyOfRange(pub, split, pub.length));
            byte[] secret = h.finish(Bytes.concat(s1.publicShare(), s2.publicShare()));
            assertArrayEquals(Bytes.concat(s1.sharedSecret(), s2.sharedSecret()), secret,
                    hybrid + ": client secret must be " + first + " || " + second);
        }
    }

    // --- malformed shares --------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> wrongLengthSharesAreRejected() {
        return Arrays.stream(NamedGroup.values()).map(group -> bounded(group.displayName(), () -> {
            KeyExchange kx = cryptoBackend().keyExchange(group);
            int cl = group.clientShareLength();
            for (int len : new int[] {0, 1, cl - 1, cl + 1}) {
                byte[] share = Bytes.pattern(len, 4);
                if (len > 0) {
                    share[0] = 4; // looks like an uncompressed point prefix for secp256r1
                }
                assertThrows(InvalidKeyShareException.class, () -> kx.respond(share),
                        group + ": respond to a " + len + "-byte client share (expected " + cl + ")");
            }
            int sl = group.serverShareLength();
            for (int len : new int[] {0, 1, sl - 1, sl + 1}) {
                KeyExchange.ClientKeyShare client = kx.newClientShare();
                byte[] share = Bytes.pattern(len, 5);
                try {
                    assertThrows(InvalidKeyShareException.class, () -> client.finish(share),
                            group + ": finish with a " + len + "-byte server share (expected " + sl + ")");
                } finally {
                    client.close();
                }
            }
        }));
    }

    /** Points of small order on Curve25519 (RFC 7748 §6.1 check): their X25519 result is all zero. */
    private static final String[] X25519_LOW_ORDER = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bc a3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157".replace(" ", ""),
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };

    @TestFactory
    Stream<DynamicNode> invalidSharesAreRejected() {
        List<DynamicNode> tests = new ArrayList<>();
        for (String hex : X25519_LOW_ORDER) {
            byte[] point = Hex.decode(hex);
            tests.add(bounded("X25519 low-order point " + hex.substring(0, 8) + "..", () -> {
                assertThrows(InvalidKeyShareException.class, () -> cryptoBackend().keyExchange(NamedGroup.X25519).respond(point),
                        "X25519 respond to low-order point " + hex);
                try (KeyExchange.ClientKeyShare c = cryptoBackend().keyExchange(NamedGroup.X25519).newClientShare()) {
                    assertThrows(InvalidKeyShareException.class, () -> c.finish(point),
                            "X25519 finish with low-order point " + hex);
                }
                byte[] hybrid = Bytes.concat(validMlKemEk(), point);
                assertThrows(InvalidKeyShareException.class,
                        () -> cryptoBackend().keyExchange(NamedGroup.X25519_MLKEM768).respond(hybrid),
                        "X25519MLKEM768 respond with a low-order X25519 part " + hex);
            }));
        }
        tests.add(bounded("secp256r1 points not on the curve", () -> {
            byte[] good;
            try (KeyExchange.ClientKeyShare c = cryptoBackend().keyExchange(NamedGroup.SECP256R1).newClientShare()) {
                good = c.publicShare();
            }
            assertEquals(4, good[0], "secp256r1 client share must be an uncompressed point (0x04)");
            byte[] offCurve = good.clone();
            offCurve[64] ^= 1;
            byte[] zero = new byte[65];
            zero[0] = 4;
            byte[] compressedPrefix = good.clone();
            compressedPrefix[0] = 2;
            byte[] badPrefix = good.clone();
            badPrefix[0] = 5;
            byte[] xTooBig = good.clone();
            Arrays.fill(xTooBig, 1, 33, (byte) 0xFF); // x >= p
            for (byte[] bad : new byte[][] {offCurve, zero, compressedPrefix, badPrefix, xTooBig}) {
                String what = "secp256r1 share " + Hex.encode(bad).substring(0, 16) + "..";
                assertThrows(InvalidKeyShareException.class,
                        () -> cryptoBackend().keyExchange(NamedGroup.SECP256R1).respond(bad), what + " (respond)");
                try (KeyExchange.ClientKeyShare c = cryptoBackend().keyExchange(NamedGroup.SECP256R1).newClientShare()) {
                    assertThrows(InvalidKeyShareException.class, () -> c.finish(bad), what + " (finish)");
                }
                byte[] hybrid = Bytes.concat(bad, validMlKemEk());
                assertThrows(InvalidKeyShareException.class,
                        () -> cryptoBackend().keyExchange(NamedGroup.SECP256R1_MLKEM768).respond(hybrid),
                        what + " inside SecP256r1MLKEM768");
            }
        }));
        tests.add(bounded("ML-KEM-768 truncated and unreduced encapsulation keys", () -> {
            byte[] ek = validMlKemEk();
            assertThrows(InvalidKeyShareException.class,
                    () -> cryptoBackend().keyExchange(NamedGroup.MLKEM768).respond(Arrays.copyOf(ek, ek.length - 1)),
                    "truncated ek");
            byte[] unreduced = ek.clone();
            // First coefficient := 0xFFF (>= q = 3329): fails the FIPS 203 §7.2 modulus check.
            unreduced[0] = (byte) 0xFF;
            unreduced[1] = (byte) (unreduced[1] | 0x0F);
            assertThrows(InvalidKeyShareException.class,
                    () -> cryptoBackend().keyExchange(NamedGroup.MLKEM768).respond(unreduced),
                    "ek with an unreduced coefficient (draft-ietf-tls-ecdhe-mlkem: server MUST check)");
            assertThrows(InvalidKeyShareException.class,
                    () -> cryptoBackend().keyExchange(NamedGroup.X25519_MLKEM768).respond(
                            Bytes.concat(unreduced, Bytes.pattern(32, 9))),
                    "X25519MLKEM768 with an unreduced ek");
        }));
        tests.add(bounded("ML-KEM-768 Wycheproof encapsulation keys that fail §7.2", () -> {
            Wycheproof vectors = Wycheproof.load(MLKEM_ENCAPS_FILE, MLKEM_ENCAPS_SCHEMA);
            int checked = 0;
            for (Wycheproof.Group g : vectors.groups()) {
                for (Wycheproof.Vector v : g.tests()) {
                    if (v.isInvalid()) {
                        byte[] ek = v.bytes("ek");
                        checked++;
                        assertThrows(InvalidKeyShareException.class,
                                () -> cryptoBackend().keyExchange(NamedGroup.MLKEM768).respond(ek),
                                v + ": respond() must reject this encapsulation key");
                    }
                }
            }
            assertTrue(checked > 0, "no invalid encapsulation keys found");
        }));
        return tests.stream();
    }

    private byte[] validMlKemEk() {
        try (KeyExchange.ClientKeyShare c = cryptoBackend().keyExchange(NamedGroup.MLKEM768).newClientShare()) {
            return c.publicShare();
        }
    }
}
