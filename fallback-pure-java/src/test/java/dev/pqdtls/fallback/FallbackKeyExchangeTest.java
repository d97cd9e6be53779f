package dev.pqdtls.fallback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FallbackKeyExchangeTest {
    private static final HexFormat HEX = HexFormat.of();
    private final FallbackBackend backend = new FallbackBackend();

    private static byte[] exchange(KeyExchange client, KeyExchange server) throws InvalidKeyShareException {
        try (KeyExchange.ClientKeyShare share = client.newClientShare()) {
            assertEquals(client.group().clientShareLength(), share.publicShare().length);
            KeyExchange.ServerKeyShare answer = server.respond(share.publicShare());
            assertEquals(client.group().serverShareLength(), answer.publicShare().length);
            byte[] secret = share.finish(answer.publicShare());
            assertArrayEquals(answer.sharedSecret(), secret);
            assertEquals(client.group().sharedSecretLength(), secret.length);
            assertThrows(IllegalStateException.class, () -> share.finish(answer.publicShare()), "single use");
            return secret;
        }
    }

    @ParameterizedTest
    @EnumSource(NamedGroup.class)
    void everyGroupAgrees(NamedGroup group) throws Exception {
        KeyExchange kx = backend.keyExchange(group);
        assertEquals(group, kx.group());
        exchange(kx, kx);
    }

    @ParameterizedTest
    @EnumSource(NamedGroup.class)
    void wrongLengthSharesNameTheExpectedLength(NamedGroup group) {
        KeyExchange kx = backend.keyExchange(group);
        byte[] tooLong = new byte[group.clientShareLength() + 1];
        InvalidKeyShareException e = assertThrows(InvalidKeyShareException.class, () -> kx.respond(tooLong));
        assertTrue(e.getMessage().contains(Integer.toString(group.clientShareLength())), e.getMessage());
        try (KeyExchange.ClientKeyShare share = kx.newClientShare()) {
            byte[] tooShort = new byte[group.serverShareLength() - 1];
            e = assertThrows(InvalidKeyShareException.class, () -> share.finish(tooShort));
            assertTrue(e.getMessage().contains(Integer.toString(group.serverShareLength())), e.getMessage());
        }
    }

    @Test
    void componentKeyExchangeRefusesHybrids() {
        assertThrows(IllegalArgumentException.class, () -> backend.componentKeyExchange(NamedGroup.X25519_MLKEM768));
    }

    // --- X25519 ------------------------------------------------------------------------------

    /** RFC 7748 §5.2 first vector and §6.1. */
    @Test
    void x25519MatchesRfc7748() throws Exception {
        assertEquals("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", HEX.formatHex(backend.ecdh(
                NamedGroup.X25519,
                HEX.parseHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                HEX.parseHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))));
        assertEquals("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", HEX.formatHex(backend.ecdh(
                NamedGroup.X25519,
                HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
                HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"))));
    }

    /** Against the JDK's XDH, including u values with the top bit set (RFC 7748 §5 masks it). */
    @Test
    void x25519AgreesWithTheJdk() throws Exception {
        SecureRandom random = new SecureRandom();
        KeyFactory factory = KeyFactory.getInstance("XDH");
        for (int i = 0; i < 8; i++) {
            byte[] k = new byte[32];
            byte[] u = new byte[32];
            random.nextBytes(k);
            random.nextBytes(u);
            if (i % 2 == 0) {
                u[31] |= (byte) 0x80;
            }
            // The JDK takes u as a number; RFC 7748 §5 decoding masks bit 255 of the encoding.
            byte[] uBigEndian = new byte[32];
            for (int j = 0; j < 32; j++) {
                uBigEndian[j] = u[31 - j];
            }
            uBigEndian[0] &= 0x7F;
            KeyAgreement jdk = KeyAgreement.getInstance("X25519");
            jdk.init(factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, k)));
            jdk.doPhase(factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519,
                    new BigInteger(1, uBigEndian))), true);
            assertArrayEquals(jdk.generateSecret(), backend.ecdh(NamedGroup.X25519, k, u));
        }
    }

    @Test
    void x25519RejectsSmallOrderPoints() {
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] one = new byte[32];
        one[0] = 1;
        for (byte[] u : new byte[][] {new byte[32], one,
                HEX.parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")}) {
            assertThrows(InvalidKeyShareException.class, () -> backend.ecdh(NamedGroup.X25519, k, u));
            assertThrows(InvalidKeyShareException.class,
                    () -> backend.componentKeyExchange(NamedGroup.X25519).respond(u));
        }
    }

    // --- secp256r1 ---------------------------------------------------------------------------

    @Test
    void p256AgreesWithTheJdk() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        for (int i = 0; i < 4; i++) {
            KeyPair a = generator.generateKeyPair();
            KeyPair b = generator.generateKeyPair();
            KeyAgreement jdk = KeyAgreement.getInstance("ECDH");
            jdk.init(a.getPrivate());
            jdk.doPhase(b.getPublic(), true);
            byte[] expected = jdk.generateSecret();
            byte[] scalar = toFixed(((ECPrivateKey) a.getPrivate()).getS(), 32);
            ECPublicKey pub = (ECPublicKey) b.getPublic();
            byte[] point = new byte[65];
            point[0] = 4;
            System.arraycopy(toFixed(pub.getW().getAffineX(), 32), 0, point, 1, 32);
            System.arraycopy(toFixed(pub.getW().getAffineY(), 32), 0, point, 33, 32);
            assertArrayEquals(expected, backend.ecdh(NamedGroup.SECP256R1, scalar, point));
        }
    }

    /** RFC 5903 §8.1. */
    @Test
    void p256MatchesRfc5903() throws Exception {
        byte[] i = HEX.parseHex("c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433");
        byte[] gr = HEX.parseHex("04"
                + "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
                + "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab");
        assertEquals("d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de",
                HEX.formatHex(backend.ecdh(NamedGroup.SECP256R1, i, gr)));
    }

    @Test
    void p256RejectsInvalidPoints() throws Exception {
        KeyExchange kx = backend.componentKeyExchange(NamedGroup.SECP256R1);
        byte[] valid;
        try (KeyExchange.ClientKeyShare share = kx.newClientShare()) {
            valid = share.publicShare();
        }
        kx.respond(valid);

        byte[] offCurve = valid.clone();
        offCurve[64] ^= 1;
        byte[] compressedPrefix = valid.clone();
        compressedPrefix[0] = 2;
        byte[] xTooLarge = valid.clone();
        java.util.Arrays.fill(xTooLarge, 1, 33, (byte) 0xFF);
        byte[] zero = new byte[65];
        zero[0] = 4;
        for (byte[] bad : new byte[][] {offCurve, compressedPrefix, xTooLarge, zero}) {
            assertThrows(InvalidKeyShareException.class, () -> kx.respond(bad));
            byte[] scalar = new byte[32];
            scalar[31] = 1;
            assertThrows(InvalidKeyShareException.class, () -> backend.ecdh(NamedGroup.SECP256R1, scalar, bad));
        }
        InvalidKeyShareException e = assertThrows(InvalidKeyShareException.class,
                () -> kx.respond(java.util.Arrays.copyOf(valid, 33)));
        assertTrue(e.getMessage().contains("65"), e.getMessage());
    }

    private static byte[] toFixed(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    // --- ML-KEM-768 --------------------------------------------------------------------------

    @Test
    void mlKemRejectsKeysFailingTheModulusCheck() throws Exception {
        KeyExchange kx = backend.componentKeyExchange(NamedGroup.MLKEM768);
        byte[] ek;
        try (KeyExchange.ClientKeyShare share = kx.newClientShare()) {
            ek = share.publicShare();
        }
        kx.respond(ek);
        // Coefficient 0 := 3329 = q (0xD01): low byte 0x01, low nibble of the next byte 0xD.
        byte[] bad = ek.clone();
        bad[0] = 0x01;
        bad[1] = (byte) ((bad[1] & 0xF0) | 0x0D);
        InvalidKeyShareException e = assertThrows(InvalidKeyShareException.class, () -> kx.respond(bad));
        assertTrue(e.getMessage().contains("modulus"), e.getMessage());
        // The last coefficient of t̂ (high 12 bits of bytes 1149..1151) at 4095.
        byte[] bad2 = ek.clone();
        bad2[1151] = (byte) 0xFF;
        bad2[1150] = (byte) (bad2[1150] | 0xF0);
        assertThrows(InvalidKeyShareException.class, () -> kx.respond(bad2));
        // ρ (the last 32 bytes) is not checked: any value is valid.
        byte[] rho = ek.clone();
        java.util.Arrays.fill(rho, 1152, 1184, (byte) 0xFF);
        kx.respond(rho);
    }

    /** On JDK 24+ the protocol path uses the JDK; it must interoperate with BC both ways. */
    @Test
    void jdkAndBouncyCastleMlKemInteroperate() throws Exception {
        JdkMlKem jdk = JdkMlKem.get();
        assumeTrue(jdk != null, () -> "no JDK ML-KEM here: " + JdkMlKem.unavailableReason());
        SecureRandom random = new SecureRandom();
        KeyExchange jdkKx = jdk.keyExchange(random);
        KeyExchange bcKx = new BcMlKemKeyExchange(random);
        exchange(jdkKx, bcKx);
        exchange(bcKx, jdkKx);
    }

    @Test
    void mlKemDecapsulationOfAForeignCiphertextDoesNotThrow() throws Exception {
        KeyExchange kx = backend.componentKeyExchange(NamedGroup.MLKEM768);
        try (KeyExchange.ClientKeyShare share = kx.newClientShare()) {
            byte[] garbage = new byte[NamedGroup.MLKEM768.serverShareLength()];
            new SecureRandom().nextBytes(garbage);
            assertEquals(32, share.finish(garbage).length, "implicit rejection yields a pseudo-random secret");
        }
    }
}
