/*
 * wolfssl_server: a wolfSSL DTLS 1.3 server for many clients at once, the wolfSSL reference of
 * the handshake benchmark (bench/README.md, "Handshakes"). wolfSSL's example server serves one
 * client at a time and re-creates its socket between clients, so each of its handshakes waits out a
 * 1 s retransmission; this one is built like wolfSSL's own single-socket example (wolfssl-examples
 * dtls/server-dtls-demux.c): per thread one UDP socket (SO_REUSEPORT on one port, as pqdtls' event
 * loops), recvmmsg, demultiplexing by source address in a hash table, datagrams handed to wolfSSL
 * with wolfSSL_inject (reading disabled), new sources answered by a stateless listener object
 * (wolfDTLS_accept_stateless: HelloRetryRequest with a cookie, no state until the cookie returns),
 * one cookie secret for every listener and thread, retransmission timers per handshake.
 * Application data is echoed; close_notify or 30 s of silence frees a connection. A session
 * ticket after each handshake (wolfSSL's default ticket key, one for all threads), as a pqdtls
 * server sends; with --psk the external PSK IDENTITY:HEXKEY (SHA-256) is accepted too.
 *
 *   wolfssl_server --cert PEM --key PEM [--port 0] [--threads 1] [--psk IDENTITY:HEXKEY]
 *
 * stdout: "listening port=<p> threads=<t> version=<wolfSSL version> groups=<a,b,...>" once every
 * thread is ready;
 * then for each "stats" line on stdin one line
 *   stats accepted=N psk_used=N retransmissions=N failures=N connections=N
 * (handshakes completed, of them those that took a ticket or the PSK, handshake flights re-sent on
 * a timer, handshakes that failed or timed out, connections now in the tables). End of stdin ends the program (exit 0). Errors: one line on
 * stderr, exit code 2.
 *
 * Build: gcc -std=c11 -O2 -Wall -Wextra -pthread -I<prefix>/include wolfssl_server.c
 *            -L<prefix>/lib -lwolfssl -Wl,-rpath,<prefix>/lib (bench_common.h and wolfssl_common.h
 *            next to it)
 */
#define _GNU_SOURCE
#define BENCH_PROG "wolfssl_server"

/* options.h first: it carries the configure-time defines the other headers depend on. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfio.h>

#include "bench_common.h"
#include "wolfssl_common.h"

#include <poll.h>
#include <stdatomic.h>
#include <sys/random.h>

#define MAX_THREADS 64
#define BATCH 32
#define DATAGRAM_MAX 2048
#define BUCKETS (1 << 16)
#define SCAN_EVERY_NS (10 * 1000 * 1000LL)
#define IDLE_NS (30 * NS)
#define HANDSHAKE_MAX_NS (20 * NS)

static struct {
    const char *cert;
    const char *key;
    int port;
    int threads;
} opt = {NULL, NULL, 0, 1};

#define USAGE "usage: --cert PEM --key PEM [--port 0] [--threads 1] [--psk IDENTITY:HEXKEY]"

static int option(const char *a, const char *v) {
    if (strcmp(a, "--cert") == 0) {
        opt.cert = v;
    } else if (strcmp(a, "--key") == 0) {
        opt.key = v;
    } else if (strcmp(a, "--port") == 0) {
        opt.port = (int)parse_number(a, v, 0, 65535);
    } else if (strcmp(a, "--threads") == 0) {
        opt.threads = (int)parse_number(a, v, 1, MAX_THREADS);
    } else if (strcmp(a, "--psk") == 0) {
        parse_psk(v);
    } else {
        return 0;
    }
    return 1;
}

/* ---- shared by the threads ---------------------------------------------------------------- */

static WOLFSSL_CTX *ctx;
static unsigned char cookie_secret[32];
static atomic_ullong accepted, psk_used, retransmissions, failures;
static atomic_llong connections;
static __thread WOLFSSL *psk_named_on; /* the object whose ClientHello named our PSK, in this datagram */

/* ---- one thread: a socket, a listener, its connections ------------------------------------ */

struct conn {
    struct conn *hnext;       /* hash chain */
    struct conn *prev, *next; /* every connection of the worker, for the timer scan */
    WOLFSSL *ssl;
    struct sockaddr_in peer;
    int64_t started;
    int64_t deadline; /* next retransmission (handshake) or the idle limit (established) */
    int established;
    int external_psk; /* the ClientHello named our PSK (the handshake completes only if its binder verified) */
};

struct worker {
    int fd;
    WOLFSSL *listener;
    struct conn *buckets[BUCKETS];
    struct conn *all;
    unsigned char buf[BATCH][DATAGRAM_MAX];
    unsigned char app[DATAGRAM_MAX];
};

static struct worker *workers[MAX_THREADS];

static unsigned bucket(const struct sockaddr_in *a) {
    uint32_t h = a->sin_addr.s_addr * 2654435761u ^ (uint32_t)a->sin_port * 40503u;
    return (h ^ h >> 16) & (BUCKETS - 1);
}

static struct conn *lookup(struct worker *w, const struct sockaddr_in *peer) {
    for (struct conn *c = w->buckets[bucket(peer)]; c != NULL; c = c->hnext) {
        if (c->peer.sin_addr.s_addr == peer->sin_addr.s_addr && c->peer.sin_port == peer->sin_port) {
            return c;
        }
    }
    return NULL;
}

/* A fresh stateless listener: answers new sources with a cookie HRR, shares the cookie secret. */
static WOLFSSL *new_listener(struct worker *w) {
    WOLFSSL *ssl = wolfSSL_new(ctx);
    if (ssl == NULL) {
        fail("wolfSSL_new failed");
    }
    no_keylog(ssl);
    if (wolfSSL_send_hrr_cookie(ssl, cookie_secret, sizeof cookie_secret) != WOLFSSL_SUCCESS) {
        fail("wolfSSL_send_hrr_cookie failed");
    }
    if (wolfSSL_set_write_fd(ssl, w->fd) != WOLFSSL_SUCCESS) {
        fail("wolfSSL_set_write_fd failed");
    }
    wolfSSL_dtls_set_using_nonblock(ssl, 1);
    wolfSSL_SSLDisableRead(ssl); /* datagrams arrive by wolfSSL_inject only */
    return ssl;
}

static struct conn *add_conn(struct worker *w, WOLFSSL *ssl, const struct sockaddr_in *peer, int64_t now) {
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        fail("out of memory");
    }
    c->ssl = ssl;
    c->peer = *peer;
    c->started = now;
    unsigned b = bucket(peer);
    c->hnext = w->buckets[b];
    w->buckets[b] = c;
    c->next = w->all;
    if (w->all != NULL) {
        w->all->prev = c;
    }
    w->all = c;
    atomic_fetch_add(&connections, 1);
    return c;
}

static void free_conn(struct worker *w, struct conn *c) {
    struct conn **p = &w->buckets[bucket(&c->peer)];
    while (*p != c) {
        p = &(*p)->hnext;
    }
    *p = c->hnext;
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        w->all = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    wolfSSL_free(c->ssl);
    free(c);
    atomic_fetch_sub(&connections, 1);
}

/* wolfSSL's current retransmission timeout (DTLS 1.3 uses a quarter of it while a flight is partly acknowledged). */
static int64_t retransmit_ns(WOLFSSL *ssl) {
    int64_t t = (int64_t)wolfSSL_dtls_get_current_timeout(ssl) * NS;
    return wolfSSL_dtls13_use_quick_timeout(ssl) ? t / 4 : t;
}

/* Runs the handshake or reads (and echoes) after it; frees the connection when it ends. */
static void advance(struct worker *w, struct conn *c, int64_t now) {
    if (!c->established) {
        psk_named_on = NULL;
        int r = wolfSSL_accept(c->ssl);
        c->external_psk |= psk_named_on == c->ssl;
        if (r != WOLFSSL_SUCCESS) {
            int err = wolfSSL_get_error(c->ssl, r);
            if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
                c->deadline = now + retransmit_ns(c->ssl);
                return;
            }
            atomic_fetch_add(&failures, 1);
            free_conn(w, c);
            return;
        }
        c->established = 1;
        atomic_fetch_add(&accepted, 1);
        if (c->external_psk || wolfSSL_session_reused(c->ssl)) { /* a ticket leaves "resuming" set, an external PSK not */
            atomic_fetch_add(&psk_used, 1);
        }
    }
    for (;;) {
        int n = wolfSSL_read(c->ssl, w->app, sizeof w->app);
        if (n > 0) {
            (void)wolfSSL_write(c->ssl, w->app, n); /* echo; a lost reply is the client's to notice */
            continue;
        }
        int err = wolfSSL_get_error(c->ssl, n);
        if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
            break;
        }
        free_conn(w, c); /* close_notify (ZERO_RETURN) or an error: the connection is over */
        return;
    }
    c->deadline = now + IDLE_NS;
}

static void dispatch(struct worker *w, unsigned char *data, int len, const struct sockaddr_in *peer, int64_t now) {
    struct conn *c = lookup(w, peer);
    if (c != NULL) {
        if (wolfSSL_inject(c->ssl, data, len) == WOLFSSL_SUCCESS) {
            advance(w, c, now);
        }
        return;
    }
    if (wolfSSL_inject(w->listener, data, len) != WOLFSSL_SUCCESS ||
        wolfSSL_dtls_set_peer(w->listener, (void *)peer, sizeof *peer) != WOLFSSL_SUCCESS) {
        return;
    }
    psk_named_on = NULL;
    int r = wolfDTLS_accept_stateless(w->listener);
    if (r == WOLFSSL_SUCCESS) { /* a ClientHello with a valid cookie: from now on the listener has state */
        c = add_conn(w, w->listener, peer, now);
        c->external_psk = psk_named_on == c->ssl; /* a ClientHello in one datagram was read here, a fragmented one in advance() */
        w->listener = new_listener(w);
        advance(w, c, now); /* ServerHello ... Finished go out now */
    } else if (r == WOLFSSL_FATAL_ERROR) {
        wolfSSL_free(w->listener); /* garbage from this source: start from a clean listener */
        w->listener = new_listener(w);
    } /* else WOLFSSL_FAILURE: a cookie HRR went out (or nothing to do); the listener holds no state */
}

/* The external PSK for the identity the client names, if it is ours. */
static unsigned psk_server(WOLFSSL *ssl, const char *identity, unsigned char *key, unsigned key_cap,
                           const char **suite) {
    if (strcmp(identity, psk.identity) != 0) {
        return 0;
    }
    psk_named_on = ssl;
    return psk_copy_key(key, key_cap, suite);
}

/* Retransmits handshake flights that are due, ends stalled handshakes and idle connections. */
static void scan_timers(struct worker *w, int64_t now) {
    struct conn *next;
    for (struct conn *c = w->all; c != NULL; c = next) {
        next = c->next;
        if (now < c->deadline) {
            continue;
        }
        if (c->established) {
            free_conn(w, c);
        } else if (now - c->started > HANDSHAKE_MAX_NS || wolfSSL_dtls_got_timeout(c->ssl) != WOLFSSL_SUCCESS) {
            atomic_fetch_add(&failures, 1);
            free_conn(w, c);
        } else {
            atomic_fetch_add(&retransmissions, 1);
            c->deadline = now + retransmit_ns(c->ssl);
        }
    }
}

static void *serve(void *arg) {
    struct worker *w = arg;
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    struct sockaddr_in from[BATCH];
    int64_t next_scan = now_ns() + SCAN_EVERY_NS;
    for (;;) {
        struct pollfd p = {.fd = w->fd, .events = POLLIN};
        int64_t wait_ns = next_scan - now_ns();
        int r = poll(&p, 1, wait_ns > 0 ? (int)(wait_ns / 1000000) + 1 : 0);
        if (r < 0 && errno != EINTR) {
            fail("poll: %s", strerror(errno));
        }
        if (r > 0) {
            for (int i = 0; i < BATCH; i++) {
                iov[i] = (struct iovec){.iov_base = w->buf[i], .iov_len = DATAGRAM_MAX};
                msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i],
                                                  .msg_iov = &iov[i], .msg_iovlen = 1};
            }
            int n = recvmmsg(w->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                fail("recvmmsg: %s", strerror(errno));
            }
            int64_t now = now_ns();
            for (int i = 0; i < n; i++) {
                if (msgs[i].msg_len > 0 && msgs[i].msg_hdr.msg_namelen == sizeof from[i]) {
                    dispatch(w, w->buf[i], (int)msgs[i].msg_len, &from[i], now);
                }
            }
        }
        int64_t now = now_ns();
        if (now >= next_scan) {
            scan_timers(w, now);
            next_scan = now + SCAN_EVERY_NS;
        }
    }
    return NULL;
}

/* A non-blocking UDP socket on 127.0.0.1:port (0: any free port) with SO_REUSEPORT and 4 MiB buffers. */
static int bind_reuseport(int port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
    if (fd < 0) {
        fail("socket: %s", strerror(errno));
    }
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
        fail("SO_REUSEPORT: %s", strerror(errno));
    }
    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, SOCKET_BUFFER);
    set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, SOCKET_BUFFER);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fail("bind 127.0.0.1:%d: %s", port, strerror(errno));
    }
    return fd;
}

static int bound_port(int fd) {
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        fail("getsockname: %s", strerror(errno));
    }
    return ntohs(sa.sin_port);
}

int main(int argc, char **argv) {
    double unused_seconds = 0, unused_warmup = 0;
    parse_options(argc, argv, USAGE, &unused_seconds, &unused_warmup, option);
    if (opt.cert == NULL || opt.key == NULL) {
        fail("--cert and --key are required (" USAGE ")");
    }
    if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
        fail("wolfSSL_Init failed");
    }
    ctx = new_dtls13_ctx(wolfDTLSv1_3_server_method(), "server");
    if (wolfSSL_CTX_use_certificate_file(ctx, opt.cert, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
        wolfSSL_CTX_use_PrivateKey_file(ctx, opt.key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
        fail("loading %s / %s failed", opt.cert, opt.key);
    }
    if (psk.key_len > 0) {
        wolfSSL_CTX_set_psk_server_tls13_callback(ctx, psk_server);
    }
    /* Every group of GROUPS this build has (ci/build-wolfssl.sh's leaves out MLKEM768 alone), in that order. */
    int groups[sizeof GROUPS / sizeof GROUPS[0]];
    int ngroups = 0;
    char group_names[256] = "";
    for (size_t g = 0; g < sizeof GROUPS / sizeof GROUPS[0]; g++) {
        int id = GROUPS[g].id;
        if (wolfSSL_CTX_set_groups(ctx, &id, 1) == WOLFSSL_SUCCESS) {
            groups[ngroups++] = id;
            snprintf(group_names + strlen(group_names), sizeof group_names - strlen(group_names), "%s%s",
                     ngroups > 1 ? "," : "", GROUPS[g].name);
        }
    }
    if (ngroups == 0 || wolfSSL_CTX_set_groups(ctx, groups, ngroups) != WOLFSSL_SUCCESS) {
        fail("wolfSSL_CTX_set_groups failed: none of " GROUP_NAMES " is compiled in");
    }
    if (getrandom(cookie_secret, sizeof cookie_secret, 0) != (ssize_t)sizeof cookie_secret) {
        fail("getrandom: %s", strerror(errno));
    }

    int port = opt.port;
    pthread_t threads[MAX_THREADS];
    for (int t = 0; t < opt.threads; t++) {
        struct worker *w = calloc(1, sizeof *w);
        if (w == NULL) {
            fail("out of memory");
        }
        w->fd = bind_reuseport(port);
        port = bound_port(w->fd); /* the others join the first one's port */
        w->listener = new_listener(w);
        workers[t] = w;
    }
    for (int t = 0; t < opt.threads; t++) {
        if (pthread_create(&threads[t], NULL, serve, workers[t]) != 0) {
            fail("pthread_create failed");
        }
    }
    printf("listening port=%d threads=%d version=%s groups=%s\n", port, opt.threads, wolfSSL_lib_version(),
           group_names);
    fflush(stdout);

    char line[256];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strncmp(line, "stats", 5) == 0) {
            printf("stats accepted=%llu psk_used=%llu retransmissions=%llu failures=%llu connections=%lld\n",
                   (unsigned long long)atomic_load(&accepted), (unsigned long long)atomic_load(&psk_used),
                   (unsigned long long)atomic_load(&retransmissions),
                   (unsigned long long)atomic_load(&failures), (long long)atomic_load(&connections));
            fflush(stdout);
        }
    }
    return 0; /* end of stdin: the runner is done with us */
}
