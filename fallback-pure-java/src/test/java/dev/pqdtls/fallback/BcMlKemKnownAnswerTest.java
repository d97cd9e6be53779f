package dev.pqdtls.fallback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The FIPS 203 layout of what the known-answer hooks return, and that they agree with the key
 * exchange the protocol uses (the JDK's on 24+). The Wycheproof vectors run in the shared
 * conformance suite.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BcMlKemKnownAnswerTest {
    private final FallbackBackend backend = new FallbackBackend();
    private final MlKemKnownAnswer kat = backend.mlKemKnownAnswer().orElseThrow();

    private static byte[] seed() {
        byte[] seed = new byte[64];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (i * 7 + 3);
        }
        return seed;
    }

    @Test
    void keyGenFromSeedIsDeterministicWithTheFips203Layout() throws Exception {
        byte[] seed = seed();
        MlKemKnownAnswer.KeyPair pair = kat.keyGen(seed);
        assertArrayEquals(pair.encapsulationKey(), kat.keyGen(seed).encapsulationKey());
        assertEquals(1184, pair.encapsulationKey().length);
        byte[] dk = pair.decapsulationKey();
        assertEquals(2400, dk.length);
        // dk = dk_PKE (1152) || ek (1184) || H(ek) (32) || z (32)
        assertArrayEquals(pair.encapsulationKey(), Arrays.copyOfRange(dk, 1152, 2336));
        byte[] h = MessageDigest.getInstance("SHA3-256").digest(pair.encapsulationKey());
        assertArrayEquals(h, Arrays.copyOfRange(dk, 2336, 2368));
        assertArrayEquals(Arrays.copyOfRange(seed, 32, 64), Arrays.copyOfRange(dk, 2368, 2400));
        assertEquals("BC 1.83", kat.implementation());
    }

    @Test
    void encapsulationIsDeterministicAndDecapsulates() throws Exception {
        MlKemKnownAnswer.KeyPair pair = kat.keyGen(seed());
        byte[] m = new byte[32];
        Arrays.fill(m, (byte) 0x42);
        MlKemKnownAnswer.Encapsulation e1 = kat.encapsulate(pair.encapsulationKey(), m);
        MlKemKnownAnswer.Encapsulation e2 = kat.encapsulate(pair.encapsulationKey(), m);
        assertArrayEquals(e1.ciphertext(), e2.ciphertext());
        assertArrayEquals(e1.sharedSecret(), e2.sharedSecret());
        assertEquals(1088, e1.ciphertext().length);
        assertArrayEquals(e1.sharedSecret(), kat.decapsulate(pair.decapsulationKey(), e1.ciphertext()));

        byte[] tampered = e1.ciphertext().clone();
        tampered[0] ^= 1;
        byte[] rejected = kat.decapsulate(pair.decapsulationKey(), tampered);
        assertEquals(32, rejected.length);
        assertFalse(Arrays.equals(rejected, e1.sharedSecret()), "implicit rejection");
    }

    @Test
    void protocolPathDecapsulatesKnownAnswerEncapsulations() throws Exception {
        KeyExchange kx = backend.componentKeyExchange(NamedGroup.MLKEM768);
        try (KeyExchange.ClientKeyShare share = kx.newClientShare()) {
            byte[] m = new byte[32];
            MlKemKnownAnswer.Encapsulation enc = kat.encapsulate(share.publicShare(), m);
            assertArrayEquals(enc.sharedSecret(), share.finish(enc.ciphertext()));
        }
        MlKemKnownAnswer.KeyPair pair = kat.keyGen(seed());
        KeyExchange.ServerKeyShare answer = kx.respond(pair.encapsulationKey());
        assertArrayEquals(answer.sharedSecret(), kat.decapsulate(pair.decapsulationKey(), answer.publicShare()));
    }

    @Test
    void rejectsBadInputs() throws Exception {
        MlKemKnownAnswer.KeyPair pair = kat.keyGen(seed());
        byte[] ek = pair.encapsulationKey().clone();
        ek[0] = (byte) 0xFF;
        ek[1] = (byte) 0xFF;
        assertThrows(InvalidKeyShareException.class, () -> kat.encapsulate(ek, new byte[32]));
        assertThrows(InvalidKeyShareException.class, () -> kat.encapsulate(new byte[1183], new byte[32]));
        assertThrows(InvalidKeyShareException.class, () -> kat.decapsulate(new byte[2399], new byte[1088]));
        assertThrows(InvalidKeyShareException.class,
                () -> kat.decapsulate(pair.decapsulationKey(), new byte[1087]));
        assertThrows(IllegalArgumentException.class, () -> kat.keyGen(new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> kat.encapsulate(pair.encapsulationKey(), new byte[31]));
    }
}
