/* Transcript hashing, HMAC (RFC 2104), HKDF (RFC 5869) and randomness on libcrypto's EVP layer. */
#include "pqdtls.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/rand.h>

struct pqdtls_hash {
    EVP_MD_CTX *ctx;
};

static const uint8_t zero_key[PQDTLS_MAX_HASH_LENGTH];

static int32_t fail(int32_t rc) {
    ERR_clear_error();
    return rc;
}

PQDTLS_API int32_t pqdtls_hash_length(int32_t hash) {
    switch (hash) {
    case PQDTLS_HASH_SHA256:
        return 32;
    case PQDTLS_HASH_SHA384:
        return 48;
    default:
        return PQDTLS_ERR_UNSUPPORTED;
    }
}

PQDTLS_API void pqdtls_hash_free(pqdtls_hash *h) {
    if (h != NULL) {
        EVP_MD_CTX_free(h->ctx);
        free(h);
    }
}

static pqdtls_hash *hash_alloc(void) {
    pqdtls_hash *h = calloc(1, sizeof *h);
    if (h != NULL && (h->ctx = EVP_MD_CTX_new()) == NULL) {
        free(h);
        h = NULL;
    }
    return h;
}

PQDTLS_API pqdtls_hash *pqdtls_hash_new(int32_t hash) {
    const EVP_MD *md = pqdtls_md(hash);
    if (md == NULL) {
        return NULL;
    }
    pqdtls_hash *h = hash_alloc();
    if (h != NULL && EVP_DigestInit_ex(h->ctx, md, NULL) != 1) {
        pqdtls_hash_free(h);
        h = NULL;
    }
    ERR_clear_error();
    return h;
}

PQDTLS_API pqdtls_hash *pqdtls_hash_copy(const pqdtls_hash *src) {
    if (src == NULL) {
        return NULL;
    }
    pqdtls_hash *h = hash_alloc();
    if (h != NULL && EVP_MD_CTX_copy_ex(h->ctx, src->ctx) != 1) {
        pqdtls_hash_free(h);
        h = NULL;
    }
    ERR_clear_error();
    return h;
}

PQDTLS_API int32_t pqdtls_hash_update(pqdtls_hash *h, const uint8_t *data, size_t len) {
    if (h == NULL || (len > 0 && data == NULL)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    if (len > 0 && EVP_DigestUpdate(h->ctx, data, len) != 1) {
        return fail(PQDTLS_ERR_CRYPTO);
    }
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_hash_current(const pqdtls_hash *h, uint8_t *out) {
    if (h == NULL || out == NULL) {
        return PQDTLS_ERR_ARGUMENT;
    }
    /* Finalise a copy so the transcript keeps accepting messages (RFC 8446 §4.4.1). */
    EVP_MD_CTX *tmp = EVP_MD_CTX_new();
    unsigned int len = 0;
    int ok = tmp != NULL && EVP_MD_CTX_copy_ex(tmp, h->ctx) == 1
             && EVP_DigestFinal_ex(tmp, out, &len) == 1;
    EVP_MD_CTX_free(tmp);
    return ok ? PQDTLS_OK : fail(tmp == NULL ? PQDTLS_ERR_NOMEM : PQDTLS_ERR_CRYPTO);
}

/* A keyed HMAC context; an empty key is replaced by hash-length zeros, which HMAC treats alike. */
static EVP_MAC_CTX *hmac_new(int32_t hash, const uint8_t *key, size_t key_len) {
    const EVP_MD *md = pqdtls_md(hash);
    EVP_MAC *mac = pqdtls_algorithms()->hmac;
    if (md == NULL || mac == NULL) {
        return NULL;
    }
    if (key_len == 0) {
        key = zero_key;
        key_len = (size_t)pqdtls_hash_length(hash);
    }
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)EVP_MD_get0_name(md), 0);
    params[1] = OSSL_PARAM_construct_end();
    if (ctx != NULL && EVP_MAC_init(ctx, key, key_len, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

PQDTLS_API int32_t pqdtls_hmac(int32_t hash, const uint8_t *key, size_t key_len,
                               const uint8_t *data, size_t data_len, uint8_t *out) {
    if (out == NULL || (key_len > 0 && key == NULL) || (data_len > 0 && data == NULL)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    if (pqdtls_md(hash) == NULL) {
        return fail(PQDTLS_ERR_UNSUPPORTED);
    }
    EVP_MAC_CTX *ctx = hmac_new(hash, key, key_len);
    size_t outl = 0;
    int ok = ctx != NULL && (data_len == 0 || EVP_MAC_update(ctx, data, data_len) == 1)
             && EVP_MAC_final(ctx, out, &outl, PQDTLS_MAX_HASH_LENGTH) == 1;
    EVP_MAC_CTX_free(ctx);
    return ok ? PQDTLS_OK : fail(PQDTLS_ERR_CRYPTO);
}

PQDTLS_API int32_t pqdtls_hkdf_extract(int32_t hash, const uint8_t *salt, size_t salt_len,
                                       const uint8_t *ikm, size_t ikm_len, uint8_t *out) {
    /* RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM). */
    return pqdtls_hmac(hash, salt, salt_len, ikm, ikm_len, out);
}

PQDTLS_API int32_t pqdtls_hkdf_expand(int32_t hash, const uint8_t *prk, size_t prk_len,
                                      const uint8_t *info, size_t info_len, uint8_t *out,
                                      size_t out_len) {
    int32_t hlen = pqdtls_hash_length(hash);
    if (hlen < 0 || pqdtls_md(hash) == NULL) {
        return fail(PQDTLS_ERR_UNSUPPORTED);
    }
    if ((out_len > 0 && out == NULL) || (prk_len > 0 && prk == NULL)
        || (info_len > 0 && info == NULL) || out_len > 255 * (size_t)hlen) {
        return PQDTLS_ERR_ARGUMENT;
    }
    /* RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i). */
    uint8_t t[PQDTLS_MAX_HASH_LENGTH];
    size_t tlen = 0, done = 0;
    int ok = 1;
    for (unsigned int i = 1; ok && done < out_len; i++) {
        EVP_MAC_CTX *ctx = hmac_new(hash, prk, prk_len);
        uint8_t counter = (uint8_t)i;
        size_t outl = 0;
        ok = ctx != NULL && (tlen == 0 || EVP_MAC_update(ctx, t, tlen) == 1)
             && (info_len == 0 || EVP_MAC_update(ctx, info, info_len) == 1)
             && EVP_MAC_update(ctx, &counter, 1) == 1
             && EVP_MAC_final(ctx, t, &outl, sizeof t) == 1;
        EVP_MAC_CTX_free(ctx);
        if (ok) {
            tlen = outl;
            size_t n = out_len - done < tlen ? out_len - done : tlen;
            memcpy(out + done, t, n);
            done += n;
        }
    }
    OPENSSL_cleanse(t, sizeof t);
    if (!ok) {
        OPENSSL_cleanse(out, out_len);
        return fail(PQDTLS_ERR_CRYPTO);
    }
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_random_bytes(uint8_t *out, size_t len) {
    if (len == 0) {
        return PQDTLS_OK;
    }
    if (out == NULL || len > INT32_MAX) {
        return PQDTLS_ERR_ARGUMENT;
    }
    return RAND_bytes(out, (int)len) == 1 ? PQDTLS_OK : fail(PQDTLS_ERR_CRYPTO);
}
