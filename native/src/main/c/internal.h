/* Shared by the pqdtls translation units; nothing here is exported. */
#ifndef PQDTLS_INTERNAL_H
#define PQDTLS_INTERNAL_H

#include <openssl/evp.h>

/* Algorithms fetched once per process from libcrypto's default library context. */
struct pqdtls_algorithms {
    EVP_CIPHER *aes128_gcm;
    EVP_CIPHER *aes256_gcm;
    EVP_CIPHER *chacha20_poly1305;
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

#endif
