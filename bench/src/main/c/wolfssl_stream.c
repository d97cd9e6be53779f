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
 *            -L<prefix>/lib -lwolfssl -Wl,-rpath,<prefix>/lib
 */
#define _GNU_SOURCE

/* options.h first: it carries the configure-time defines the other headers depend on. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfio.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SOCKET_BUFFER (4 << 20)
#define POLL_MS 50
#define HANDSHAKE_WAIT_MS 5000
#define NS 1000000000LL

static const char END_MARKER[] = "pqdtls-wolfssl-stream-end";

static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("wolfssl_stream: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stdout);
    _exit(2);
}

static void fail_ssl(const char *what, WOLFSSL *ssl, int ret) {
    int err = wolfSSL_get_error(ssl, ret);
    char buf[WOLFSSL_MAX_ERROR_SZ];
    wolfSSL_ERR_error_string_n((unsigned long)err, buf, sizeof buf);
    fail("%s failed: error %d (%s), errno %s", what, err, buf, strerror(errno));
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "wolfssl_stream: watchdog: the run did not finish in time\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(2);
}

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

static double parse_number(const char *name, const char *v, double lo, double hi) {
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !(d >= lo && d <= hi)) {
        fail("%s must be a number in [%g, %g], got '%s'", name, lo, hi, v);
    }
    return d;
}

#define USAGE "usage: --certs DIR [--suite NAME] [--group NAME] [--app-bytes N] [--seconds S] [--warmup S]"

static void parse_args(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            fail("option %s needs a value (" USAGE ")", a);
        }
        const char *v = argv[++i];
        if (strcmp(a, "--suite") == 0) {
            opt.suite = v;
        } else if (strcmp(a, "--group") == 0) {
            opt.group = -1;
            for (size_t g = 0; g < sizeof GROUPS / sizeof GROUPS[0]; g++) {
                if (strcmp(v, GROUPS[g].name) == 0) {
                    opt.group = GROUPS[g].id;
                    opt.group_name = GROUPS[g].name;
                }
            }
            if (opt.group < 0) {
                fail("unknown --group %s (X25519MLKEM768, SECP256R1MLKEM768, MLKEM768, X25519, SECP256R1)", v);
            }
        } else if (strcmp(a, "--certs") == 0) {
            opt.certs = v;
        } else if (strcmp(a, "--app-bytes") == 0) {
            opt.app_bytes = (int)parse_number(a, v, 1, 16384);
        } else if (strcmp(a, "--seconds") == 0) {
            opt.seconds = parse_number(a, v, 0.001, 3600);
        } else if (strcmp(a, "--warmup") == 0) {
            opt.warmup = parse_number(a, v, 0, 600);
        } else {
            fail("unknown option %s (" USAGE ")", a);
        }
    }
    if (opt.certs == NULL) {
        fail("--certs is required: wolfSSL's certs/ directory (" USAGE ")");
    }
}

/* ---- sockets ----------------------------------------------------------------------------- */

static void set_buffer(int fd, int force, int plain, int bytes) {
    if (setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof bytes) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof bytes);
    }
}

/* A blocking UDP socket bound to 127.0.0.1:0 with 4 MiB buffers; *bound gets its address. */
static int open_socket(struct sockaddr_in *bound) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
        fail("socket: %s", strerror(errno));
    }
    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, SOCKET_BUFFER);
    set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, SOCKET_BUFFER);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fail("bind 127.0.0.1:0: %s", strerror(errno));
    }
    socklen_t len = sizeof *bound;
    if (getsockname(fd, (struct sockaddr *)bound, &len) != 0) {
        fail("getsockname: %s", strerror(errno));
    }
    return fd;
}

/* ---- the two sides meet after their handshakes; the second to arrive starts the clock ----- */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int arrived;
    int64_t window_start, window_end, drain_end;
} meet = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0};

static void rendezvous(void) {
    pthread_mutex_lock(&meet.mu);
    if (++meet.arrived == 2) {
        int64_t start = now_ns();
        meet.window_start = start + (int64_t)(opt.warmup * NS);
        meet.window_end = meet.window_start + (int64_t)(opt.seconds * NS);
        meet.drain_end = meet.window_end + NS; /* drain at most 1 s after the window */
        pthread_cond_broadcast(&meet.cv);
    }
    while (meet.arrived < 2) {
        pthread_cond_wait(&meet.cv, &meet.mu);
    }
    pthread_mutex_unlock(&meet.mu);
}

/* ---- server ------------------------------------------------------------------------------ */

/*
 * A wolfSSL built with --enable-keylog-export (ci/build-wolfssl.sh does, for decoding interop
 * captures) appends every session's secrets to ./sslkeylog.log; a benchmark needs no capture.
 */
static void no_keylog(WOLFSSL *ssl) {
#ifdef HAVE_SECRET_CALLBACK
    (void)wolfSSL_set_tls13_secret_cb(ssl, NULL, NULL);
#else
    (void)ssl;
#endif
}

static struct {
    WOLFSSL_CTX *ctx;
    int fd;
    int handshake_done;
    int max_datagram;
    uint64_t delivered;
    uint64_t window_records;
    uint64_t window_bytes;
    int64_t first_ns, last_ns;
    char version[32], suite[64], group[64];
} srv = {.first_ns = -1, .last_ns = -1};

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
            srv.delivered++;
            if (now >= meet.window_start && now <= meet.window_end) {
                if (srv.first_ns < 0) {
                    srv.first_ns = now;
                }
                srv.last_ns = now;
                srv.window_records++;
                srv.window_bytes += (uint64_t)n;
            }
            if (now >= meet.drain_end) {
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
        if (now >= meet.drain_end) {
            break;
        }
        r = poll(&p, 1, POLL_MS);
        if (r < 0 && errno != EINTR) {
            fail("server: poll: %s", strerror(errno));
        }
        if (r == 0 && now_ns() > meet.window_end) {
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

    while (now_ns() < meet.window_end) {
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
    WOLFSSL_CTX *ctx = method != NULL ? wolfSSL_CTX_new(method) : NULL;
    if (ctx == NULL) {
        fail("%s: wolfSSL_CTX_new(DTLS 1.3) failed (wolfSSL built without --enable-dtls13?)", who);
    }
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
    srv.fd = open_socket(&cli.server_addr);
    cli.fd = open_socket(&client_addr);
    if (connect(cli.fd, (struct sockaddr *)&cli.server_addr, sizeof cli.server_addr) != 0) {
        fail("client: connect: %s", strerror(errno));
    }

    signal(SIGALRM, on_alarm);
    /* Below the Java runner's timeout (seconds + warm-up + 15 s), so a hang ends with a message. */
    alarm((unsigned)(opt.warmup + opt.seconds) + 1 + HANDSHAKE_WAIT_MS / 1000 + 6);

    pthread_t st, ct;
    int e;
    if ((e = pthread_create(&st, NULL, server, NULL)) != 0 || (e = pthread_create(&ct, NULL, client, NULL)) != 0) {
        fail("pthread_create: %s", strerror(e));
    }
    pthread_join(ct, NULL);
    pthread_join(st, NULL);
    alarm(0);

#ifdef WOLFSSL_AESNI
    int aesni = 1;
#else
    int aesni = 0;
#endif
    double window_seconds =
        srv.first_ns < 0 || srv.last_ns <= srv.first_ns ? 0 : (double)(srv.last_ns - srv.first_ns) / NS;
    printf("negotiated version=%s suite=%s group=%s\n", srv.version, srv.suite, srv.group);
    printf("library version=%s aesni=%d app_bytes=%d datagram_bytes=%d\n", wolfSSL_lib_version(), aesni,
           opt.app_bytes, srv.max_datagram > 0 ? srv.max_datagram : cli.predicted_datagram);
    printf("result sent=%llu delivered=%llu window_datagrams=%llu window_bytes=%llu window_seconds=%.6f "
           "syscalls=%llu gso=0 gro=0\n",
           (unsigned long long)cli.sent, (unsigned long long)srv.delivered, (unsigned long long)srv.window_records,
           (unsigned long long)srv.window_bytes, window_seconds, (unsigned long long)cli.sends);
    wolfSSL_CTX_free(cli.ctx);
    wolfSSL_CTX_free(srv.ctx);
    wolfSSL_Cleanup();
    close(cli.fd);
    close(srv.fd);
    return 0;
}
