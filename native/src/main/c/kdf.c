/* Transcript hashing, HMAC (RFC 2104), HKDF (RFC 5869) and randomness on libcrypto's EVP layer. */
#include "pqdtls.h"
#include "internal.h"

#include <pthread.h>
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

/*
 * HMAC contexts, one per hash and thread, created with the digest set once and re-keyed for every
 * HMAC: EVP_MAC_init with a key and no parameters keeps the digest, so no HMAC pays for an
 * EVP_MAC_CTX allocation or a digest fetch by name. Freed when the thread exits.
 */
struct thread_macs {
    EVP_MAC_CTX *ctx[PQDTLS_HASH_SHA384];
};

static pthread_key_t macs_key;
static pthread_once_t macs_once = PTHREAD_ONCE_INIT;
static int macs_key_ok;

static void free_macs(void *p) {
    struct thread_macs *m = p;
    for (size_t i = 0; i < sizeof m->ctx / sizeof m->ctx[0]; i++) {
        EVP_MAC_CTX_free(m->ctx[i]);
    }
    free(m);
}

static void make_macs_key(void) {
    macs_key_ok = pthread_key_create(&macs_key, free_macs) == 0;
}

/* This thread's HMAC context for `hash`, keyed with key (an empty key is hash-length zeros, which HMAC treats alike). */
static EVP_MAC_CTX *hmac_start(int32_t hash, const uint8_t *key, size_t key_len) {
    const EVP_MD *md = pqdtls_md(hash);
    EVP_MAC *mac = pqdtls_algorithms()->hmac;
    pthread_once(&macs_once, make_macs_key);
    if (md == NULL || mac == NULL || !macs_key_ok) {
        return NULL;
    }
    struct thread_macs *m = pthread_getspecific(macs_key);
    if (m == NULL) {
        if ((m = calloc(1, sizeof *m)) == NULL || pthread_setspecific(macs_key, m) != 0) {
            free(m);
            return NULL;
        }
    }
    EVP_MAC_CTX **slot = &m->ctx[hash - 1];
    if (*slot == NULL) {
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0);
        params[1] = OSSL_PARAM_construct_end();
        if (ctx == NULL || EVP_MAC_CTX_set_params(ctx, params) != 1) {
            EVP_MAC_CTX_free(ctx);
            return NULL;
        }
        *slot = ctx;
    }
    if (key_len == 0) {
        key = zero_key;
        key_len = (size_t)pqdtls_hash_length(hash);
    }
    /* A non-NULL key always: EVP_MAC_init with NULL would keep the previous caller's key. */
    return EVP_MAC_init(*slot, key, key_len, NULL) == 1 ? *slot : NULL;
}

/* HMAC over up to three parts; 1 on success. */
static int hmac3(int32_t hash, const uint8_t *key, size_t key_len, const uint8_t *a, size_t a_len,
                 const uint8_t *b, size_t b_len, const uint8_t *c, size_t c_len, uint8_t *out) {
    EVP_MAC_CTX *ctx = hmac_start(hash, key, key_len);
    size_t outl = 0;
    return ctx != NULL && (a_len == 0 || EVP_MAC_update(ctx, a, a_len) == 1)
           && (b_len == 0 || EVP_MAC_update(ctx, b, b_len) == 1)
           && (c_len == 0 || EVP_MAC_update(ctx, c, c_len) == 1)
           && EVP_MAC_final(ctx, out, &outl, PQDTLS_MAX_HASH_LENGTH) == 1
           && outl == (size_t)pqdtls_hash_length(hash);
}

/* RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i); 1 on success, out wiped on failure. */
static int expand(int32_t hash, const uint8_t *prk, size_t prk_len, const uint8_t *info, size_t info_len,
                  uint8_t *out, size_t out_len) {
    size_t hlen = (size_t)pqdtls_hash_length(hash);
    uint8_t t[PQDTLS_MAX_HASH_LENGTH];
    size_t done = 0;
    int ok = 1;
    for (unsigned int i = 1; ok && done < out_len; i++) {
        uint8_t counter = (uint8_t)i;
        ok = hmac3(hash, prk, prk_len, t, i == 1 ? 0 : hlen, info, info_len, &counter, 1, t);
        if (ok) {
            size_t n = out_len - done < hlen ? out_len - done : hlen;
            memcpy(out + done, t, n);
            done += n;
        }
    }
    OPENSSL_cleanse(t, sizeof t);
    if (!ok && out_len > 0) {
        OPENSSL_cleanse(out, out_len);
    }
    return ok;
}

PQDTLS_API int32_t pqdtls_hmac(int32_t hash, const uint8_t *key, size_t key_len,
                               const uint8_t *data, size_t data_len, uint8_t *out) {
    if (out == NULL || (key_len > 0 && key == NULL) || (data_len > 0 && data == NULL)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    if (pqdtls_md(hash) == NULL) {
        return fail(PQDTLS_ERR_UNSUPPORTED);
    }
    return hmac3(hash, key, key_len, data, data_len, NULL, 0, NULL, 0, out) ? PQDTLS_OK : fail(PQDTLS_ERR_CRYPTO);
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
    return expand(hash, prk, prk_len, info, info_len, out, out_len) ? PQDTLS_OK : fail(PQDTLS_ERR_CRYPTO);
}

PQDTLS_API int32_t pqdtls_digest(int32_t hash, const uint8_t *data, size_t len, uint8_t *out) {
    const EVP_MD *md = pqdtls_md(hash);
    if (md == NULL) {
        return PQDTLS_ERR_UNSUPPORTED;
    }
    if (out == NULL || (len > 0 && data == NULL)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    return EVP_Digest(len > 0 ? data : zero_key, len, out, NULL, md, NULL) == 1 ? PQDTLS_OK : fail(PQDTLS_ERR_CRYPTO);
}

/* ---- TLS 1.3 key schedule (RFC 8446 §7.1, §7.3; RFC 9147 §4.2.3, §5.9) ---------------------- */

/* The TLS 1.3 labels, prefix included, are at most 255 bytes; contexts here are at most a hash. */
#define MAX_LABEL 255

/* HKDF-Expand-Label(secret, prefix || label, context, out_len); 1 on success. */
static int expand_label(int32_t hash, const uint8_t *secret, const uint8_t *prefix, size_t prefix_len,
                        const char *label, size_t label_len, const uint8_t *context, size_t context_len,
                        uint8_t *out, size_t out_len) {
    /* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel; */
    uint8_t info[2 + 1 + MAX_LABEL + 1 + 255];
    if (prefix_len + label_len > MAX_LABEL || context_len > 255 || out_len > 0xFFFF) {
        return 0;
    }
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(prefix_len + label_len);
    memcpy(info + n, prefix, prefix_len);
    n += prefix_len;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len > 0) {
        memcpy(info + n, context, context_len);
        n += context_len;
    }
    return expand(hash, secret, (size_t)pqdtls_hash_length(hash), info, n, out, out_len);
}

/* Hash of the empty string, per hash id (Derive-Secret(., "derived", "") needs it). */
static int empty_hash(int32_t hash, uint8_t *out) {
    return pqdtls_digest(hash, NULL, 0, out) == PQDTLS_OK;
}

/* key, iv and sn_key of one traffic secret, written back to back. */
static int traffic_keys(int32_t hash, const uint8_t *prefix, size_t prefix_len, const uint8_t *secret,
                        size_t key_len, uint8_t *out) {
    return expand_label(hash, secret, prefix, prefix_len, "key", 3, NULL, 0, out, key_len)
           && expand_label(hash, secret, prefix, prefix_len, "iv", 2, NULL, 0, out + key_len, PQDTLS_IV_LENGTH)
           && expand_label(hash, secret, prefix, prefix_len, "sn", 2, NULL, 0, out + key_len + PQDTLS_IV_LENGTH,
                           key_len);
}

static int valid_prefix(const uint8_t *prefix, uint32_t prefix_len) {
    return prefix != NULL && prefix_len > 0 && prefix_len < MAX_LABEL;
}

PQDTLS_API int32_t pqdtls_tls13_schedule_step(int32_t hash, const uint8_t *prefix, uint32_t prefix_len,
                                              const uint8_t *previous, uint32_t previous_len,
                                              const uint8_t *ikm, uint32_t ikm_len,
                                              const uint8_t *transcript_hash, uint32_t transcript_len,
                                              const uint8_t *labels, uint32_t labels_len, uint32_t keyed,
                                              uint32_t key_len, uint8_t *out, uint32_t out_len) {
    int32_t h = pqdtls_hash_length(hash);
    if (h < 0 || pqdtls_md(hash) == NULL) {
        return PQDTLS_ERR_UNSUPPORTED;
    }
    size_t hlen = (size_t)h;
    if (!valid_prefix(prefix, prefix_len) || (previous_len != 0 && previous_len != hlen)
        || (previous_len != 0 && previous == NULL) || (ikm_len > 0 && ikm == NULL)
        || (transcript_len != 0 && transcript_len != hlen) || (transcript_len != 0 && transcript_hash == NULL)
        || (labels_len > 0 && labels == NULL) || out == NULL || key_len > 64) {
        return PQDTLS_ERR_ARGUMENT;
    }
    /* Count the labels (each a length byte and its bytes) and check the output fits. */
    size_t count = 0;
    for (size_t i = 0; i < labels_len; count++) {
        i += 1 + (size_t)labels[i];
        if (i > labels_len) {
            return PQDTLS_ERR_ARGUMENT;
        }
    }
    size_t keys_len = 2 * (size_t)key_len + PQDTLS_IV_LENGTH;
    if (keyed > count || out_len != hlen * (1 + count) + keyed * keys_len) {
        return PQDTLS_ERR_ARGUMENT;
    }
    uint8_t early[PQDTLS_MAX_HASH_LENGTH], empty[PQDTLS_MAX_HASH_LENGTH], derived[PQDTLS_MAX_HASH_LENGTH];
    int ok = empty_hash(hash, empty);
    if (ok && previous_len == 0) {
        /* No PSK: Early Secret = HKDF-Extract(0, 0). */
        ok = hmac3(hash, NULL, 0, zero_key, hlen, NULL, 0, NULL, 0, early);
        previous = early;
    }
    /* stage = HKDF-Extract(Derive-Secret(previous, "derived", ""), ikm or zeros) */
    ok = ok && expand_label(hash, previous, prefix, prefix_len, "derived", 7, empty, hlen, derived, hlen)
         && hmac3(hash, derived, hlen, ikm_len > 0 ? ikm : zero_key, ikm_len > 0 ? ikm_len : hlen, NULL, 0, NULL, 0,
                  out);
    /* secret[i] = Derive-Secret(stage, label[i], transcript hash) */
    uint8_t *secret = out + hlen;
    for (size_t i = 0; ok && i < labels_len; i += 1 + (size_t)labels[i], secret += hlen) {
        ok = expand_label(hash, out, prefix, prefix_len, (const char *)labels + i + 1, labels[i], transcript_hash,
                          transcript_len, secret, hlen);
    }
    /* the traffic keys of the first `keyed` secrets */
    uint8_t *keys = out + hlen * (1 + count);
    for (size_t i = 0; ok && i < keyed; i++, keys += keys_len) {
        ok = traffic_keys(hash, prefix, prefix_len, out + hlen * (1 + i), key_len, keys);
    }
    OPENSSL_cleanse(early, sizeof early);
    OPENSSL_cleanse(derived, sizeof derived);
    if (!ok) {
        OPENSSL_cleanse(out, out_len);
        return fail(PQDTLS_ERR_CRYPTO);
    }
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_tls13_traffic_keys(int32_t hash, const uint8_t *prefix, uint32_t prefix_len,
                                             const uint8_t *secret, uint32_t secret_len, uint32_t key_len,
                                             uint8_t *out, uint32_t out_len) {
    int32_t h = pqdtls_hash_length(hash);
    if (h < 0 || pqdtls_md(hash) == NULL) {
        return PQDTLS_ERR_UNSUPPORTED;
    }
    if (!valid_prefix(prefix, prefix_len) || secret == NULL || secret_len != (uint32_t)h || out == NULL
        || key_len > 64 || out_len != 2 * key_len + PQDTLS_IV_LENGTH) {
        return PQDTLS_ERR_ARGUMENT;
    }
    if (!traffic_keys(hash, prefix, prefix_len, secret, key_len, out)) {
        OPENSSL_cleanse(out, out_len);
        return fail(PQDTLS_ERR_CRYPTO);
    }
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_tls13_finished(int32_t hash, const uint8_t *prefix, uint32_t prefix_len,
                                         const uint8_t *base_key, uint32_t base_key_len,
                                         const uint8_t *transcript_hash, uint32_t transcript_len, uint8_t *out) {
    int32_t h = pqdtls_hash_length(hash);
    if (h < 0 || pqdtls_md(hash) == NULL) {
        return PQDTLS_ERR_UNSUPPORTED;
    }
    size_t hlen = (size_t)h;
    if (!valid_prefix(prefix, prefix_len) || base_key == NULL || base_key_len != hlen || transcript_hash == NULL
        || transcript_len != hlen || out == NULL) {
        return PQDTLS_ERR_ARGUMENT;
    }
    /* RFC 8446 §4.4.4: verify_data = HMAC(HKDF-Expand-Label(base, "finished", "", Hash.length), transcript) */
    uint8_t finished_key[PQDTLS_MAX_HASH_LENGTH];
    int ok = expand_label(hash, base_key, prefix, prefix_len, "finished", 8, NULL, 0, finished_key, hlen)
             && hmac3(hash, finished_key, hlen, transcript_hash, hlen, NULL, 0, NULL, 0, out);
    OPENSSL_cleanse(finished_key, sizeof finished_key);
    if (!ok) {
        OPENSSL_cleanse(out, hlen);
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
