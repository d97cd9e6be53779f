/*
 * wolfssl_common.h: what the wolfSSL programs of the benchmarks (wolfssl_stream.c,
 * wolfssl_server.c, wolfssl_clients.c) share: the group names, one-line wolfSSL errors, and
 * switching off the key log of a wolfSSL built with --enable-keylog-export.
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

#endif
