package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.HybridKeyExchange;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Key exchange through libcrypto: round trips, invalid shares, and agreement with the JDK. */
class PublicKeyKeyExchangeTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final PublicKeyOperations OPS = new PublicKeyOperations();

    @BeforeAll
    static void libcryptoLoads() {
        assertFalse(OPS.unavailableReason().isPresent(), () -> "libcrypto: " + OPS.unavailableReason().get());
    }

    /** Failures must not leave anything on this thread's libcrypto error queue. */
    @AfterEach
    void errorQueueIsEmpty() throws Throwable {
        assertEquals(0L, (long) PublicKeyLibcrypto.ERR_get_error.invokeExact(), "libcrypto error queue not empty");
    }

    private static KeyExchange exchange(NamedGroup group) {
        return switch (group) {
            case X25519_MLKEM768 -> new HybridKeyExchange(group, OPS.componentKeyExchange(NamedGroup.MLKEM768),
                    OPS.componentKeyExchange(NamedGroup.X25519), true);
            case SECP256R1_MLKEM768 -> new HybridKeyExchange(group, OPS.componentKeyExchange(NamedGroup.SECP256R1),
                    OPS.componentKeyExchange(NamedGroup.MLKEM768), false);
            default -> OPS.componentKeyExchange(group);
        };
    }

    @ParameterizedTest
    @EnumSource(NamedGroup.class)
    void roundTrip(NamedGroup group) throws Exception {
        KeyExchange kx = exchange(group);
        assertEquals(group, kx.group());
        for (int i = 0; i < 3; i++) {
            try (KeyExchange.ClientKeyShare client = kx.newClientShare()) {
                byte[] share = client.publicShare();
                assertEquals(group.clientShareLength(), share.length);
                KeyExchange.ServerKeyShare server = kx.respond(share);
                assertEquals(group.serverShareLength(), server.publicShare().length);
                assertEquals(group.sharedSecretLength(), server.sharedSecret().length);
                byte[] secret = client.finish(server.publicShare());
                assertArrayEquals(server.sharedSecret(), secret);
                assertFalse(Arrays.equals(new byte[secret.length], secret));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = NamedGroup.class, names = {"X25519", "SECP256R1", "MLKEM768"})
    void shareIsSingleUse(NamedGroup group) throws Exception {
        KeyExchange kx = exchange(group);
        KeyExchange.ClientKeyShare client = kx.newClientShare();
        byte[] answer = kx.respond(client.publicShare()).publicShare();
        client.finish(answer);
        assertThrows(IllegalStateException.class, () -> client.finish(answer));
        client.close(); // idempotent
        KeyExchange.ClientKeyShare closed = kx.newClientShare();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.finish(answer));
    }

    @ParameterizedTest
    @EnumSource(value = NamedGroup.class, names = {"X25519", "SECP256R1", "MLKEM768"})
    void wrongLengthsNameTheExpectedLength(NamedGroup group) {
        KeyExchange kx = exchange(group);
        for (int len : new int[] {0, 1, group.clientShareLength() - 1, group.clientShareLength() + 1, 5000}) {
            InvalidKeyShareException e = assertThrows(InvalidKeyShareException.class, () -> kx.respond(new byte[len]));
            assertTrue(e.getMessage().contains("expected " + group.clientShareLength()), e.getMessage());
        }
        for (int len : new int[] {0, group.serverShareLength() - 1, group.serverShareLength() + 1}) {
            try (KeyExchange.ClientKeyShare client = kx.newClientShare()) {
                InvalidKeyShareException e = assertThrows(InvalidKeyShareException.class,
                        () -> client.finish(new byte[len]));
                assertTrue(e.getMessage().contains("expected " + group.serverShareLength()), e.getMessage());
            }
        }
    }

    @Test
    void x25519RejectsAllZeroSecrets() {
        // Small-order u-coordinates (u = 0, u = 1, and the order-8 point) give an all-zero secret.
        String[] lowOrder = {
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        };
        KeyExchange kx = OPS.componentKeyExchange(NamedGroup.X25519);
        for (String u : lowOrder) {
            byte[] point = HEX.parseHex(u);
            InvalidKeyShareException e = assertThrows(InvalidKeyShareException.class, () -> kx.respond(point));
            assertTrue(e.getMessage().contains("all zero"), e.getMessage());
            try (KeyExchange.ClientKeyShare client = kx.newClientShare()) {
                assertThrows(InvalidKeyShareException.class, () -> client.finish(point));
            }
            assertThrows(InvalidKeyShareException.class,
                    () -> OPS.ecdh(NamedGroup.X25519, new byte[32], point));
        }
    }

    @Test
    void x25519Rfc7748Vector() throws Exception {
        // RFC 7748 §6.1: Alice's private key with Bob's public key.
        byte[] alicePriv = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPub = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] expected = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assertArrayEquals(expected, OPS.ecdh(NamedGroup.X25519, alicePriv, bobPub));
    }

    @Test
    void x25519AgreesWithTheJdk() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("X25519");
        KeyPair jdk = kpg.generateKeyPair();
        KeyExchange kx = OPS.componentKeyExchange(NamedGroup.X25519);
        try (KeyExchange.ClientKeyShare client = kx.newClientShare()) {
            // JDK side acts as server: it derives with our public share.
            byte[] ours = client.publicShare();
            byte[] reversed = ours.clone();
            reverse(reversed);
            XECPublicKeySpec spec = new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, reversed));
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(jdk.getPrivate());
            ka.doPhase(KeyFactory.getInstance("X25519").generatePublic(spec), true);
            byte[] jdkSecret = ka.generateSecret();
            byte[] serverShare = littleEndian32(((XECPublicKey) jdk.getPublic()).getU());
            assertArrayEquals(jdkSecret, client.finish(serverShare));
            // And static ECDH with the JDK's scalar gives the same.
            byte[] jdkScalar = ((XECPrivateKey) jdk.getPrivate()).getScalar().orElseThrow();
            assertArrayEquals(jdkSecret, OPS.ecdh(NamedGroup.X25519, jdkScalar, ours));
        }
    }

    @Test
    void p256AgreesWithTheJdk() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair a = kpg.generateKeyPair();
        KeyPair b = kpg.generateKeyPair();
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(a.getPrivate());
        ka.doPhase(b.getPublic(), true);
        byte[] expected = ka.generateSecret();
        byte[] scalar = fixed32(((ECPrivateKey) a.getPrivate()).getS());
        assertArrayEquals(expected, OPS.ecdh(NamedGroup.SECP256R1, scalar, uncompressed((ECPublicKey) b.getPublic())));

        KeyExchange kx = OPS.componentKeyExchange(NamedGroup.SECP256R1);
        KeyExchange.ServerKeyShare server = kx.respond(uncompressed((ECPublicKey) a.getPublic()));
        byte[] point = server.publicShare();
        assertEquals(0x04, point[0]);
        assertArrayEquals(server.sharedSecret(), OPS.ecdh(NamedGroup.SECP256R1, scalar, point));
    }

    @Test
    void p256RejectsInvalidPoints() throws Exception {
        KeyExchange kx = OPS.componentKeyExchange(NamedGroup.SECP256R1);
        byte[] valid;
        try (KeyExchange.ClientKeyShare c = kx.newClientShare()) {
            valid = c.publicShare();
        }
        byte[] offCurve = valid.clone();
        offCurve[64] ^= 1;
        byte[] zeros = new byte[65];
        zeros[0] = 4;
        byte[] hybridForm = valid.clone();
        hybridForm[0] = (byte) (6 | (valid[64] & 1));
        byte[] xTooBig = new byte[65];
        Arrays.fill(xTooBig, (byte) 0xFF);
        xTooBig[0] = 4;
        for (byte[] bad : new byte[][] {offCurve, zeros, hybridForm, xTooBig}) {
            assertThrows(InvalidKeyShareException.class, () -> kx.respond(bad));
            try (KeyExchange.ClientKeyShare client = kx.newClientShare()) {
                assertThrows(InvalidKeyShareException.class, () -> client.finish(bad));
            }
            assertThrows(InvalidKeyShareException.class,
                    () -> OPS.ecdh(NamedGroup.SECP256R1, fixed32(BigInteger.TWO), bad));
        }
        assertThrows(IllegalArgumentException.class, () -> OPS.ecdh(NamedGroup.SECP256R1, new byte[32], valid));
        assertThrows(IllegalArgumentException.class, () -> OPS.ecdh(NamedGroup.SECP256R1, new byte[31], valid));
    }

    @Test
    void mlKemRejectsEncapsulationKeysFailingTheModulusCheck() throws Exception {
        KeyExchange kx = OPS.componentKeyExchange(NamedGroup.MLKEM768);
        byte[] ek;
        try (KeyExchange.ClientKeyShare c = kx.newClientShare()) {
            ek = c.publicShare();
        }
        byte[] bad = ek.clone();
        bad[0] = (byte) 0xFF; // first coefficient becomes 0xnFF with the low nibble of byte 1
        bad[1] = (byte) (bad[1] | 0x0F);
        assertThrows(InvalidKeyShareException.class, () -> kx.respond(bad));
        assertThrows(InvalidKeyShareException.class, () -> dev.pqdtls.nativeabi.MlKemSizes.checkEncapsulationKey(bad));
        dev.pqdtls.nativeabi.MlKemSizes.checkEncapsulationKey(ek);
    }

    @Test
    void mlKemImplicitRejectionGivesADifferentSecret() throws Exception {
        KeyExchange kx = OPS.componentKeyExchange(NamedGroup.MLKEM768);
        try (KeyExchange.ClientKeyShare client = kx.newClientShare()) {
            KeyExchange.ServerKeyShare server = kx.respond(client.publicShare());
            byte[] ct = server.publicShare();
            ct[10] ^= 1;
            byte[] secret = client.finish(ct);
            assertEquals(32, secret.length);
            assertFalse(Arrays.equals(server.sharedSecret(), secret));
        }
    }

    /** Random shares of the right length: either a clean result or InvalidKeyShareException, never a crash. */
    @ParameterizedTest
    @EnumSource(NamedGroup.class)
    void randomSharesNeverCrash(NamedGroup group) throws Exception {
        KeyExchange kx = exchange(group);
        java.util.Random random = new java.util.Random(group.codepoint());
        for (int i = 0; i < 100; i++) {
            byte[] client = new byte[group.clientShareLength()];
            byte[] server = new byte[group.serverShareLength()];
            random.nextBytes(client);
            random.nextBytes(server);
            if (group == NamedGroup.SECP256R1 || group == NamedGroup.SECP256R1_MLKEM768) {
                client[0] = 4;
                server[0] = 4;
            }
            try {
                assertEquals(group.sharedSecretLength(), kx.respond(client).sharedSecret().length);
            } catch (InvalidKeyShareException expected) {
                // fine: the share was invalid
            }
            try (KeyExchange.ClientKeyShare c = kx.newClientShare()) {
                assertEquals(group.sharedSecretLength(), c.finish(server).length);
            } catch (InvalidKeyShareException expected) {
                // fine
            }
        }
    }

    @Test
    void hybridsAreRejectedAsComponents() {
        assertThrows(IllegalArgumentException.class, () -> OPS.componentKeyExchange(NamedGroup.X25519_MLKEM768));
        assertThrows(IllegalArgumentException.class,
                () -> OPS.ecdh(NamedGroup.MLKEM768, new byte[32], new byte[32]));
    }

    static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        System.arraycopy(fixed32(key.getW().getAffineX()), 0, out, 1, 32);
        System.arraycopy(fixed32(key.getW().getAffineY()), 0, out, 33, 32);
        return out;
    }

    static byte[] fixed32(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(32, b.length);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }

    private static byte[] littleEndian32(BigInteger u) {
        byte[] out = fixed32(u);
        reverse(out);
        return out;
    }

    private static void reverse(byte[] b) {
        for (int i = 0, j = b.length - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
    }

    @Test
    void p256RoundTripsWithManyKeys() throws Exception {
        KeyExchange kx = OPS.componentKeyExchange(NamedGroup.SECP256R1);
        for (int i = 0; i < 50; i++) {
            try (KeyExchange.ClientKeyShare c = kx.newClientShare()) {
                KeyExchange.ServerKeyShare s = kx.respond(c.publicShare());
                assertArrayEquals(s.sharedSecret(), c.finish(s.publicShare()));
            }
        }
    }
}
