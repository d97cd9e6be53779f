/*
 * pqdtls native data plane: the C ABI that the Java bindings (FFM today, JNA later) call.
 *
 * The ABI is deliberately plain: opaque handles, byte buffers, integer lengths and status codes.
 * Functions never call back into the JVM, never keep pointers to caller buffers after they return,
 * and leave OpenSSL's thread-local error queue empty on return.
 */
#ifndef PQDTLS_H
#define PQDTLS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PQDTLS_API __attribute__((visibility("default")))
#else
#define PQDTLS_API
#endif

/* Bumped whenever a function signature, struct or constant below changes meaning. */
#define PQDTLS_ABI_VERSION 1

/* Status codes: 0 is success, failures are negative. */
#define PQDTLS_OK 0
#define PQDTLS_ERR_ARGUMENT (-1)     /* null pointer, bad length, count out of range */
#define PQDTLS_ERR_UNSUPPORTED (-2)  /* unknown suite or hash id */
#define PQDTLS_ERR_NOMEM (-3)        /* allocation failed */
#define PQDTLS_ERR_CRYPTO (-4)       /* libcrypto refused an operation that should not fail */
#define PQDTLS_ERR_AUTH (-5)         /* record did not authenticate (bad_record_mac) */

/* Cipher suites by their IANA codepoint (RFC 8446 §B.4). */
#define PQDTLS_SUITE_AES_128_GCM_SHA256 0x1301
#define PQDTLS_SUITE_AES_256_GCM_SHA384 0x1302
#define PQDTLS_SUITE_CHACHA20_POLY1305_SHA256 0x1303

#define PQDTLS_IV_LENGTH 12
#define PQDTLS_TAG_LENGTH 16
#define PQDTLS_MASK_LENGTH 16

/* Hash ids for the hash/HMAC/HKDF functions. */
#define PQDTLS_HASH_SHA256 1
#define PQDTLS_HASH_SHA384 2
#define PQDTLS_MAX_HASH_LENGTH 48

/* CPU feature bits returned by pqdtls_cpu_features(). */
#define PQDTLS_CPU_X86_AESNI (1u << 0)
#define PQDTLS_CPU_X86_PCLMULQDQ (1u << 1)
#define PQDTLS_CPU_X86_AVX2 (1u << 2)
#define PQDTLS_CPU_X86_AVX512F (1u << 3)
#define PQDTLS_CPU_X86_VAES (1u << 4)
#define PQDTLS_CPU_X86_VPCLMULQDQ (1u << 5)
#define PQDTLS_CPU_X86_SHA (1u << 6)
#define PQDTLS_CPU_ARM_AES (1u << 16)
#define PQDTLS_CPU_ARM_PMULL (1u << 17)
#define PQDTLS_CPU_ARM_SHA2 (1u << 18)
#define PQDTLS_CPU_ARM_SHA3 (1u << 19)

/* ---- library ------------------------------------------------------------------------------ */

/* PQDTLS_ABI_VERSION of the compiled library; bindings refuse a library that differs. */
PQDTLS_API int32_t pqdtls_abi_version(void);

/* OpenSSL_version_num() of the libcrypto this library is bound to at run time. */
PQDTLS_API uint64_t pqdtls_libcrypto_version_num(void);

/* ---- CPU features ------------------------------------------------------------------------- */

/* Bitmask of PQDTLS_CPU_* features usable on this CPU and OS (AVX state enabled via XCR0). */
PQDTLS_API uint32_t pqdtls_cpu_features(void);

/*
 * Display name of feature bit `bit` (0..31), e.g. "AES-NI", or NULL when the bit means nothing on
 * this architecture. Lets bindings list features without retyping the table.
 */
PQDTLS_API const char *pqdtls_cpu_feature_name(int32_t bit);

/* ---- record protection (RFC 8446 §5.2-5.3, RFC 9147 §4.2.3) -------------------------------- */

typedef struct pqdtls_rp pqdtls_rp;

/*
 * Creates record protection for one direction and epoch. key and sn_key are the suite's key
 * length (16 or 32), iv is 12 bytes. On success stores the handle in *out and returns PQDTLS_OK.
 */
PQDTLS_API int32_t pqdtls_rp_create(int32_t suite, const uint8_t *key, uint32_t key_len,
                                    const uint8_t *iv, uint32_t iv_len, const uint8_t *sn_key,
                                    uint32_t sn_key_len, pqdtls_rp **out);

/* Wipes the keys and frees the handle. NULL is ignored. */
PQDTLS_API void pqdtls_rp_free(pqdtls_rp *rp);

/*
 * Seals `count` records in place. Record i holds plaintext_lens[i] bytes at records[i] and must
 * have room for PQDTLS_TAG_LENGTH more, where the tag is written. The nonce is the IV XOR the
 * sequence number left-padded to 12 bytes. aads[i] may be NULL when aad_lens[i] is 0.
 * Returns PQDTLS_OK, or a negative code at the first record that failed.
 */
PQDTLS_API int32_t pqdtls_rp_seal_batch(pqdtls_rp *rp, uint32_t count, const uint64_t *seqs,
                                        const uint8_t *const *aads, const uint32_t *aad_lens,
                                        uint8_t *const *records, const uint32_t *plaintext_lens);

/*
 * Opens `count` records in place. Record i holds ciphertext and tag (record_lens[i] bytes); on
 * success the plaintext is its first record_lens[i] - 16 bytes and status[i] = PQDTLS_OK,
 * otherwise status[i] = PQDTLS_ERR_AUTH and the unverified plaintext is wiped. One bad record never
 * stops the others. Returns the number of records that authenticated, or a negative code if the
 * arguments are unusable (then status is untouched).
 */
PQDTLS_API int32_t pqdtls_rp_open_batch(pqdtls_rp *rp, uint32_t count, const uint64_t *seqs,
                                        const uint8_t *const *aads, const uint32_t *aad_lens,
                                        uint8_t *const *records, const uint32_t *record_lens,
                                        int32_t *status);

/* Writes the 16-byte record-number mask for a 16-byte ciphertext sample (RFC 9147 §4.2.3). */
PQDTLS_API int32_t pqdtls_rp_mask(pqdtls_rp *rp, const uint8_t *sample, uint8_t *mask);

/* ---- hashing, HMAC, HKDF (RFC 2104, RFC 5869) -------------------------------------------- */

typedef struct pqdtls_hash pqdtls_hash;

/* Output length of a hash id, or a negative code. */
PQDTLS_API int32_t pqdtls_hash_length(int32_t hash);

/* A new incremental hash; NULL on failure. */
PQDTLS_API pqdtls_hash *pqdtls_hash_new(int32_t hash);

/* An independent copy in the same state (EVP_MD_CTX_copy_ex); NULL on failure. */
PQDTLS_API pqdtls_hash *pqdtls_hash_copy(const pqdtls_hash *h);

PQDTLS_API int32_t pqdtls_hash_update(pqdtls_hash *h, const uint8_t *data, size_t len);

/* Writes the digest of everything so far to out without ending the hash. */
PQDTLS_API int32_t pqdtls_hash_current(const pqdtls_hash *h, uint8_t *out);

PQDTLS_API void pqdtls_hash_free(pqdtls_hash *h);

/* HMAC of data under key; writes pqdtls_hash_length(hash) bytes to out. */
PQDTLS_API int32_t pqdtls_hmac(int32_t hash, const uint8_t *key, size_t key_len,
                               const uint8_t *data, size_t data_len, uint8_t *out);

/* HKDF-Extract; an empty salt means hash-length zeros. Writes the hash length to out. */
PQDTLS_API int32_t pqdtls_hkdf_extract(int32_t hash, const uint8_t *salt, size_t salt_len,
                                       const uint8_t *ikm, size_t ikm_len, uint8_t *out);

/* HKDF-Expand to out_len bytes (at most 255 * hash length). */
PQDTLS_API int32_t pqdtls_hkdf_expand(int32_t hash, const uint8_t *prk, size_t prk_len,
                                      const uint8_t *info, size_t info_len, uint8_t *out,
                                      size_t out_len);

/* ---- randomness --------------------------------------------------------------------------- */

/* Fills out with len bytes from libcrypto's CSPRNG (RAND_bytes). */
PQDTLS_API int32_t pqdtls_random_bytes(uint8_t *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PQDTLS_H */
