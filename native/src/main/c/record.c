/*
 * DTLS 1.3 record protection: AEAD seal/open of whole batches (RFC 8446 §5.2-5.3) and the
 * record-number mask (RFC 9147 §4.2.3).
 */
#include "pqdtls.h"
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

/*
 * One direction and epoch. The keys are kept as bytes (wiped on free); the cipher contexts, which
 * hold the expanded key schedules and cost kilobytes each, exist only while the connection is in
 * use: rp_activate() builds them on first use, pqdtls_rp_trim() frees them when it goes idle.
 */
struct pqdtls_rp {
    const EVP_CIPHER *aead_cipher;
    const EVP_CIPHER *mask_cipher; /* AES-ECB or ChaCha20 under sn_key */
    EVP_CIPHER_CTX *aead;          /* keyed once per activation; each record only sets its nonce */
    EVP_CIPHER_CTX *mask;
    int chacha;
    int ccm;          /* AES-CCM: length and tag are set per record, before the AAD */
    int ccm_enc;      /* the direction CCM was keyed for (libcrypto picks its CTR routine then) */
    uint32_t tag_len; /* 16, or 8 for AES-CCM-8 */
    uint32_t key_len;
    uint8_t key[32];
    uint8_t sn_key[32];
    uint8_t iv[PQDTLS_IV_LENGTH];
};

static const uint8_t zeros[PQDTLS_MASK_LENGTH];

static void free_contexts(pqdtls_rp *rp) {
    /* EVP_CIPHER_CTX_free wipes the key schedules it holds. */
    EVP_CIPHER_CTX_free(rp->aead);
    EVP_CIPHER_CTX_free(rp->mask);
    rp->aead = NULL;
    rp->mask = NULL;
}

/*
 * Keys the AEAD context. CCM fixes its nonce length (12 bytes, RFC 8446 §5.3; OpenSSL's default is
 * 7) and tag length when the key is set, so both are set first.
 */
static int aead_keyed(pqdtls_rp *rp) {
    if (!rp->ccm) {
        return EVP_CipherInit_ex(rp->aead, rp->aead_cipher, NULL, rp->key, NULL, 1) == 1;
    }
    rp->ccm_enc = 1;
    return EVP_CipherInit_ex(rp->aead, rp->aead_cipher, NULL, NULL, NULL, 1) == 1
           && EVP_CIPHER_CTX_ctrl(rp->aead, EVP_CTRL_AEAD_SET_IVLEN, PQDTLS_IV_LENGTH, NULL) == 1
           && EVP_CIPHER_CTX_ctrl(rp->aead, EVP_CTRL_AEAD_SET_TAG, (int)rp->tag_len, NULL) == 1
           && EVP_CipherInit_ex(rp->aead, NULL, NULL, rp->key, NULL, 1) == 1;
}

/* Builds the cipher contexts if the handle is trimmed; 1 on success. */
static int rp_activate(pqdtls_rp *rp) {
    if (rp->aead != NULL) {
        return 1;
    }
    rp->aead = EVP_CIPHER_CTX_new();
    rp->mask = EVP_CIPHER_CTX_new();
    if (rp->aead == NULL || rp->mask == NULL || !aead_keyed(rp)
        || EVP_EncryptInit_ex(rp->mask, rp->mask_cipher, NULL, rp->sn_key, NULL) != 1
        || (!rp->chacha && EVP_CIPHER_CTX_set_padding(rp->mask, 0) != 1)) {
        free_contexts(rp);
        return 0;
    }
    return 1;
}

PQDTLS_API int32_t pqdtls_rp_idle_size(void) {
    return (int32_t)sizeof(struct pqdtls_rp);
}

PQDTLS_API void pqdtls_rp_trim(pqdtls_rp *rp) {
    if (rp != NULL) {
        free_contexts(rp);
    }
}

PQDTLS_API void pqdtls_rp_free(pqdtls_rp *rp) {
    if (rp == NULL) {
        return;
    }
    free_contexts(rp);
    OPENSSL_cleanse(rp, sizeof *rp);
    free(rp);
}

PQDTLS_API int32_t pqdtls_rp_create(int32_t suite, const uint8_t *key, uint32_t key_len,
                                    const uint8_t *iv, uint32_t iv_len, const uint8_t *sn_key,
                                    uint32_t sn_key_len, pqdtls_rp **out) {
    const struct pqdtls_algorithms *alg = pqdtls_algorithms();
    const EVP_CIPHER *aead, *mask;
    uint32_t expected_key;
    uint32_t tag_len = PQDTLS_TAG_LENGTH;
    int chacha = 0;
    int ccm = 0;
    switch (suite) {
    case PQDTLS_SUITE_AES_128_GCM_SHA256:
        aead = alg->aes128_gcm;
        mask = alg->aes128_ecb;
        expected_key = 16;
        break;
    case PQDTLS_SUITE_AES_256_GCM_SHA384:
        aead = alg->aes256_gcm;
        mask = alg->aes256_ecb;
        expected_key = 32;
        break;
    case PQDTLS_SUITE_CHACHA20_POLY1305_SHA256:
        aead = alg->chacha20_poly1305;
        mask = alg->chacha20;
        expected_key = 32;
        chacha = 1;
        break;
    case PQDTLS_SUITE_AES_128_CCM_SHA256:
    case PQDTLS_SUITE_AES_128_CCM_8_SHA256:
        aead = alg->aes128_ccm;
        mask = alg->aes128_ecb;
        expected_key = 16;
        ccm = 1;
        tag_len = suite == PQDTLS_SUITE_AES_128_CCM_8_SHA256 ? 8 : 16;
        break;
    default:
        return PQDTLS_ERR_UNSUPPORTED;
    }
    if (out == NULL || key == NULL || iv == NULL || sn_key == NULL || key_len != expected_key
        || sn_key_len != expected_key || iv_len != PQDTLS_IV_LENGTH) {
        return PQDTLS_ERR_ARGUMENT;
    }
    *out = NULL;
    if (aead == NULL || mask == NULL) {
        return PQDTLS_ERR_UNSUPPORTED;
    }
    pqdtls_rp *rp = calloc(1, sizeof *rp);
    if (rp == NULL) {
        return PQDTLS_ERR_NOMEM;
    }
    rp->aead_cipher = aead;
    rp->mask_cipher = mask;
    rp->chacha = chacha;
    rp->ccm = ccm;
    rp->tag_len = tag_len;
    rp->key_len = key_len;
    memcpy(rp->key, key, key_len);
    memcpy(rp->sn_key, sn_key, sn_key_len);
    memcpy(rp->iv, iv, PQDTLS_IV_LENGTH);
    if (!rp_activate(rp)) { /* fail at creation, not at first use, if the keys do not take */
        pqdtls_rp_free(rp);
        ERR_clear_error();
        return PQDTLS_ERR_CRYPTO;
    }
    *out = rp;
    return PQDTLS_OK;
}

/* RFC 8446 §5.3: the 64-bit sequence number, left-padded to 12 bytes, XORed with the IV. */
static void make_nonce(const pqdtls_rp *rp, uint64_t seq, uint8_t nonce[PQDTLS_IV_LENGTH]) {
    memcpy(nonce, rp->iv, PQDTLS_IV_LENGTH);
    for (int i = 0; i < 8; i++) {
        nonce[PQDTLS_IV_LENGTH - 1 - i] ^= (uint8_t)(seq >> (8 * i));
    }
}

uint32_t rp_tag_length(const pqdtls_rp *rp) {
    return rp->tag_len;
}

/*
 * Sets the nonce and feeds the AAD; the key stays as set at creation. CCM must know the message
 * length before the AAD (it is in the first MAC block) and, when opening, the expected tag.
 */
static int start_record(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len,
                        uint32_t len, const uint8_t *tag, int enc) {
    uint8_t nonce[PQDTLS_IV_LENGTH];
    int outl;
    if (!rp_activate(rp)) {
        return 0;
    }
    make_nonce(rp, seq, nonce);
    /*
     * libcrypto's CCM binds its encrypt or decrypt routine to the key, so a handle used both ways (a
     * record layer never does; tests do) re-keys when the direction changes.
     */
    const uint8_t *rekey = rp->ccm && rp->ccm_enc != enc ? rp->key : NULL;
    if (EVP_CipherInit_ex(rp->aead, NULL, NULL, rekey, nonce, enc) != 1) {
        return 0;
    }
    if (rp->ccm) {
        rp->ccm_enc = enc;
        if ((!enc && EVP_CIPHER_CTX_ctrl(rp->aead, EVP_CTRL_AEAD_SET_TAG, (int)rp->tag_len, (void *)tag) != 1)
            || EVP_CipherUpdate(rp->aead, NULL, &outl, NULL, (int)len) != 1) {
            return 0;
        }
    }
    if (aad_len > 0 && EVP_CipherUpdate(rp->aead, NULL, &outl, aad, (int)aad_len) != 1) {
        return 0;
    }
    return 1;
}

int rp_seal_record(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len,
                    uint8_t *record, uint32_t len) {
    int outl = 0, finl = 0;
    if (!start_record(rp, seq, aad, aad_len, len, NULL, 1)) {
        return 0;
    }
    /* CCM computes its tag in this call, so it runs for an empty plaintext too. */
    if ((len > 0 || rp->ccm) && EVP_CipherUpdate(rp->aead, record, &outl, record, (int)len) != 1) {
        return 0;
    }
    if (EVP_CipherFinal_ex(rp->aead, record + outl, &finl) != 1 || (uint32_t)(outl + finl) != len) {
        return 0;
    }
    return EVP_CIPHER_CTX_ctrl(rp->aead, EVP_CTRL_AEAD_GET_TAG, (int)rp->tag_len, record + len) == 1;
}

int rp_open_record(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len,
                    uint8_t *record, uint32_t len) {
    int outl = 0, finl = 0;
    if (len < rp->tag_len) {
        return 0;
    }
    uint32_t clen = len - rp->tag_len;
    if (!start_record(rp, seq, aad, aad_len, clen, record + clen, 0)) {
        return 0;
    }
    if (rp->ccm) {
        /* CCM verifies the tag inside the update; there is nothing to finish. */
        if (EVP_CipherUpdate(rp->aead, record, &outl, record, (int)clen) != 1) {
            OPENSSL_cleanse(record, clen);
            return 0;
        }
        return 1;
    }
    if (clen > 0 && EVP_CipherUpdate(rp->aead, record, &outl, record, (int)clen) != 1) {
        OPENSSL_cleanse(record, clen);
        return 0;
    }
    if (EVP_CIPHER_CTX_ctrl(rp->aead, EVP_CTRL_AEAD_SET_TAG, (int)rp->tag_len, record + clen) != 1
        || EVP_CipherFinal_ex(rp->aead, record + outl, &finl) != 1) {
        /* Never leave unauthenticated plaintext behind (RFC 5116 §2.2). */
        OPENSSL_cleanse(record, clen);
        return 0;
    }
    return 1;
}

PQDTLS_API int32_t pqdtls_rp_seal(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len, uint8_t *record,
                                  uint32_t plaintext_len) {
    if (rp == NULL || record == NULL || (aad_len > 0 && aad == NULL) || aad_len > INT_MAX
        || plaintext_len > INT_MAX - PQDTLS_TAG_LENGTH) {
        return PQDTLS_ERR_ARGUMENT;
    }
    if (!rp_seal_record(rp, seq, aad, aad_len, record, plaintext_len)) {
        ERR_clear_error();
        return PQDTLS_ERR_CRYPTO;
    }
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_rp_open(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len, uint8_t *record,
                                  uint32_t record_len) {
    if (rp == NULL || record == NULL || (aad_len > 0 && aad == NULL) || aad_len > INT_MAX || record_len > INT_MAX) {
        return PQDTLS_ERR_ARGUMENT;
    }
    int ok = rp_open_record(rp, seq, aad, aad_len, record, record_len);
    ERR_clear_error();
    return ok ? PQDTLS_OK : PQDTLS_ERR_AUTH;
}

static int batch_args_ok(const pqdtls_rp *rp, uint32_t count, const uint64_t *seqs,
                         const uint8_t *const *aads, const uint32_t *aad_lens,
                         uint8_t *const *records, const uint32_t *lens) {
    if (rp == NULL || (count > 0 && (seqs == NULL || aads == NULL || aad_lens == NULL
                                     || records == NULL || lens == NULL))) {
        return 0;
    }
    for (uint32_t i = 0; i < count; i++) {
        if ((aad_lens[i] > 0 && aads[i] == NULL) || aad_lens[i] > INT_MAX || records[i] == NULL
            || lens[i] > INT_MAX - PQDTLS_TAG_LENGTH) {
            return 0;
        }
    }
    return 1;
}

PQDTLS_API int32_t pqdtls_rp_seal_batch(pqdtls_rp *rp, uint32_t count, const uint64_t *seqs,
                                        const uint8_t *const *aads, const uint32_t *aad_lens,
                                        uint8_t *const *records, const uint32_t *plaintext_lens) {
    if (!batch_args_ok(rp, count, seqs, aads, aad_lens, records, plaintext_lens)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (!rp_seal_record(rp, seqs[i], aads[i], aad_lens[i], records[i], plaintext_lens[i])) {
            ERR_clear_error();
            return PQDTLS_ERR_CRYPTO;
        }
    }
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_rp_open_batch(pqdtls_rp *rp, uint32_t count, const uint64_t *seqs,
                                        const uint8_t *const *aads, const uint32_t *aad_lens,
                                        uint8_t *const *records, const uint32_t *record_lens,
                                        int32_t *status) {
    if (!batch_args_ok(rp, count, seqs, aads, aad_lens, records, record_lens)
        || (count > 0 && status == NULL)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    int32_t ok = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (rp_open_record(rp, seqs[i], aads[i], aad_lens[i], records[i], record_lens[i])) {
            status[i] = PQDTLS_OK;
            ok++;
        } else {
            status[i] = PQDTLS_ERR_AUTH;
        }
    }
    ERR_clear_error();
    return ok;
}

int rp_record_mask(pqdtls_rp *rp, const uint8_t *sample, uint8_t *mask) {
    int outl = 0;
    int ok;
    if (!rp_activate(rp)) {
        return 0;
    }
    if (rp->chacha) {
        /*
         * RFC 9147 §4.2.3: counter = sample[0..4) little-endian, nonce = sample[4..16), mask =
         * ChaCha20 keystream; OpenSSL's 16-byte ChaCha20 IV is exactly counter(LE) || nonce.
         */
        ok = EVP_EncryptInit_ex(rp->mask, NULL, NULL, NULL, sample) == 1
             && EVP_EncryptUpdate(rp->mask, mask, &outl, zeros, PQDTLS_MASK_LENGTH) == 1;
    } else {
        /* AES-ECB without padding keeps no state between whole blocks. */
        ok = EVP_EncryptUpdate(rp->mask, mask, &outl, sample, PQDTLS_MASK_LENGTH) == 1;
    }
    return ok && outl == PQDTLS_MASK_LENGTH;
}

PQDTLS_API int32_t pqdtls_rp_mask(pqdtls_rp *rp, const uint8_t *sample, uint8_t *mask) {
    if (rp == NULL || sample == NULL || mask == NULL) {
        return PQDTLS_ERR_ARGUMENT;
    }
    if (!rp_record_mask(rp, sample, mask)) {
        ERR_clear_error();
        return PQDTLS_ERR_CRYPTO;
    }
    return PQDTLS_OK;
}
