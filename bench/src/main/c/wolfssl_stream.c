/*
 * wolfssl_stream: wolfSSL DTLS 1.3 streaming throughput, the wolfSSL row of the end-to-end
 * benchmark (bench/README.md, "C peers"). wolfSSL's example client -B is lock-step request/echo;
 * this measures what EndToEnd measures for pqdtls: one connection over loopback, the client writes
 * records unpaced, the server reads and counts what arrives inside the measured window. Loss is
 * allowed (DTLS application data is unreliable).
 *
 * One process, two threads (server, client), separate WOLFSSL_CTX each, DTLS 1.3 only, connected
 * UDP sockets on 127.0.0.1 with 4 MiB buffers. The server learns the client's address by peeking
 * at the first ClientHello (as wolfSSL's examples/server does), then connect()s. Handshakes run on
 * blocking sockets (wolfSSL times its own retransmissions there); afterwards the server switches to
 * non-blocking + poll, because wolfSSL's default receive callback rewrites SO_RCVTIMEO on every
 * call (to "forever" once the handshake is done), so a receive timeout alone could not stop it.
 *
 *   wolfssl_stream --certs <wolfssl build>/certs [--suite TLS13-AES128-GCM-SHA256]
 *                  [--group X25519MLKEM768|SECP256R1MLKEM768|MLKEM768|X25519|SECP256R1]
 *                  [--app-bytes 1178] [--seconds 3] [--warmup 1]
 *
 * stdout:
 *   negotiated version=<v> suite=<s> group=<g>
 *   library version=<wolfSSL version> aesni=0|1 app_bytes=<n> datagram_bytes=<n>
 *   result sent=N delivered=N window_datagrams=N window_bytes=N window_seconds=X syscalls=N gso=0 gro=0
 * (records = datagrams; window_bytes counts application bytes; syscalls = the client's sends;
 * datagram_bytes = the largest datagram the server received after the handshake.)
 * Errors: one line on stderr, exit code 2.
 *
 * Build: gcc -std=c11 -O2 -Wall -Wextra -pthread -I<prefix>/include wolfssl_stream.c
 *            -L<prefix>/lib -lwolfssl -Wl,-rpath,<prefix>/lib (bench_common.h and wolfssl_common.h
 *            next to it)
 */
#define _GNU_SOURCE
#define BENCH_PROG "wolfssl_stream"

/* options.h first: it carries the configure-time defines the other headers depend on. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfio.h>

#include "bench_common.h"
#include "wolfssl_common.h"

#include <fcntl.h>
#include <poll.h>

#define HANDSHAKE_WAIT_MS 5000

static const char END_MARKER[] = "pqdtls-wolfssl-stream-end";

/* ---- options ----------------------------------------------------------------------------- */

static struct {
    const char *suite;
    const char *group_name;
    int group;
    const char *certs;
    int app_bytes;
    double seconds;
    double warmup;
} opt = {"TLS13-AES128-GCM-SHA256", "X25519MLKEM768", WOLFSSL_X25519MLKEM768, NULL, 1178, 3.0, 1.0};

#define USAGE "usage: --certs DIR [--suite NAME] [--group NAME] [--app-bytes N] [--seconds S] [--warmup S]"

/* The options besides --seconds and --warmup (parse_options); 0 for an unknown one. */
static int option(const char *a, const char *v) {
    if (strcmp(a, "--suite") == 0) {
        opt.suite = v;
    } else if (strcmp(a, "--group") == 0) {
        opt.group = parse_group(v);
        opt.group_name = v;
    } else if (strcmp(a, "--certs") == 0) {
        opt.certs = v;
    } else if (strcmp(a, "--app-bytes") == 0) {
        opt.app_bytes = (int)parse_number(a, v, 1, 16384);
    } else {
        return 0;
    }
    return 1;
}

static void parse_args(int argc, char **argv) {
    parse_options(argc, argv, USAGE, &opt.seconds, &opt.warmup, option);
    if (opt.certs == NULL) {
        fail("--certs is required: wolfSSL's certs/ directory (" USAGE ")");
    }
}

/* ---- the two sides meet after their handshakes; the second to arrive starts the clock ----- */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int arrived;
    struct window win;
} meet = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {0, 0, 0}};

static void rendezvous(void) {
    pthread_mutex_lock(&meet.mu);
    if (++meet.arrived == 2) {
        meet.win = window_from(now_ns(), opt.warmup, opt.seconds);
        pthread_cond_broadcast(&meet.cv);
    }
    while (meet.arrived < 2) {
        pthread_cond_wait(&meet.cv, &meet.mu);
    }
    pthread_mutex_unlock(&meet.mu);
}

/* ---- server ------------------------------------------------------------------------------ */

static struct {
    WOLFSSL_CTX *ctx;
    int fd;
    int handshake_done;
    int max_datagram;
    struct tally tally; /* one record = one datagram; bytes are application bytes */
    char version[32], suite[64], group[64];
} srv = {.tally = TALLY_INIT};

/* wolfSSL's own receive callback, plus the size of each datagram after the handshake. */
static int server_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx) {
    int n = EmbedReceiveFrom(ssl, buf, sz, ctx);
    if (n > 0 && srv.handshake_done && n > srv.max_datagram) {
        srv.max_datagram = n;
    }
    return n;
}

static void copy_name(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src != NULL ? src : "unknown");
    for (char *p = dst; *p; p++) {
        if (*p == ' ') {
            *p = '_';
        }
    }
}

static void *server(void *arg) {
    (void)arg;
    /* Peek at the first datagram for the client's address, then connect() to it. */
    struct pollfd p = {.fd = srv.fd, .events = POLLIN};
    int r = poll(&p, 1, HANDSHAKE_WAIT_MS);
    if (r <= 0) {
        fail("server: no ClientHello within %d ms (%s)", HANDSHAKE_WAIT_MS, r == 0 ? "timeout" : strerror(errno));
    }
    struct sockaddr_in peer;
    socklen_t peer_len = sizeof peer;
    char b[1];
    if (recvfrom(srv.fd, b, sizeof b, MSG_PEEK, (struct sockaddr *)&peer, &peer_len) < 0) {
        fail("server: recvfrom(MSG_PEEK): %s", strerror(errno));
    }
    if (connect(srv.fd, (struct sockaddr *)&peer, peer_len) != 0) {
        fail("server: connect: %s", strerror(errno));
    }
    WOLFSSL *ssl = wolfSSL_new(srv.ctx);
    if (ssl == NULL) {
        fail("server: wolfSSL_new failed");
    }
    no_keylog(ssl);
    if (wolfSSL_set_dtls_fd_connected(ssl, srv.fd) != WOLFSSL_SUCCESS ||
        wolfSSL_dtls_set_peer(ssl, &peer, peer_len) != WOLFSSL_SUCCESS) { /* the peer feeds the HRR cookie */
        fail("server: setting the socket/peer on wolfSSL failed");
    }
    if (wolfSSL_set_groups(ssl, &opt.group, 1) != WOLFSSL_SUCCESS) {
        fail("server: wolfSSL_set_groups(%s) failed (not compiled in?)", opt.group_name);
    }
    wolfSSL_SSLSetIORecv(ssl, server_recv);
    int ret = wolfSSL_accept(ssl);
    if (ret != WOLFSSL_SUCCESS) {
        fail_ssl("server: wolfSSL_accept", ssl, ret);
    }
    srv.handshake_done = 1;
    copy_name(srv.version, sizeof srv.version, wolfSSL_get_version(ssl));
    copy_name(srv.suite, sizeof srv.suite, wolfSSL_get_cipher_name(ssl));
    copy_name(srv.group, sizeof srv.group, wolfSSL_get_curve_name(ssl));

    int flags = fcntl(srv.fd, F_GETFL);
    if (flags < 0 || fcntl(srv.fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        fail("server: fcntl(O_NONBLOCK): %s", strerror(errno));
    }
    wolfSSL_dtls_set_using_nonblock(ssl, 1);
    rendezvous();

    char *buf = malloc(16384 + 1);
    if (buf == NULL) {
        fail("out of memory");
    }
    for (;;) {
        int n = wolfSSL_read(ssl, buf, 16384);
        int64_t now = now_ns();
        if (n > 0) {
            if ((size_t)n == sizeof END_MARKER - 1 && memcmp(buf, END_MARKER, (size_t)n) == 0) {
                break;
            }
            tally_add(&srv.tally, &meet.win, 1, (uint64_t)n, now);
            if (now >= meet.win.drain_end) {
                break;
            }
            continue;
        }
        int err = wolfSSL_get_error(ssl, n);
        if (err == WOLFSSL_ERROR_ZERO_RETURN) {
            break; /* close_notify */
        }
        if (err != WOLFSSL_ERROR_WANT_READ) {
            fail_ssl("server: wolfSSL_read", ssl, n);
        }
        if (now >= meet.win.drain_end) {
            break;
        }
        r = poll(&p, 1, POLL_MS);
        if (r < 0 && errno != EINTR) {
            fail("server: poll: %s", strerror(errno));
        }
        if (r == 0 && now_ns() > meet.win.end) {
            break; /* the client has stopped and nothing came for one poll (its end marker was lost) */
        }
    }
    free(buf);
    wolfSSL_free(ssl);
    return NULL;
}

/* ---- client ------------------------------------------------------------------------------ */

static struct {
    WOLFSSL_CTX *ctx;
    int fd;
    struct sockaddr_in server_addr;
    uint64_t sent;
    uint64_t sends;
    int predicted_datagram;
} cli;

static int client_send(WOLFSSL *ssl, char *buf, int sz, void *ctx) {
    cli.sends++;
    return EmbedSendTo(ssl, buf, sz, ctx);
}

static void *client(void *arg) {
    (void)arg;
    WOLFSSL *ssl = wolfSSL_new(cli.ctx);
    if (ssl == NULL) {
        fail("client: wolfSSL_new failed");
    }
    no_keylog(ssl);
    if (wolfSSL_set_dtls_fd_connected(ssl, cli.fd) != WOLFSSL_SUCCESS ||
        wolfSSL_dtls_set_peer(ssl, &cli.server_addr, sizeof cli.server_addr) != WOLFSSL_SUCCESS) {
        fail("client: setting the socket/peer on wolfSSL failed");
    }
    if (wolfSSL_set_groups(ssl, &opt.group, 1) != WOLFSSL_SUCCESS) {
        fail("client: wolfSSL_set_groups(%s) failed (not compiled in?)", opt.group_name);
    }
    if (wolfSSL_UseKeyShare(ssl, (word16)opt.group) != WOLFSSL_SUCCESS) {
        fail("client: wolfSSL_UseKeyShare(%s) failed", opt.group_name);
    }
    wolfSSL_SSLSetIOSend(ssl, client_send);
    int ret = wolfSSL_connect(ssl);
    if (ret != WOLFSSL_SUCCESS) {
        fail_ssl("client: wolfSSL_connect", ssl, ret);
    }
    cli.predicted_datagram = wolfSSL_GetOutputSize(ssl, opt.app_bytes);
    unsigned char *payload = malloc((size_t)opt.app_bytes);
    if (payload == NULL) {
        fail("out of memory");
    }
    for (int i = 0; i < opt.app_bytes; i++) {
        payload[i] = (unsigned char)i;
    }
    rendezvous();
    cli.sends = 0; /* count the data phase only */

    while (now_ns() < meet.win.end) {
        int n = wolfSSL_write(ssl, payload, opt.app_bytes);
        if (n == opt.app_bytes) {
            cli.sent++;
            continue;
        }
        int err = wolfSSL_get_error(ssl, n);
        if (err != WOLFSSL_ERROR_WANT_WRITE) {
            fail_ssl("client: wolfSSL_write", ssl, n);
        }
        struct pollfd p = {.fd = cli.fd, .events = POLLOUT};
        (void)poll(&p, 1, POLL_MS);
    }
    /* A few copies: any of them may be dropped; the server also stops on its own when idle. */
    for (int i = 0; i < 3; i++) {
        (void)wolfSSL_write(ssl, END_MARKER, (int)(sizeof END_MARKER - 1));
    }
    free(payload);
    wolfSSL_free(ssl);
    return NULL;
}

/* ---- main -------------------------------------------------------------------------------- */

static WOLFSSL_CTX *new_ctx(WOLFSSL_METHOD *method, const char *who) {
    WOLFSSL_CTX *ctx = new_dtls13_ctx(method, who);
    if (wolfSSL_CTX_set_cipher_list(ctx, opt.suite) != WOLFSSL_SUCCESS) {
        fail("%s: unknown or disabled cipher suite %s", who, opt.suite);
    }
    return ctx;
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
        fail("wolfSSL_Init failed");
    }
    char cert[4096], key[4096];
    snprintf(cert, sizeof cert, "%s/server-ecc.pem", opt.certs);
    snprintf(key, sizeof key, "%s/ecc-key.pem", opt.certs);
    if (access(cert, R_OK) != 0 || access(key, R_OK) != 0) {
        fail("cannot read %s and %s (--certs must be wolfSSL's certs/ directory)", cert, key);
    }

    srv.ctx = new_ctx(wolfDTLSv1_3_server_method(), "server");
    if (wolfSSL_CTX_use_certificate_file(srv.ctx, cert, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
        wolfSSL_CTX_use_PrivateKey_file(srv.ctx, key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
        fail("server: loading %s / %s failed", cert, key);
    }
    /* No NewSessionTicket: the client never reads after its handshake, so nothing would ACK it. */
    (void)wolfSSL_CTX_no_ticket_TLSv13(srv.ctx);
    cli.ctx = new_ctx(wolfDTLSv1_3_client_method(), "client");
    wolfSSL_CTX_set_verify(cli.ctx, WOLFSSL_VERIFY_NONE, NULL); /* throughput only; like insecureTrustAll() */

    struct sockaddr_in client_addr;
    srv.fd = open_socket(&cli.server_addr, 0); /* blocking: see the top of the file */
    cli.fd = open_socket(&client_addr, 0);
    if (connect(cli.fd, (struct sockaddr *)&cli.server_addr, sizeof cli.server_addr) != 0) {
        fail("client: connect: %s", strerror(errno));
    }

    watchdog_arm((unsigned)(opt.warmup + opt.seconds) + 1 + HANDSHAKE_WAIT_MS / 1000 + 6);

    pthread_t st = start_thread(server);
    pthread_t ct = start_thread(client);
    pthread_join(ct, NULL);
    pthread_join(st, NULL);
    alarm(0);

#ifdef WOLFSSL_AESNI
    int aesni = 1;
#else
    int aesni = 0;
#endif
    printf("negotiated version=%s suite=%s group=%s\n", srv.version, srv.suite, srv.group);
    printf("library version=%s aesni=%d app_bytes=%d datagram_bytes=%d\n", wolfSSL_lib_version(), aesni,
           opt.app_bytes, srv.max_datagram > 0 ? srv.max_datagram : cli.predicted_datagram);
    print_result(&srv.tally, cli.sent, cli.sends, 0, 0);
    wolfSSL_CTX_free(cli.ctx);
    wolfSSL_CTX_free(srv.ctx);
    wolfSSL_Cleanup();
    close(cli.fd);
    close(srv.fd);
    return 0;
}
