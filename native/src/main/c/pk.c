/*
 * Public-key operations of a handshake, one call per step: ephemeral key exchange (RFC 8446 §4.2.8,
 * RFC 7748, draft-ietf-tls-ecdhe-mlkem) and CertificateVerify signatures (RFC 8446 §4.2.3, §4.4.3)
 * on libcrypto's EVP_PKEY API.
 */
#include "pqdtls.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

enum {
    X25519_LENGTH = 32,
    P256_POINT_LENGTH = 65,
    ECDH_SECRET_LENGTH = 32,
    MLKEM_EK_LENGTH = 1184,
    MLKEM_CT_LENGTH = 1088,
    MLKEM_SECRET_LENGTH = 32,
};

static const char MLKEM768[] = "ML-KEM-768";

static int32_t fail(int32_t rc) {
    ERR_clear_error();
    return rc;
}

/* ---- components ----------------------------------------------------------------------------- */

/* A fresh key: X25519, P-256 or ML-KEM-768. */
static EVP_PKEY *generate(int32_t component) {
    const char *name = component == PQDTLS_GROUP_X25519 ? "X25519" : component == PQDTLS_GROUP_SECP256R1 ? "EC" : MLKEM768;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
    EVP_PKEY *key = NULL;
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1
        || (component == PQDTLS_GROUP_SECP256R1 && EVP_PKEY_CTX_set_group_name(ctx, "P-256") != 1)
        || EVP_PKEY_generate(ctx, &key) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* The public share of an ECDH key: the X25519 u-coordinate or the uncompressed P-256 point. */
static int ecdh_public(EVP_PKEY *key, int32_t component, uint8_t *out) {
    size_t len = component == PQDTLS_GROUP_X25519 ? X25519_LENGTH : P256_POINT_LENGTH;
    if (component == PQDTLS_GROUP_X25519) {
        return EVP_PKEY_get_raw_public_key(key, out, &len) == 1 && len == X25519_LENGTH;
    }
    /* OpenSSL encodes EC points uncompressed unless told otherwise (RFC 8446 §4.2.8.2 wants that). */
    return EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, len, &len) == 1
           && len == P256_POINT_LENGTH && out[0] == 0x04;
}

/* The peer's ECDH public value as a key; NULL if it is not a valid point. */
static EVP_PKEY *ecdh_peer(int32_t component, const uint8_t *peer) {
    if (component == PQDTLS_GROUP_X25519) {
        return EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer, X25519_LENGTH);
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)peer, P256_POINT_LENGTH);
    params[2] = OSSL_PARAM_construct_end();
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/*
 * ECDH of our key with the peer's value into 32 bytes. The peer key is validated when set (on the
 * curve, not the identity); X25519's all-zero result is refused by libcrypto and checked again here
 * (RFC 8446 §7.4.2). PQDTLS_ERR_PEER for anything the peer's value caused.
 */
static int32_t ecdh_derive(EVP_PKEY *ours, int32_t component, const uint8_t *peer, uint8_t *secret) {
    EVP_PKEY *theirs = ecdh_peer(component, peer);
    if (theirs == NULL) {
        return PQDTLS_ERR_PEER;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL);
    int32_t rc = PQDTLS_ERR_CRYPTO;
    size_t len = ECDH_SECRET_LENGTH;
    if (ctx != NULL && EVP_PKEY_derive_init(ctx) == 1) {
        rc = PQDTLS_ERR_PEER;
        if (EVP_PKEY_derive_set_peer_ex(ctx, theirs, 1) == 1 && EVP_PKEY_derive(ctx, secret, &len) == 1
            && len == ECDH_SECRET_LENGTH) {
            uint8_t acc = 0;
            for (size_t i = 0; i < len; i++) {
                acc |= secret[i];
            }
            /* Only X25519 has the all-zero rule; a P-256 x-coordinate of zero is a valid secret. */
            rc = component == PQDTLS_GROUP_X25519 && acc == 0 ? PQDTLS_ERR_PEER : PQDTLS_OK;
        }
    }
    if (rc != PQDTLS_OK) {
        OPENSSL_cleanse(secret, ECDH_SECRET_LENGTH);
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(theirs);
    return rc;
}

/* ML-KEM-768 encapsulation to the client's key: ciphertext and shared secret. */
static int32_t mlkem_encapsulate(const uint8_t *ek, uint8_t *ct, uint8_t *secret) {
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key_ex(NULL, MLKEM768, NULL, ek, MLKEM_EK_LENGTH);
    if (key == NULL) {
        return PQDTLS_ERR_PEER;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    size_t ct_len = MLKEM_CT_LENGTH, ss_len = MLKEM_SECRET_LENGTH;
    int ok = ctx != NULL && EVP_PKEY_encapsulate_init(ctx, NULL) == 1
             && EVP_PKEY_encapsulate(ctx, ct, &ct_len, secret, &ss_len) == 1 && ct_len == MLKEM_CT_LENGTH
             && ss_len == MLKEM_SECRET_LENGTH;
    if (!ok) {
        OPENSSL_cleanse(secret, MLKEM_SECRET_LENGTH);
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok ? PQDTLS_OK : PQDTLS_ERR_CRYPTO;
}

/* ML-KEM-768 decapsulation; a well-sized ciphertext never fails (implicit rejection, FIPS 203 §6.3). */
static int32_t mlkem_decapsulate(EVP_PKEY *dk, const uint8_t *ct, uint8_t *secret) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dk, NULL);
    size_t ss_len = MLKEM_SECRET_LENGTH;
    int ok = ctx != NULL && EVP_PKEY_decapsulate_init(ctx, NULL) == 1
             && EVP_PKEY_decapsulate(ctx, secret, &ss_len, ct, MLKEM_CT_LENGTH) == 1 && ss_len == MLKEM_SECRET_LENGTH;
    if (!ok) {
        OPENSSL_cleanse(secret, MLKEM_SECRET_LENGTH);
    }
    EVP_PKEY_CTX_free(ctx);
    return ok ? PQDTLS_OK : PQDTLS_ERR_CRYPTO;
}

/* ---- groups --------------------------------------------------------------------------------- */

/*
 * How a group is made of components (draft-ietf-tls-ecdhe-mlkem §3: shares and secrets are
 * concatenated, ML-KEM first in X25519MLKEM768, secp256r1 first in SecP256r1MLKEM768).
 */
struct layout {
    int32_t ecdh;      /* PQDTLS_GROUP_X25519 / _SECP256R1, or 0 */
    int mlkem;         /* whether ML-KEM-768 is part of it */
    int mlkem_first;   /* ML-KEM's share and secret come first */
    uint32_t ecdh_len; /* the ECDH share length (client and server alike) */
};

static int layout_of(int32_t group, struct layout *l) {
    memset(l, 0, sizeof *l);
    switch (group) {
    case PQDTLS_GROUP_X25519:
        l->ecdh = group;
        l->ecdh_len = X25519_LENGTH;
        return 1;
    case PQDTLS_GROUP_SECP256R1:
        l->ecdh = group;
        l->ecdh_len = P256_POINT_LENGTH;
        return 1;
    case PQDTLS_GROUP_MLKEM768:
        l->mlkem = 1;
        return 1;
    case PQDTLS_GROUP_X25519_MLKEM768:
        l->ecdh = PQDTLS_GROUP_X25519;
        l->ecdh_len = X25519_LENGTH;
        l->mlkem = l->mlkem_first = 1;
        return 1;
    case PQDTLS_GROUP_SECP256R1_MLKEM768:
        l->ecdh = PQDTLS_GROUP_SECP256R1;
        l->ecdh_len = P256_POINT_LENGTH;
        l->mlkem = 1;
        return 1;
    default:
        return 0;
    }
}

static uint32_t client_share_length(const struct layout *l) {
    return l->ecdh_len + (l->mlkem ? MLKEM_EK_LENGTH : 0u);
}

static uint32_t server_share_length(const struct layout *l) {
    return l->ecdh_len + (l->mlkem ? MLKEM_CT_LENGTH : 0u);
}

static uint32_t secret_length(const struct layout *l) {
    return (l->ecdh ? ECDH_SECRET_LENGTH : 0u) + (l->mlkem ? MLKEM_SECRET_LENGTH : 0u);
}

/* Whether this libcrypto has ML-KEM-768 (3.5+), probed once. */
static int has_mlkem(void) {
    static int probed = -1;
    if (probed < 0) {
        EVP_KEYMGMT *km = EVP_KEYMGMT_fetch(NULL, MLKEM768, NULL);
        EVP_KEYMGMT_free(km);
        ERR_clear_error();
        probed = km != NULL;
    }
    return probed;
}

PQDTLS_API int32_t pqdtls_kex_supported(int32_t group) {
    struct layout l;
    return layout_of(group, &l) && (!l.mlkem || has_mlkem());
}

struct pqdtls_kex {
    int32_t group;
    EVP_PKEY *ecdh;
    EVP_PKEY *mlkem;
};

PQDTLS_API void pqdtls_kex_free(pqdtls_kex *k) {
    if (k != NULL) {
        /* EVP_PKEY_free cleanses the private keys. */
        EVP_PKEY_free(k->ecdh);
        EVP_PKEY_free(k->mlkem);
        free(k);
    }
}

PQDTLS_API int32_t pqdtls_kex_generate(int32_t group, pqdtls_kex **out, uint8_t *share, uint32_t share_len) {
    struct layout l;
    if (!layout_of(group, &l) || (l.mlkem && !has_mlkem())) {
        return PQDTLS_ERR_UNSUPPORTED;
    }
    if (out == NULL || share == NULL || share_len != client_share_length(&l)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    *out = NULL;
    pqdtls_kex *k = calloc(1, sizeof *k);
    if (k == NULL) {
        return PQDTLS_ERR_NOMEM;
    }
    k->group = group;
    uint8_t *ecdh_share = l.mlkem_first ? share + MLKEM_EK_LENGTH : share;
    uint8_t *mlkem_share = l.mlkem_first ? share : share + l.ecdh_len;
    size_t ek_len = MLKEM_EK_LENGTH;
    int ok = (!l.ecdh || ((k->ecdh = generate(l.ecdh)) != NULL && ecdh_public(k->ecdh, l.ecdh, ecdh_share)))
             && (!l.mlkem
                 || ((k->mlkem = generate(PQDTLS_GROUP_MLKEM768)) != NULL
                     && EVP_PKEY_get_octet_string_param(k->mlkem, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, mlkem_share,
                                                        ek_len, &ek_len) == 1
                     && ek_len == MLKEM_EK_LENGTH));
    if (!ok) {
        pqdtls_kex_free(k);
        return fail(PQDTLS_ERR_CRYPTO);
    }
    *out = k;
    ERR_clear_error();
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_kex_finish(pqdtls_kex *k, const uint8_t *server_share, uint32_t server_share_len,
                                     uint8_t *secret, uint32_t secret_len) {
    struct layout l;
    if (k == NULL || !layout_of(k->group, &l) || server_share == NULL || secret == NULL
        || server_share_len != server_share_length(&l) || secret_len != secret_length(&l)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    const uint8_t *ecdh_share = l.mlkem_first ? server_share + MLKEM_CT_LENGTH : server_share;
    const uint8_t *ct = l.mlkem_first ? server_share : server_share + l.ecdh_len;
    uint8_t *ecdh_secret = l.mlkem_first ? secret + MLKEM_SECRET_LENGTH : secret;
    uint8_t *mlkem_secret = l.mlkem_first ? secret : secret + (l.ecdh ? ECDH_SECRET_LENGTH : 0);
    int32_t rc = l.ecdh ? ecdh_derive(k->ecdh, l.ecdh, ecdh_share, ecdh_secret) : PQDTLS_OK;
    if (rc == PQDTLS_OK && l.mlkem) {
        rc = mlkem_decapsulate(k->mlkem, ct, mlkem_secret);
    }
    if (rc != PQDTLS_OK) {
        OPENSSL_cleanse(secret, secret_len);
        return fail(rc);
    }
    ERR_clear_error();
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_kex_respond(int32_t group, const uint8_t *client_share, uint32_t client_share_len,
                                      uint8_t *share, uint32_t share_len, uint8_t *secret, uint32_t secret_len) {
    struct layout l;
    if (!layout_of(group, &l) || (l.mlkem && !has_mlkem())) {
        return PQDTLS_ERR_UNSUPPORTED;
    }
    if (client_share == NULL || share == NULL || secret == NULL || client_share_len != client_share_length(&l)
        || share_len != server_share_length(&l) || secret_len != secret_length(&l)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    const uint8_t *peer_ecdh = l.mlkem_first ? client_share + MLKEM_EK_LENGTH : client_share;
    const uint8_t *ek = l.mlkem_first ? client_share : client_share + l.ecdh_len;
    uint8_t *ecdh_share = l.mlkem_first ? share + MLKEM_CT_LENGTH : share;
    uint8_t *ct = l.mlkem_first ? share : share + l.ecdh_len;
    uint8_t *ecdh_secret = l.mlkem_first ? secret + MLKEM_SECRET_LENGTH : secret;
    uint8_t *mlkem_secret = l.mlkem_first ? secret : secret + (l.ecdh ? ECDH_SECRET_LENGTH : 0);
    int32_t rc = PQDTLS_OK;
    if (l.ecdh) {
        EVP_PKEY *ours = generate(l.ecdh);
        rc = ours == NULL || !ecdh_public(ours, l.ecdh, ecdh_share) ? PQDTLS_ERR_CRYPTO
                                                                    : ecdh_derive(ours, l.ecdh, peer_ecdh, ecdh_secret);
        EVP_PKEY_free(ours);
    }
    if (rc == PQDTLS_OK && l.mlkem) {
        rc = mlkem_encapsulate(ek, ct, mlkem_secret);
    }
    if (rc != PQDTLS_OK) {
        OPENSSL_cleanse(secret, secret_len);
        return fail(rc);
    }
    ERR_clear_error();
    return PQDTLS_OK;
}

PQDTLS_API int32_t pqdtls_ecdh(int32_t group, const uint8_t *private_key, uint32_t private_len, const uint8_t *peer,
                               uint32_t peer_len, uint8_t *secret, uint32_t secret_len) {
    struct layout l;
    if (!layout_of(group, &l) || l.mlkem) {
        return PQDTLS_ERR_UNSUPPORTED;
    }
    if (private_key == NULL || peer == NULL || secret == NULL || private_len != 32 || peer_len != l.ecdh_len
        || secret_len != ECDH_SECRET_LENGTH) {
        return PQDTLS_ERR_ARGUMENT;
    }
    EVP_PKEY *ours = NULL;
    if (group == PQDTLS_GROUP_X25519) {
        ours = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, private_key, private_len);
    } else {
        /* A big-endian scalar; the caller checked it lies in [1, n-1]. */
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        BIGNUM *d = BN_secure_new();
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        OSSL_PARAM *params = NULL;
        int ok = bld != NULL && d != NULL && ctx != NULL && BN_bin2bn(private_key, (int)private_len, d) != NULL
                 && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1
                 && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1
                 && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1
                 && EVP_PKEY_fromdata(ctx, &ours, EVP_PKEY_KEYPAIR, params) == 1;
        if (!ok) {
            EVP_PKEY_free(ours);
            ours = NULL;
        }
        OSSL_PARAM_free(params); /* the scalar came from secure memory, which frees cleansed */
        OSSL_PARAM_BLD_free(bld);
        BN_clear_free(d);
        EVP_PKEY_CTX_free(ctx);
    }
    if (ours == NULL) {
        return fail(PQDTLS_ERR_ARGUMENT);
    }
    int32_t rc = ecdh_derive(ours, group, peer, secret);
    EVP_PKEY_free(ours);
    return rc == PQDTLS_OK ? (ERR_clear_error(), PQDTLS_OK) : fail(rc);
}

/* ---- signatures ----------------------------------------------------------------------------- */

PQDTLS_API int32_t pqdtls_key_private_der(const uint8_t *der, uint32_t len, pqdtls_key **out) {
    if (der == NULL || out == NULL || len == 0 || len > INT32_MAX) {
        return PQDTLS_ERR_ARGUMENT;
    }
    const unsigned char *p = der;
    EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &p, (long)len);
    *out = (pqdtls_key *)key;
    return key != NULL ? (ERR_clear_error(), PQDTLS_OK) : fail(PQDTLS_ERR_ARGUMENT);
}

PQDTLS_API int32_t pqdtls_key_public_der(const uint8_t *der, uint32_t len, pqdtls_key **out) {
    if (der == NULL || out == NULL || len == 0 || len > INT32_MAX) {
        return PQDTLS_ERR_ARGUMENT;
    }
    const unsigned char *p = der;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)len);
    *out = (pqdtls_key *)key;
    return key != NULL ? (ERR_clear_error(), PQDTLS_OK) : fail(PQDTLS_ERR_ARGUMENT);
}

PQDTLS_API void pqdtls_key_free(pqdtls_key *key) {
    EVP_PKEY_free((EVP_PKEY *)key);
}

/* A public key from its parts, without the DER decoders (which dominate a handshake on OpenSSL 3.0). */
static EVP_PKEY *public_key(int32_t type, const uint8_t *a, uint32_t a_len, const uint8_t *b, uint32_t b_len) {
    if (type == PQDTLS_KEY_ED25519) {
        return a_len == 32 ? EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, a, a_len) : NULL;
    }
    if (type == PQDTLS_KEY_EC_P256) {
        return a_len == P256_POINT_LENGTH && a[0] == 0x04 ? ecdh_peer(PQDTLS_GROUP_SECP256R1, a) : NULL;
    }
    if (type != PQDTLS_KEY_RSA || a_len == 0 || b_len == 0 || a_len > 2048 || b_len > 2048) {
        return NULL;
    }
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *n = BN_bin2bn(a, (int)a_len, NULL);
    BIGNUM *e = BN_bin2bn(b, (int)b_len, NULL);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    if (bld == NULL || n == NULL || e == NULL || ctx == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL
        || EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* EVP_DigestSign/VerifyInit with the scheme's digest (prefetched) and, for rsa_pss_rsae_*, PSS padding. */
static int signature_init(EVP_MD_CTX *md, EVP_PKEY *key, int32_t scheme, int sign) {
    const EVP_MD *digest;
    int pss = 0;
    switch (scheme) {
    case PQDTLS_SCHEME_ED25519:
        digest = NULL; /* PureEdDSA hashes internally (RFC 8032) */
        break;
    case PQDTLS_SCHEME_ECDSA_SECP256R1_SHA256:
    case PQDTLS_SCHEME_RSA_PKCS1_SHA256:
        digest = pqdtls_md(PQDTLS_HASH_SHA256);
        break;
    case PQDTLS_SCHEME_RSA_PKCS1_SHA384:
        digest = pqdtls_md(PQDTLS_HASH_SHA384);
        break;
    case PQDTLS_SCHEME_RSA_PSS_RSAE_SHA256:
        digest = pqdtls_md(PQDTLS_HASH_SHA256);
        pss = 1;
        break;
    case PQDTLS_SCHEME_RSA_PSS_RSAE_SHA384:
        digest = pqdtls_md(PQDTLS_HASH_SHA384);
        pss = 1;
        break;
    default:
        return 0;
    }
    if (digest == NULL && scheme != PQDTLS_SCHEME_ED25519) {
        return 0;
    }
    EVP_PKEY_CTX *pctx = NULL;
    int ok = sign ? EVP_DigestSignInit(md, &pctx, digest, NULL, key) == 1
                  : EVP_DigestVerifyInit(md, &pctx, digest, NULL, key) == 1;
    /* RFC 8446 §4.2.3: MGF1 with the same hash, salt length equal to the digest length. */
    return ok && (!pss || (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
                           && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1
                           && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest) == 1));
}

PQDTLS_API int32_t pqdtls_sign(pqdtls_key *key, int32_t scheme, const uint8_t *msg, uint32_t msg_len, uint8_t *sig,
                               uint32_t sig_cap) {
    if (key == NULL || sig == NULL || (msg_len > 0 && msg == NULL)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t len = 0;
    int32_t rc = PQDTLS_ERR_CRYPTO;
    if (md != NULL && signature_init(md, (EVP_PKEY *)key, scheme, 1)
        && EVP_DigestSign(md, NULL, &len, msg, msg_len) == 1) {
        if (len > sig_cap) {
            rc = PQDTLS_ERR_ARGUMENT;
        } else if (EVP_DigestSign(md, sig, &len, msg, msg_len) == 1) {
            rc = (int32_t)len;
        }
    }
    EVP_MD_CTX_free(md);
    return rc >= 0 ? (ERR_clear_error(), rc) : fail(rc);
}

/* 1 valid, 0 not (any malformed or wrong signature), < 0 if the key is unusable. */
static int32_t verify(EVP_PKEY *key, int32_t scheme, const uint8_t *msg, uint32_t msg_len, const uint8_t *sig,
                      uint32_t sig_len) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int32_t rc = PQDTLS_ERR_CRYPTO;
    if (md != NULL && signature_init(md, key, scheme, 0)) {
        rc = EVP_DigestVerify(md, sig, sig_len, msg, msg_len) == 1;
    }
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return rc;
}

PQDTLS_API int32_t pqdtls_verify(pqdtls_key *key, int32_t scheme, const uint8_t *msg, uint32_t msg_len,
                                 const uint8_t *sig, uint32_t sig_len) {
    if (key == NULL || (msg_len > 0 && msg == NULL) || (sig_len > 0 && sig == NULL)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    return verify((EVP_PKEY *)key, scheme, msg, msg_len, sig, sig_len);
}

PQDTLS_API int32_t pqdtls_verify_raw(int32_t key_type, const uint8_t *a, uint32_t a_len, const uint8_t *b,
                                     uint32_t b_len, int32_t scheme, const uint8_t *msg, uint32_t msg_len,
                                     const uint8_t *sig, uint32_t sig_len) {
    if (a == NULL || (b_len > 0 && b == NULL) || (msg_len > 0 && msg == NULL) || (sig_len > 0 && sig == NULL)) {
        return PQDTLS_ERR_ARGUMENT;
    }
    EVP_PKEY *key = public_key(key_type, a, a_len, b, b_len);
    if (key == NULL) {
        return fail(PQDTLS_ERR_ARGUMENT);
    }
    int32_t rc = verify(key, scheme, msg, msg_len, sig, sig_len);
    EVP_PKEY_free(key);
    return rc;
}
