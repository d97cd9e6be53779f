#include "pqdtls.h"
#include "internal.h"

#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static struct pqdtls_algorithms algorithms;

/*
 * Explicit fetches avoid the implicit per-context fetch that EVP_aes_128_gcm() and friends do on
 * every init; the objects live for the life of the process (freeing them from a destructor could run
 * after libcrypto's own atexit cleanup).
 */
static void fetch_all(void) {
    algorithms.aes128_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    algorithms.aes256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    algorithms.chacha20_poly1305 = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
    algorithms.aes128_ccm = EVP_CIPHER_fetch(NULL, "AES-128-CCM", NULL);
    algorithms.aes128_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    algorithms.aes256_ecb = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
    algorithms.chacha20 = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
    algorithms.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    algorithms.sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
    algorithms.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    ERR_clear_error();
}

const struct pqdtls_algorithms *pqdtls_algorithms(void) {
    pthread_once(&fetch_once, fetch_all);
    return &algorithms;
}

const EVP_MD *pqdtls_md(int hash) {
    const struct pqdtls_algorithms *a = pqdtls_algorithms();
    switch (hash) {
    case PQDTLS_HASH_SHA256:
        return a->sha256;
    case PQDTLS_HASH_SHA384:
        return a->sha384;
    default:
        return NULL;
    }
}

PQDTLS_API int32_t pqdtls_abi_version(void) {
    return PQDTLS_ABI_VERSION;
}

PQDTLS_API uint64_t pqdtls_libcrypto_version_num(void) {
    return (uint64_t)OpenSSL_version_num();
}
