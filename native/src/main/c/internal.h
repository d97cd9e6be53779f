/* Shared by the pqdtls translation units; nothing here is exported. */
#ifndef PQDTLS_INTERNAL_H
#define PQDTLS_INTERNAL_H

#include <openssl/evp.h>

#include "pqdtls.h"

/* Algorithms fetched once per process from libcrypto's default library context. */
struct pqdtls_algorithms {
    EVP_CIPHER *aes128_gcm;
    EVP_CIPHER *aes256_gcm;
    EVP_CIPHER *chacha20_poly1305;
    EVP_CIPHER *aes128_ccm;
    EVP_CIPHER *aes128_ecb;
    EVP_CIPHER *aes256_ecb;
    EVP_CIPHER *chacha20;
    EVP_MD *sha256;
    EVP_MD *sha384;
    EVP_MAC *hmac;
};

/* The fetched algorithms; members are NULL for what this libcrypto lacks (e.g. a FIPS-only build). */
const struct pqdtls_algorithms *pqdtls_algorithms(void);

/* The EVP_MD of a PQDTLS_HASH_* id, or NULL. */
const EVP_MD *pqdtls_md(int hash);

/*
 * Record protection primitives shared by record.c's batch calls and dp.c's fused data plane. Each
 * returns 1 on success and 0 on failure (leaving OpenSSL's error queue for the caller to clear).
 * Seal: `len` plaintext bytes at record, tag appended. Open: `len` bytes of ciphertext and tag; on
 * failure the unverified plaintext is wiped. Mask: the 16-byte record-number mask of a sample.
 */
int rp_seal_record(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len, uint8_t *record,
                   uint32_t len);
int rp_open_record(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len, uint8_t *record,
                   uint32_t len);
int rp_record_mask(pqdtls_rp *rp, const uint8_t *sample, uint8_t *mask);
/* The tag length of the handle's suite: 16, or 8 for AES-CCM-8. */
uint32_t rp_tag_length(const pqdtls_rp *rp);

#endif
