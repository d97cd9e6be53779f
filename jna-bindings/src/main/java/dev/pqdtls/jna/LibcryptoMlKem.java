package dev.pqdtls.jna;

import static dev.pqdtls.jna.Evp.check;
import static dev.pqdtls.jna.Evp.checkNotNull;
import static dev.pqdtls.jna.Evp.clearErrors;
import static dev.pqdtls.jna.Evp.drainErrors;
import static dev.pqdtls.jna.Evp.freeCtx;
import static dev.pqdtls.jna.Evp.freeKey;
import static dev.pqdtls.jna.LibcryptoNative.*;
import static dev.pqdtls.nativeabi.MlKemSizes.CIPHERTEXT;
import static dev.pqdtls.nativeabi.MlKemSizes.DECAPSULATION_KEY;
import static dev.pqdtls.nativeabi.MlKemSizes.ENCAPSULATION_KEY;
import static dev.pqdtls.nativeabi.MlKemSizes.SHARED_SECRET;

import dev.pqdtls.nativeabi.MlKemSizes;
import dev.pqdtls.nativeabi.MlKemSources;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.util.Optional;

/**
 * The deterministic ML-KEM-768 operations of libcrypto ≥ 3.5's default provider, for known-answer
 * tests (EVP_PKEY keygen, EVP_PKEY_encapsulate and decapsulate), as in the ffm backend; handshakes use
 * {@link dev.pqdtls.nativeabi.NativeKeyExchange}. Deterministic operations use the provider's "seed"
 * keygen parameter (d||z) and the "ikme" encapsulation parameter (m).
 */
final class LibcryptoMlKem implements MlKemKnownAnswer {
    private static final String ALG = "ML-KEM-768";

    private final String implementation;

    private LibcryptoMlKem(String implementation) {
        this.implementation = implementation;
    }

    /** This source if the loaded libcrypto is ≥ 3.5 and generates ML-KEM-768 keys, else why not. */
    static MlKemSources.Candidate probe() {
        if (!JnaLibcrypto.hasMlKem()) {
            return MlKemSources.Candidate.unavailable("libcrypto " + JnaLibcrypto.version() + " < 3.5");
        }
        String reason;
        try {
            LibcryptoMlKem kem = new LibcryptoMlKem("libcrypto " + JnaLibcrypto.version());
            freeKey(kem.generate(null));
            return MlKemSources.libcrypto(JnaHandshakeCalls.INSTANCE, Optional.of(kem), null);
        } catch (RuntimeException e) {
            reason = "libcrypto " + JnaLibcrypto.version() + " cannot generate " + ALG + ": " + e.getMessage();
        }
        return MlKemSources.Candidate.unavailable(reason);
    }

    @Override
    public String implementation() {
        return implementation;
    }

    @Override
    public KeyPair keyGen(byte[] seed) {
        MlKemSizes.checkSeed(seed);
        long pkey = generate(seed);
        try {
            return new KeyPair(Evp.octetParam(pkey, "encoded-pub-key", ENCAPSULATION_KEY),
                    Evp.octetParam(pkey, "priv", DECAPSULATION_KEY));
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
        long pkey = 0;
        long ctx = 0;
        try (NativeScope scope = new NativeScope()) {
            pkey = EVP_PKEY_new_raw_public_key_ex(0, ALG, null, scope.copyIn(encapsulationKey), encapsulationKey.length);
            if (pkey == 0) {
                throw new InvalidKeyShareException("ML-KEM-768 encapsulation key rejected: " + drainErrors());
            }
            ctx = checkNotNull(EVP_PKEY_CTX_new_from_pkey(0, pkey, null), "EVP_PKEY_CTX_new_from_pkey");
            check(EVP_PKEY_encapsulate_init(ctx, m == null ? 0 : scope.params(scope.octets("ikme", m))),
                    "EVP_PKEY_encapsulate_init");
            NativeMemory ct = scope.allocate(CIPHERTEXT);
            NativeMemory ss = scope.allocate(SHARED_SECRET);
            NativeMemory ctLen = scope.cell(CIPHERTEXT);
            NativeMemory ssLen = scope.cell(SHARED_SECRET);
            int rc = EVP_PKEY_encapsulate(ctx, ct.address, ctLen.address, ss.address, ssLen.address);
            if (rc != 1 || ctLen.buffer.getLong(0) != CIPHERTEXT || ssLen.buffer.getLong(0) != SHARED_SECRET) {
                throw new IllegalStateException("EVP_PKEY_encapsulate failed: " + drainErrors());
            }
            return new Encapsulation(ct.get(0, CIPHERTEXT), ss.get(0, SHARED_SECRET));
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
        long pkey = 0;
        try (NativeScope scope = new NativeScope()) {
            pkey = EVP_PKEY_new_raw_private_key_ex(0, ALG, null, scope.copyIn(decapsulationKey),
                    decapsulationKey.length);
            if (pkey == 0) {
                // FIPS 203 §7.3: the embedded H(ek) does not match, or ek fails its modulus check.
                throw new InvalidKeyShareException("ML-KEM-768 decapsulation key rejected: " + drainErrors());
            }
            return decapsulate(pkey, ciphertext);
        } finally {
            freeKey(pkey);
            clearErrors();
        }
    }

    /** A fresh key pair, from the seed d||z if one is given. */
    private long generate(byte[] seed) {
        long ctx = 0;
        try (NativeScope scope = new NativeScope()) {
            ctx = checkNotNull(EVP_PKEY_CTX_new_from_name(0, ALG, null), "EVP_PKEY_CTX_new_from_name(" + ALG + ")");
            check(EVP_PKEY_keygen_init(ctx), "EVP_PKEY_keygen_init");
            if (seed != null) {
                check(EVP_PKEY_CTX_set_params(ctx, scope.params(scope.octets("seed", seed))),
                        "EVP_PKEY_CTX_set_params(seed)");
            }
            return Evp.generate(ctx, ALG);
        } finally {
            freeCtx(ctx);
        }
    }

    /** Decapsulation with a key already in an EVP_PKEY; the ciphertext length is checked by the caller. */
    private static byte[] decapsulate(long pkey, byte[] ciphertext) {
        long ctx = 0;
        try (NativeScope scope = new NativeScope()) {
            ctx = checkNotNull(EVP_PKEY_CTX_new_from_pkey(0, pkey, null), "EVP_PKEY_CTX_new_from_pkey");
            check(EVP_PKEY_decapsulate_init(ctx, 0), "EVP_PKEY_decapsulate_init");
            NativeMemory ss = scope.allocate(SHARED_SECRET);
            NativeMemory ssLen = scope.cell(SHARED_SECRET);
            int rc = EVP_PKEY_decapsulate(ctx, ss.address, ssLen.address, scope.copyIn(ciphertext), ciphertext.length);
            if (rc != 1 || ssLen.buffer.getLong(0) != SHARED_SECRET) {
                // A well-sized ciphertext never fails (implicit rejection), so this is internal_error.
                throw new IllegalStateException("EVP_PKEY_decapsulate failed: " + drainErrors());
            }
            return ss.get(0, SHARED_SECRET);
        } finally {
            freeCtx(ctx);
        }
    }

}
