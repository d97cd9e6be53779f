package dev.pqdtls.spi;

/**
 * Deterministic ML-KEM-768 operations (FIPS 203) that a backend may expose for known-answer tests,
 * e.g. the Wycheproof keygen-seed and encaps vectors. Never used by the protocol.
 */
public interface MlKemKnownAnswer {

    /** Where these operations run, e.g. {@code libcrypto 3.5.4} or {@code BC 1.83}. */
    String implementation();

    /**
     * ML-KEM.KeyGen_internal from the 64-byte seed d||z.
     *
     * @throws IllegalArgumentException if the seed is not 64 bytes
     */
    KeyPair keyGen(byte[] seed);

    /**
     * ML-KEM.Encaps_internal with the 32-byte randomness m.
     *
     * @throws InvalidKeyShareException if the encapsulation key fails the FIPS 203 §7.2 checks
     */
    Encapsulation encapsulate(byte[] encapsulationKey, byte[] m) throws InvalidKeyShareException;

    /**
     * ML-KEM.Decaps; implicit rejection yields a pseudo-random secret rather than an error.
     *
     * @throws InvalidKeyShareException if the key or ciphertext has the wrong length, or the key fails
     *     the FIPS 203 §7.3 hash check (the H(ek) it carries does not match its ek)
     */
    byte[] decapsulate(byte[] decapsulationKey, byte[] ciphertext) throws InvalidKeyShareException;

    /** Encapsulation key (1184 bytes) and expanded decapsulation key (2400 bytes). */
    record KeyPair(byte[] encapsulationKey, byte[] decapsulationKey) {
    }

    /** Ciphertext (1088 bytes) and shared secret (32 bytes). */
    record Encapsulation(byte[] ciphertext, byte[] sharedSecret) {
    }
}
