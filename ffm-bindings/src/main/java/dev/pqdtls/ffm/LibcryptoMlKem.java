package dev.pqdtls.ffm;

import static dev.pqdtls.nativeabi.MlKemSizes.CIPHERTEXT;
import static dev.pqdtls.nativeabi.MlKemSizes.DECAPSULATION_KEY;
import static dev.pqdtls.nativeabi.MlKemSizes.ENCAPSULATION_KEY;
import static dev.pqdtls.nativeabi.MlKemSizes.SHARED_SECRET;
import static dev.pqdtls.ffm.PublicKeyLibcrypto.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.nativeabi.MlKemSizes;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The deterministic ML-KEM-768 operations of libcrypto ≥ 3.5's default provider, for known-answer
 * tests, through EVP_PKEY keygen and EVP_PKEY_encapsulate/decapsulate; handshakes use
 * {@link dev.pqdtls.nativeabi.NativeKeyExchange}. Deterministic operations use the provider's "seed" keygen parameter
 * (OSSL_PKEY_PARAM_ML_KEM_SEED, d||z) and the "ikme" encapsulation parameter (OSSL_KEM_PARAM_IKME, m).
 */
final class LibcryptoMlKem implements MlKemKnownAnswer {
    private static final String ALG = "ML-KEM-768";

    private final String implementation;

    private LibcryptoMlKem(String implementation) {
        this.implementation = implementation;
    }

    /** The libcrypto source if the loaded libcrypto is ≥ 3.5 and generates ML-KEM-768 keys, else why not. */
    static Probe probe() {
        if (PublicKeyLibcrypto.unavailableReason().isPresent()) {
            return new Probe(Optional.empty(), PublicKeyLibcrypto.unavailableReason().get());
        }
        if (!Libcrypto.hasMlKem()) {
            return new Probe(Optional.empty(), "libcrypto " + Libcrypto.version() + " < 3.5");
        }
        try {
            LibcryptoMlKem kem = new LibcryptoMlKem("libcrypto " + Libcrypto.version());
            freeKey(kem.generate(null));
            return new Probe(Optional.of(kem), null);
        } catch (RuntimeException e) {
            return new Probe(Optional.empty(), "libcrypto " + Libcrypto.version() + " cannot generate "
                    + ALG + ": " + e.getMessage());
        }
    }

    record Probe(Optional<LibcryptoMlKem> kem, String reason) {
    }

    @Override
    public String implementation() {
        return implementation;
    }

    // --- MlKemKnownAnswer -------------------------------------------------------------------

    @Override
    public KeyPair keyGen(byte[] seed) {
        MlKemSizes.checkSeed(seed);
        MemorySegment pkey = generate(seed);
        try {
            return new KeyPair(octetParam(pkey, "encoded-pub-key", ENCAPSULATION_KEY),
                    octetParam(pkey, "priv", DECAPSULATION_KEY));
        } finally {
            freeKey(pkey);
            clearErrors();
        }
    }

    @Override
    public Encapsulation encapsulate(byte[] encapsulationKey, byte[] m) throws InvalidKeyShareException {
        MlKemSizes.checkEncapsulationKey(encapsulationKey);
        if (m != null) {
            MlKemSizes.checkRandomness(m);
        }
        MemorySegment pkey = MemorySegment.NULL;
        MemorySegment ctx = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            pkey = (MemorySegment) EVP_PKEY_new_raw_public_key_ex.invokeExact(MemorySegment.NULL,
                    cString(arena, ALG), MemorySegment.NULL, copyIn(arena, encapsulationKey),
                    (long) encapsulationKey.length);
            if (pkey.equals(MemorySegment.NULL)) {
                throw new InvalidKeyShareException("ML-KEM-768 encapsulation key rejected: " + drainErrors());
            }
            ctx = checkNotNull((MemorySegment) EVP_PKEY_CTX_new_from_pkey.invokeExact(MemorySegment.NULL, pkey,
                    MemorySegment.NULL), "EVP_PKEY_CTX_new_from_pkey");
            Param ikme = m == null ? null : Param.octets(arena, "ikme", m);
            MemorySegment params = m == null ? MemorySegment.NULL : params(arena, ikme);
            int rc = (int) EVP_PKEY_encapsulate_init.invokeExact(ctx, params);
            if (ikme != null) {
                ikme.data().fill((byte) 0);
            }
            check(rc, "EVP_PKEY_encapsulate_init");
            MemorySegment ct = arena.allocate(CIPHERTEXT);
            MemorySegment ss = arena.allocate(SHARED_SECRET);
            MemorySegment ctLen = sizeCell(arena, CIPHERTEXT);
            MemorySegment ssLen = sizeCell(arena, SHARED_SECRET);
            rc = (int) EVP_PKEY_encapsulate.invokeExact(ctx, ct, ctLen, ss, ssLen);
            byte[] secret = ss.toArray(JAVA_BYTE);
            ss.fill((byte) 0);
            if (rc != 1 || ctLen.get(JAVA_LONG, 0) != CIPHERTEXT || ssLen.get(JAVA_LONG, 0) != SHARED_SECRET) {
                java.util.Arrays.fill(secret, (byte) 0);
                throw new IllegalStateException("EVP_PKEY_encapsulate failed: " + drainErrors());
            }
            return new Encapsulation(ct.toArray(JAVA_BYTE), secret);
        } catch (InvalidKeyShareException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            freeCtx(ctx);
            freeKey(pkey);
            clearErrors();
        }
    }

    @Override
    public byte[] decapsulate(byte[] decapsulationKey, byte[] ciphertext) throws InvalidKeyShareException {
        MlKemSizes.checkDecapsulationKey(decapsulationKey);
        MlKemSizes.checkLength("ciphertext", ciphertext, CIPHERTEXT);
        MemorySegment pkey = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dk = copyIn(arena, decapsulationKey);
            pkey = (MemorySegment) EVP_PKEY_new_raw_private_key_ex.invokeExact(MemorySegment.NULL,
                    cString(arena, ALG), MemorySegment.NULL, dk, (long) decapsulationKey.length);
            dk.fill((byte) 0);
            if (pkey.equals(MemorySegment.NULL)) {
                // FIPS 203 §7.3: the embedded H(ek) does not match, or ek fails its modulus check.
                throw new InvalidKeyShareException("ML-KEM-768 decapsulation key rejected: " + drainErrors());
            }
            return decapsulate(pkey, ciphertext);
        } catch (InvalidKeyShareException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            freeKey(pkey);
            clearErrors();
        }
    }

    // --- libcrypto calls --------------------------------------------------------------------

    /** A fresh key pair, from the seed d||z if one is given. */
    private MemorySegment generate(byte[] seed) {
        MemorySegment ctx = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            ctx = checkNotNull((MemorySegment) EVP_PKEY_CTX_new_from_name.invokeExact(MemorySegment.NULL,
                    cString(arena, ALG), MemorySegment.NULL), "EVP_PKEY_CTX_new_from_name(" + ALG + ")");
            check((int) EVP_PKEY_keygen_init.invokeExact(ctx), "EVP_PKEY_keygen_init");
            if (seed != null) {
                Param p = Param.octets(arena, "seed", seed);
                int rc = (int) EVP_PKEY_CTX_set_params.invokeExact(ctx, params(arena, p));
                p.data().fill((byte) 0);
                check(rc, "EVP_PKEY_CTX_set_params(seed)");
            }
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) EVP_PKEY_generate.invokeExact(ctx, out), ALG + " key generation");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            freeCtx(ctx);
        }
    }

    /** Decapsulation with a key already in an EVP_PKEY; the ciphertext length is checked by the caller. */
    private static byte[] decapsulate(MemorySegment pkey, byte[] ciphertext) {
        MemorySegment ctx = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            ctx = checkNotNull((MemorySegment) EVP_PKEY_CTX_new_from_pkey.invokeExact(MemorySegment.NULL, pkey,
                    MemorySegment.NULL), "EVP_PKEY_CTX_new_from_pkey");
            check((int) EVP_PKEY_decapsulate_init.invokeExact(ctx, MemorySegment.NULL), "EVP_PKEY_decapsulate_init");
            MemorySegment ss = arena.allocate(SHARED_SECRET);
            MemorySegment ssLen = sizeCell(arena, SHARED_SECRET);
            int rc = (int) EVP_PKEY_decapsulate.invokeExact(ctx, ss, ssLen, copyIn(arena, ciphertext),
                    (long) ciphertext.length);
            byte[] secret = ss.toArray(JAVA_BYTE);
            ss.fill((byte) 0);
            if (rc != 1 || ssLen.get(JAVA_LONG, 0) != SHARED_SECRET) {
                java.util.Arrays.fill(secret, (byte) 0);
                // A well-sized ciphertext never fails (implicit rejection), so this is internal_error.
                throw new IllegalStateException("EVP_PKEY_decapsulate failed: " + drainErrors());
            }
            return secret;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            freeCtx(ctx);
        }
    }
}
