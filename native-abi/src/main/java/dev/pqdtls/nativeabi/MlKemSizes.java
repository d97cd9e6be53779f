package dev.pqdtls.nativeabi;

import dev.pqdtls.spi.InvalidKeyShareException;

/**
 * ML-KEM-768 sizes (FIPS 203 Table 3) and the encapsulation-key check of FIPS 203 §7.2, which
 * draft-ietf-tls-ecdhe-mlkem §3 requires of the server. Every native source runs this check in Java
 * before the key crosses into C, so all sources refuse the same keys whatever their version.
 */
public final class MlKemSizes {
    public static final int ENCAPSULATION_KEY = 1184;
    public static final int DECAPSULATION_KEY = 2400;
    public static final int CIPHERTEXT = 1088;
    public static final int SHARED_SECRET = 32;
    public static final int KEYGEN_SEED = 64;
    public static final int ENCAPS_RANDOMNESS = 32;
    private static final int Q = 3329;

    private MlKemSizes() {
    }

    public static void checkLength(String what, byte[] value, int expected) throws InvalidKeyShareException {
        if (value.length != expected) {
            throw new InvalidKeyShareException("ML-KEM-768 " + what + " is " + value.length + " bytes; expected "
                    + expected);
        }
    }

    /**
     * FIPS 203 §7.3 input check: dk is 2400 bytes and the H(ek) it carries matches its ek. (The
     * ciphertext length is checked separately.)
     */
    public static void checkDecapsulationKey(byte[] dk) throws InvalidKeyShareException {
        checkLength("decapsulation key", dk, DECAPSULATION_KEY);
        byte[] hash;
        try {
            java.security.MessageDigest sha3 = java.security.MessageDigest.getInstance("SHA3-256");
            sha3.update(dk, 1152, ENCAPSULATION_KEY);
            hash = sha3.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA3-256", e);
        }
        if (!java.security.MessageDigest.isEqual(hash,
                java.util.Arrays.copyOfRange(dk, 1152 + ENCAPSULATION_KEY, 1152 + ENCAPSULATION_KEY + 32))) {
            throw new InvalidKeyShareException("ML-KEM-768 decapsulation key fails the FIPS 203 §7.3 hash check");
        }
    }

    /**
     * FIPS 203 §7.2 modulus check: ByteEncode12(ByteDecode12(ek[0:1152])) == ek[0:1152], i.e. every
     * 12-bit coefficient of t-hat is below q.
     */
    public static void checkEncapsulationKey(byte[] ek) throws InvalidKeyShareException {
        checkLength("encapsulation key", ek, ENCAPSULATION_KEY);
        for (int i = 0; i < 384 * 3; i += 3) {
            int b0 = ek[i] & 0xFF;
            int b1 = ek[i + 1] & 0xFF;
            int b2 = ek[i + 2] & 0xFF;
            int c0 = b0 | (b1 & 0x0F) << 8;
            int c1 = b1 >>> 4 | b2 << 4;
            if (c0 >= Q || c1 >= Q) {
                throw new InvalidKeyShareException(
                        "ML-KEM-768 encapsulation key fails the FIPS 203 §7.2 modulus check");
            }
        }
    }

    /** The 64-byte seed d||z of deterministic key generation (FIPS 203 Algorithm 16). */
    public static void checkSeed(byte[] seed) {
        if (seed.length != KEYGEN_SEED) {
            throw new IllegalArgumentException("ML-KEM-768 seed is " + seed.length + " bytes; expected " + KEYGEN_SEED);
        }
    }

    /** The 32-byte randomness m of deterministic encapsulation (FIPS 203 Algorithm 17). */
    public static void checkRandomness(byte[] m) {
        if (m.length != ENCAPS_RANDOMNESS) {
            throw new IllegalArgumentException("ML-KEM-768 randomness m is " + m.length + " bytes; expected "
                    + ENCAPS_RANDOMNESS);
        }
    }
}
