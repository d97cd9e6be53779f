/*
 * wolfssl_common.h: what the wolfSSL programs of the benchmarks (wolfssl_stream.c,
 * wolfssl_server.c, wolfssl_clients.c) share: the group names, one-line wolfSSL errors,
 * switching off the key log of a wolfSSL built with --enable-keylog-export, and the external PSK
 * (--psk IDENTITY:HEXKEY) of the handshake benchmark's psk kind.
 *
 * Include after bench_common.h (it uses fail()) and after <wolfssl/options.h> and <wolfssl/ssl.h>.
 * CPrograms writes it next to every program's source, like bench_common.h.
 */
#ifndef PQDTLS_WOLFSSL_COMMON_H
#define PQDTLS_WOLFSSL_COMMON_H

#ifndef PQDTLS_BENCH_COMMON_H
#error "include bench_common.h before wolfssl_common.h"
#endif

static const struct {
    const char *name;
    int id;
} GROUPS[] = {
    {"X25519MLKEM768", WOLFSSL_X25519MLKEM768},
    {"SECP256R1MLKEM768", WOLFSSL_SECP256R1MLKEM768},
    {"MLKEM768", WOLFSSL_ML_KEM_768},
    {"X25519", WOLFSSL_ECC_X25519},
    {"SECP256R1", WOLFSSL_ECC_SECP256R1},
};

#define GROUP_NAMES "X25519MLKEM768, SECP256R1MLKEM768, MLKEM768, X25519, SECP256R1"

/* The wolfSSL id of a group name, else fail(). */
static inline int parse_group(const char *v) {
    for (size_t g = 0; g < sizeof GROUPS / sizeof GROUPS[0]; g++) {
        if (strcmp(v, GROUPS[g].name) == 0) {
            return GROUPS[g].id;
        }
    }
    fail("unknown --group %s (" GROUP_NAMES ")", v);
    return -1;
}

/* The wolfSSL error of the last call on `ssl` as text. */
static inline const char *ssl_error_text(WOLFSSL *ssl, int ret, char *buf, size_t cap) {
    int err = wolfSSL_get_error(ssl, ret);
    char text[WOLFSSL_MAX_ERROR_SZ];
    wolfSSL_ERR_error_string_n((unsigned long)err, text, sizeof text);
    snprintf(buf, cap, "error %d (%s)", err, text);
    return buf;
}

static inline void fail_ssl(const char *what, WOLFSSL *ssl, int ret) {
    char buf[WOLFSSL_MAX_ERROR_SZ + 32];
    fail("%s failed: %s, errno %s", what, ssl_error_text(ssl, ret, buf, sizeof buf), strerror(errno));
}

/*
 * A wolfSSL built with --enable-keylog-export (ci/build-wolfssl.sh does, for decoding interop
 * captures) appends every session's secrets to ./sslkeylog.log; a benchmark needs no capture.
 */
static inline void no_keylog(WOLFSSL *ssl) {
#ifdef HAVE_SECRET_CALLBACK
    (void)wolfSSL_set_tls13_secret_cb(ssl, NULL, NULL);
#else
    (void)ssl;
#endif
}

/* A DTLS 1.3 context for `method`, else fail() naming `who`. */
static inline WOLFSSL_CTX *new_dtls13_ctx(WOLFSSL_METHOD *method, const char *who) {
    WOLFSSL_CTX *ctx = method != NULL ? wolfSSL_CTX_new(method) : NULL;
    if (ctx == NULL) {
        fail("%s: wolfSSL_CTX_new(DTLS 1.3) failed (wolfSSL built without --enable-dtls13?)", who);
    }
    return ctx;
}

/* ---- the external PSK (--psk IDENTITY:HEXKEY) ------------------------------------------------ */

#define PSK_IDENTITY_MAX 128
#define PSK_KEY_MAX 64
/* A SHA-256 PSK: the suite both sides use with it (RFC 8446 §4.2.11: the PSK's hash fixes the suite's). */
#define PSK_SUITE "TLS13-AES128-GCM-SHA256"

static struct {
    char identity[PSK_IDENTITY_MAX + 1];
    unsigned char key[PSK_KEY_MAX];
    unsigned key_len; /* 0: no --psk given */
} psk;

static inline int hex_digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* --psk IDENTITY:HEXKEY (identity 1..128 bytes without ':', key 16..64 bytes), else fail(). */
static inline void parse_psk(const char *v) {
    const char *colon = strchr(v, ':');
    size_t id_len = colon != NULL ? (size_t)(colon - v) : 0;
    size_t hex_len = colon != NULL ? strlen(colon + 1) : 0;
    if (id_len == 0 || id_len > PSK_IDENTITY_MAX || hex_len % 2 != 0 || hex_len < 32 || hex_len > 2 * PSK_KEY_MAX) {
        fail("--psk must be IDENTITY:HEXKEY (identity 1..%d bytes, key 16..%d bytes in hex), got '%s'",
             PSK_IDENTITY_MAX, PSK_KEY_MAX, v);
    }
    for (size_t i = 0; i < hex_len / 2; i++) {
        int hi = hex_digit(colon[1 + 2 * i]), lo = hex_digit(colon[2 + 2 * i]);
        if (hi < 0 || lo < 0) {
            fail("--psk: the key is not hex: '%s'", colon + 1);
        }
        psk.key[i] = (unsigned char)(hi << 4 | lo);
    }
    memcpy(psk.identity, v, id_len);
    psk.identity[id_len] = '\0';
    psk.key_len = (unsigned)(hex_len / 2);
}

/* The key into wolfSSL's buffer (its size `cap`), the suite named; returns the key's length, 0 when it does not fit. */
static inline unsigned psk_copy_key(unsigned char *key, unsigned cap, const char **suite) {
    if (psk.key_len > cap) {
        return 0;
    }
    memcpy(key, psk.key, psk.key_len);
    *suite = PSK_SUITE;
    return psk.key_len;
}

#endif
