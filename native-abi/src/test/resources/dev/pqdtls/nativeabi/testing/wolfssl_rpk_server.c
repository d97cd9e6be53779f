/*
 * wolfssl_rpk_server: a wolfSSL DTLS 1.3 server that authenticates with a raw public key (RFC 7250),
 * for the interop test of pqdtls's client with pinned raw keys (WolfSslInteropSuite). wolfSSL's
 * example server has no option for it. One connection: the handshake, one message echoed, close.
 *
 *   wolfssl_rpk_server PORT RPK_DER KEY_DER
 *
 * Prints "listening", then "server certificate type: RPK" once the handshake negotiated it, and
 * "echoed: <text>". Errors: one line on stderr, exit code 1.
 *
 * Build: gcc -std=c11 -O2 -Wall -I<build> wolfssl_rpk_server.c -L<build>/src/.libs -lwolfssl
 */
#define _GNU_SOURCE
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what) {
    fprintf(stderr, "wolfssl_rpk_server: %s\n", what);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        return fail("usage: wolfssl_rpk_server PORT RPK_DER KEY_DER");
    }
    wolfSSL_Init();
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfDTLSv1_3_server_method());
    char types[] = {WOLFSSL_CERT_TYPE_RPK};
    if (ctx == NULL || wolfSSL_CTX_set_server_cert_type(ctx, types, 1) != WOLFSSL_SUCCESS
        || wolfSSL_CTX_use_certificate_file(ctx, argv[2], WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS
        || wolfSSL_CTX_use_PrivateKey_file(ctx, argv[3], WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
        return fail("cannot set up the raw public key");
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        return fail("cannot bind");
    }
    printf("listening\n");
    fflush(stdout);
    /* The first datagram names the client: connect to it so wolfSSL reads and writes only it. */
    struct sockaddr_in peer;
    socklen_t peer_len = sizeof peer;
    char probe[1];
    if (recvfrom(fd, probe, sizeof probe, MSG_PEEK, (struct sockaddr *)&peer, &peer_len) < 0
        || connect(fd, (struct sockaddr *)&peer, peer_len) != 0) {
        return fail("no client");
    }
    WOLFSSL *ssl = wolfSSL_new(ctx);
    if (ssl == NULL || wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS) {
        return fail("cannot make the session");
    }
    if (wolfSSL_accept(ssl) != WOLFSSL_SUCCESS) {
        char err[WOLFSSL_MAX_ERROR_SZ];
        fprintf(stderr, "wolfssl_rpk_server: handshake failed: %s\n",
                wolfSSL_ERR_error_string((unsigned long)wolfSSL_get_error(ssl, 0), err));
        return 1;
    }
    int type = -1;
    wolfSSL_get_negotiated_server_cert_type(ssl, &type);
    printf("server certificate type: %s\n", type == WOLFSSL_CERT_TYPE_RPK ? "RPK" : "X509");
    char buf[256];
    int n = wolfSSL_read(ssl, buf, sizeof buf - 1);
    if (n <= 0) {
        return fail("nothing to echo");
    }
    buf[n] = '\0';
    wolfSSL_write(ssl, buf, n);
    printf("echoed: %s\n", buf);
    fflush(stdout);
    wolfSSL_shutdown(ssl);
    wolfSSL_free(ssl);
    wolfSSL_CTX_free(ctx);
    close(fd);
    wolfSSL_Cleanup();
    return 0;
}
