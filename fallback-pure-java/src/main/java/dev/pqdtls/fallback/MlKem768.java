package dev.pqdtls.fallback;

import dev.pqdtls.spi.InvalidKeyShareException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** ML-KEM-768 sizes (FIPS 203 Table 3) and the key checks of FIPS 203 §7.2 and §7.3. */
final class MlKem768 {
    static final int ENCAPSULATION_KEY_LENGTH = 1184;
    static final int DECAPSULATION_KEY_LENGTH = 2400;
    static final int CIPHERTEXT_LENGTH = 1088;
    static final int SHARED_SECRET_LENGTH = 32;
    static final int SEED_LENGTH = 64;
    static final int RANDOMNESS_LENGTH = 32;

    private static final int Q = 3329;
    /** 384·k bytes of ByteEncode12(t̂) precede the 32-byte ρ. */
    private static final int T_LENGTH = 384 * 3;
    /** dk = dk_PKE (384·k bytes) || ek || H(ek) (32 bytes) || z (32 bytes), FIPS 203 Algorithm 16. */
    private static final int DK_EK_OFFSET = 384 * 3;
    private static final int DK_HASH_OFFSET = DK_EK_OFFSET + ENCAPSULATION_KEY_LENGTH;

    private MlKem768() {
    }

    static void checkCiphertext(String what, byte[] ciphertext) throws InvalidKeyShareException {
        if (ciphertext == null || ciphertext.length != CIPHERTEXT_LENGTH) {
            throw new InvalidKeyShareException("MLKEM768 " + what + " is "
                    + (ciphertext == null ? "missing" : ciphertext.length + " bytes") + "; expected "
                    + CIPHERTEXT_LENGTH);
        }
    }

    /**
     * FIPS 203 §7.3: the type check (length) and the hash check, H(ek) == the hash dk carries. A key
     * that fails it has been corrupted or spliced; decapsulating with it is refused, not attempted.
     */
    static void checkDecapsulationKey(String what, byte[] dk) throws InvalidKeyShareException {
        if (dk == null || dk.length != DECAPSULATION_KEY_LENGTH) {
            throw new InvalidKeyShareException("MLKEM768 " + what + " is "
                    + (dk == null ? "missing" : dk.length + " bytes") + "; expected " + DECAPSULATION_KEY_LENGTH);
        }
        byte[] hash;
        try {
            MessageDigest sha3 = MessageDigest.getInstance("SHA3-256");
            sha3.update(dk, DK_EK_OFFSET, ENCAPSULATION_KEY_LENGTH);
            hash = sha3.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA3-256", e);
        }
        if (!MessageDigest.isEqual(hash, Arrays.copyOfRange(dk, DK_HASH_OFFSET, DK_HASH_OFFSET + hash.length))) {
            throw new InvalidKeyShareException("MLKEM768 " + what + " fails the FIPS 203 §7.3 hash check "
                    + "(the H(ek) it carries does not match its ek)");
        }
    }

    /**
     * FIPS 203 §7.2: the type check (length) and the modulus check, ByteEncode12(ByteDecode12(ek)) ==
     * ek, which holds exactly when every 12-bit coefficient is below q. The hybrid draft makes the
     * server run it on the client's key (illegal_parameter on failure).
     */
    static void checkEncapsulationKey(String what, byte[] ek) throws InvalidKeyShareException {
        if (ek == null || ek.length != ENCAPSULATION_KEY_LENGTH) {
            throw new InvalidKeyShareException("MLKEM768 " + what + " is "
                    + (ek == null ? "missing" : ek.length + " bytes") + "; expected " + ENCAPSULATION_KEY_LENGTH);
        }
        int bad = 0;
        for (int i = 0; i < T_LENGTH; i += 3) {
            int b0 = ek[i] & 0xFF;
            int b1 = ek[i + 1] & 0xFF;
            int b2 = ek[i + 2] & 0xFF;
            int c0 = b0 | (b1 & 0x0F) << 8;
            int c1 = b1 >>> 4 | b2 << 4;
            // (c - Q) >>> 31 is 1 when c < Q; no secret is involved but stay branch-free anyway.
            bad |= ((c0 - Q) >>> 31) ^ 1;
            bad |= ((c1 - Q) >>> 31) ^ 1;
        }
        if (bad != 0) {
            throw new InvalidKeyShareException("MLKEM768 " + what + " fails the FIPS 203 §7.2 modulus check "
                    + "(a coefficient is not below q = 3329)");
        }
    }
}
