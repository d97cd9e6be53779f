/*
 * wolfssl_clients: many wolfSSL DTLS 1.3 clients in one thread, the load generator of the
 * handshake and connection benchmarks (bench/README.md, "Handshakes", "Connections"). Every
 * connection has its own non-blocking UDP socket, connected to the server; one epoll set watches
 * them all; wolfSSL times its own retransmissions (wolfSSL_dtls_got_timeout when a handshake's
 * deadline passes, counted). The client offers one group (--group) and verifies nothing (the
 * server's cost is what is measured).
 *
 *   wolfssl_clients --server 127.0.0.1:PORT --mode handshakes [--group X25519MLKEM768]
 *                   [--kind full|resumed|psk] [--psk IDENTITY:HEXKEY] [--concurrency 16] [--echo 0|1]
 *                   [--seconds 3] [--warmup 1]
 *   wolfssl_clients --server 127.0.0.1:PORT --mode hold [--group ...] [--concurrency 16]
 *                   [--source 127.0.0.2] [--datagrams 3]
 *
 * handshakes: keeps --concurrency handshakes in flight, each on a new socket: full handshake
 * (with the server's cookie round trip), with --echo 1 one 16-byte record echoed, then
 * close_notify and close. Prints "window open" and "window close" (flushed) when the measured
 * window opens and closes, then
 *   result kind=K handshakes=N psk_used=N priming=N window_seconds=X p50_us=N p90_us=N p99_us=N
 *          max_us=N retransmissions=N failures=N cpu_ms=X total=N
 * counting what completed (or failed, or was retransmitted) inside the window; latency is from
 * socket() to the completed handshake; cpu_ms is this process's user+system time in the window.
 * --kind says what every counted handshake is:
 *   full     a certificate handshake (the client offers no ticket and no PSK);
 *   resumed  a resumption with the ticket of the previous handshake on a slot, psk_dhe_ke in --group:
 *            after each handshake the client waits for the server's NewSessionTicket (then echoes,
 *            with --echo 1) and hands the session (wolfSSL_get1_session) to the next handshake
 *            (wolfSSL_set_session). A handshake started without a ticket (the first ones, after a
 *            failure lost one, and every CHAIN_MAX-th) is a full one that fetches a ticket: counted
 *            as priming, not in handshakes or the latencies. A handshake whose ticket the server did
 *            not take counts, but not in psk_used (wolfSSL_session_reused); no new ticket within 2 s
 *            is a failure;
 *   psk      the external PSK of --psk (SHA-256, TLS13-AES128-GCM-SHA256), psk_dhe_ke in --group. The
 *            client accepts no certificate (verify on, no trust anchors): a server that does not take
 *            the PSK fails the handshake, so psk_used = handshakes.
 * psk_used counts the counted handshakes the server accepted the ticket or PSK in.
 *
 * hold: prints "ready", then obeys stdin, one command a line, --concurrency handshakes at a time:
 *   fill N     opens connections until N are held, idle, each socket bound to a loopback source
 *              address from --source on (127.0.0.2, then .3, ... when one runs out of ephemeral
 *              ports); raises RLIMIT_NOFILE to fit (root may raise the hard limit too); then
 *              "filled connections=N seconds=X retransmissions=N failures=N p50_us=N p99_us=N
 *               sources=N nofile=N cpu_ms=X lost=N"
 *   churn S    for S seconds: connect, --datagrams 16-byte records, close_notify, close, from a
 *              source address of its own; then
 *              "churned handshakes=N seconds=X failures=N retransmissions=N lost=N"
 *   close      close_notify on every held connection and close it; then "closed connections=N lost=N"
 * End of stdin ends the program. "lost" counts held connections the server ended.
 * Errors: one line on stderr, exit code 2.
 *
 * Build: gcc -std=c11 -O2 -Wall -Wextra -pthread -I<prefix>/include wolfssl_clients.c
 *            -L<prefix>/lib -lwolfssl -Wl,-rpath,<prefix>/lib (bench_common.h and wolfssl_common.h
 *            next to it)
 */
#define _GNU_SOURCE
#define BENCH_PROG "wolfssl_clients"

/* options.h first: it carries the configure-time defines the other headers depend on. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfio.h>

#include "bench_common.h"
#include "wolfssl_common.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#define MAX_CONCURRENCY 4096
#define HANDSHAKE_MAX_NS (10 * NS)
#define ECHO_WAIT_NS (2 * NS)
#define TICKET_WAIT_NS (2 * NS)
#define TICKET_MAX 4096
/*
 * Resumptions in one chain (each with the ticket of the one before) before a full handshake starts
 * a new one: wolfSSL's server numbers a session's tickets with one byte carried along the chain and
 * sends none after the 255th (tls13.c, SESSION_TICKET_NONCE_OVERFLOW).
 */
#define CHAIN_MAX 200
#define DRAIN_NS NS
#define ECHO_BYTES 16
#define EVENTS 256
/* Closing many held connections: close_notify in batches, a pause between them (no burst beyond the server's socket buffer). */
#define CLOSE_BATCH 200
#define CLOSE_PAUSE_NS (5 * 1000 * 1000L)

enum mode { HANDSHAKES, HOLD };
enum kind { FULL, RESUMED, PSK };
static const char *const KIND_NAMES[] = {"full", "resumed", "psk"};
enum state { HANDSHAKING, TICKETING, ECHOING, HELD };

static struct {
    enum mode mode;
    enum kind kind;
    struct sockaddr_in server;
    int group;
    int concurrency;
    int echo;
    struct in_addr source;
    int datagrams;
    double seconds;
    double warmup;
} opt = {.mode = HANDSHAKES, .kind = FULL, .group = WOLFSSL_X25519MLKEM768, .concurrency = 16, .datagrams = 3, .seconds = 3,
         .warmup = 1};

#define USAGE "usage: --server HOST:PORT --mode handshakes|hold [--group NAME] [--kind full|resumed|psk] " \
              "[--psk IDENTITY:HEXKEY] [--concurrency N] [--echo 0|1] [--seconds S] [--warmup S] " \
              "[--source 127.0.0.2] [--datagrams N]"

static void parse_address(const char *v, struct sockaddr_in *out) {
    char host[64];
    const char *colon = strrchr(v, ':');
    if (colon == NULL || (size_t)(colon - v) >= sizeof host) {
        fail("--server must be IPv4:PORT, got '%s'", v);
    }
    memcpy(host, v, (size_t)(colon - v));
    host[colon - v] = '\0';
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)parse_number("--server port", colon + 1, 1, 65535));
    if (inet_pton(AF_INET, host, &out->sin_addr) != 1) {
        fail("--server: not an IPv4 address: '%s'", host);
    }
}

static int option(const char *a, const char *v) {
    if (strcmp(a, "--server") == 0) {
        parse_address(v, &opt.server);
    } else if (strcmp(a, "--mode") == 0) {
        if (strcmp(v, "handshakes") == 0) {
            opt.mode = HANDSHAKES;
        } else if (strcmp(v, "hold") == 0) {
            opt.mode = HOLD;
        } else {
            fail("--mode must be handshakes or hold, got '%s'", v);
        }
    } else if (strcmp(a, "--group") == 0) {
        opt.group = parse_group(v);
    } else if (strcmp(a, "--kind") == 0) {
        size_t k = 0;
        while (k < sizeof KIND_NAMES / sizeof KIND_NAMES[0] && strcmp(v, KIND_NAMES[k]) != 0) {
            k++;
        }
        if (k == sizeof KIND_NAMES / sizeof KIND_NAMES[0]) {
            fail("--kind must be full, resumed or psk, got '%s'", v);
        }
        opt.kind = (enum kind)k;
    } else if (strcmp(a, "--psk") == 0) {
        parse_psk(v);
    } else if (strcmp(a, "--concurrency") == 0) {
        opt.concurrency = (int)parse_number(a, v, 1, MAX_CONCURRENCY);
    } else if (strcmp(a, "--echo") == 0) {
        opt.echo = (int)parse_number(a, v, 0, 1);
    } else if (strcmp(a, "--source") == 0) {
        if (inet_pton(AF_INET, v, &opt.source) != 1) {
            fail("--source: not an IPv4 address: '%s'", v);
        }
    } else if (strcmp(a, "--datagrams") == 0) {
        opt.datagrams = (int)parse_number(a, v, 0, 1000);
    } else {
        return 0;
    }
    return 1;
}

/* ---- latencies ------------------------------------------------------------------------------ */

struct samples {
    int64_t *v;
    size_t n, cap;
};

static void sample(struct samples *s, int64_t value) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (s->v == NULL) {
            fail("out of memory");
        }
    }
    s->v[s->n++] = value;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (nearest rank) in microseconds, 0 without samples; sorts the samples. */
static long long quantile_us(struct samples *s, double q) {
    if (s->n == 0) {
        return 0;
    }
    qsort(s->v, s->n, sizeof *s->v, cmp_i64);
    size_t rank = (size_t)(q * (double)s->n + 0.999999);
    rank = rank < 1 ? 1 : rank > s->n ? s->n : rank;
    return (long long)(s->v[rank - 1] / 1000);
}

static double cpu_ms(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* ---- connections ------------------------------------------------------------------------ */

struct conn {
    int fd;
    WOLFSSL *ssl;
    enum state state;
    int slot; /* index in inflight[], -1 when held */
    long held_index; /* index in held_list[] when held */
    int64_t started;
    int64_t deadline;
    int offered;          /* resumed: started with a ticket */
    int chain;            /* resumed: resumptions before this one in its chain */
    uint64_t ticket_hash; /* resumed: the ticket it started with (none: the hash of nothing) */
};

/* What happened, for the phase being counted. */
struct counts {
    uint64_t handshakes, psk_used, priming, retransmissions, failures;
    struct samples latency;
};

static WOLFSSL_CTX *ctx;
static int ep;
static struct conn *inflight[MAX_CONCURRENCY];
static int ninflight;
static long held;
static long lost; /* held connections the server closed or broke */
/* The held connections (for closing them all); NULL where one was lost. */
static struct conn **held_list;
static long held_len, held_cap;
static long nofile;
static struct counts *counting; /* the counts of the current phase, NULL outside a counted window */
static uint64_t total_handshakes;

/* Resumed: the sessions (with their ticket) waiting for the next handshake; at most --concurrency. */
static struct kept {
    WOLFSSL_SESSION *session;
    int chain; /* resumptions in its chain so far */
} sessions[MAX_CONCURRENCY];
static int nsessions;

/* Source addresses (hold): the current one and how many were used. */
static struct in_addr source;
static int sources_used;

static void count_failure(void) {
    if (counting != NULL) {
        counting->failures++;
    }
}

/* A socket bound to `src` (or the kernel's choice when src is 0) and connected to the server; -1 when `src` has no free port. */
static int open_connected(struct in_addr src) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
        fail("socket: %s (open files: raise the limit)", strerror(errno));
    }
    if (src.s_addr != 0) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = src};
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            if (errno == EADDRINUSE || errno == EAGAIN) {
                close(fd);
                return -1;
            }
            fail("bind %s:0: %s", inet_ntoa(src), strerror(errno));
        }
    }
    if (connect(fd, (struct sockaddr *)&opt.server, sizeof opt.server) != 0) {
        fail("connect: %s", strerror(errno));
    }
    return fd;
}

static void release(struct conn *c, int notify) {
    if (c->slot >= 0) {
        inflight[c->slot] = inflight[--ninflight];
        inflight[c->slot]->slot = c->slot;
    }
    if (notify) {
        (void)wolfSSL_shutdown(c->ssl); /* close_notify, without waiting for the peer's */
    }
    wolfSSL_free(c->ssl);
    close(c->fd); /* also leaves the epoll set */
    free(c);
}

/* FNV-1a of the connection's current ticket: a new one from the server changes it. */
static uint64_t ticket_hash(WOLFSSL *ssl) {
    unsigned char t[TICKET_MAX];
    word32 len = sizeof t;
    uint64_t h = 14695981039346656037ULL;
    if (wolfSSL_get_SessionTicket(ssl, t, &len) == WOLFSSL_SUCCESS) {
        for (word32 i = 0; i < len; i++) {
            h = (h ^ t[i]) * 1099511628211ULL;
        }
    }
    return h;
}

/* Keeps the session with its new ticket for the next handshake, unless its chain is long enough. */
static void keep_session(const struct conn *c) {
    int chain = c->offered ? c->chain + 1 : 0;
    if (chain >= CHAIN_MAX || nsessions == MAX_CONCURRENCY) {
        return;
    }
    WOLFSSL_SESSION *s = wolfSSL_get1_session(c->ssl);
    if (s == NULL) {
        fail("wolfSSL_get1_session returned no session after a ticket");
    }
    sessions[nsessions++] = (struct kept){s, chain};
}

/* The external PSK for the client's ClientHello (wolfSSL asks once per ClientHello). */
static unsigned psk_client(WOLFSSL *ssl, const char *hint, char *identity, unsigned id_cap, unsigned char *key,
                           unsigned key_cap, const char **suite) {
    (void)ssl;
    (void)hint;
    if (strlen(psk.identity) >= id_cap) {
        return 0;
    }
    strcpy(identity, psk.identity);
    return psk_copy_key(key, key_cap, suite);
}

static int64_t retransmit_ns(WOLFSSL *ssl) {
    int64_t t = (int64_t)wolfSSL_dtls_get_current_timeout(ssl) * NS;
    return wolfSSL_dtls13_use_quick_timeout(ssl) ? t / 4 : t;
}

static void step(struct conn *c, int64_t now);
/* After a completed handshake: what the mode does with the connection. */
static void established(struct conn *c, int64_t now);

/* Starts one handshake from `src` (0: the kernel's choice); returns 0 when `src` has no free port. */
static int start(struct in_addr src) {
    int fd = open_connected(src);
    if (fd < 0) {
        return 0;
    }
    struct conn *c = calloc(1, sizeof *c);
    WOLFSSL *ssl = wolfSSL_new(ctx);
    if (c == NULL || ssl == NULL) {
        fail("out of memory (wolfSSL_new)");
    }
    no_keylog(ssl);
    if (wolfSSL_set_dtls_fd_connected(ssl, fd) != WOLFSSL_SUCCESS ||
        wolfSSL_dtls_set_peer(ssl, &opt.server, sizeof opt.server) != WOLFSSL_SUCCESS) {
        fail("setting the socket/peer on wolfSSL failed");
    }
    wolfSSL_dtls_set_using_nonblock(ssl, 1);
    if (wolfSSL_set_groups(ssl, &opt.group, 1) != WOLFSSL_SUCCESS ||
        wolfSSL_UseKeyShare(ssl, (word16)opt.group) != WOLFSSL_SUCCESS) {
        fail("wolfSSL_set_groups/UseKeyShare failed (group not compiled in?)");
    }
    *c = (struct conn){.fd = fd, .ssl = ssl, .state = HANDSHAKING, .slot = ninflight, .started = now_ns()};
    if (opt.kind == RESUMED && nsessions > 0) {
        struct kept k = sessions[--nsessions];
        if (wolfSSL_set_session(ssl, k.session) != WOLFSSL_SUCCESS) {
            fail("wolfSSL_set_session failed");
        }
        wolfSSL_SESSION_free(k.session); /* the WOLFSSL holds its own copy */
        c->offered = 1;
        c->chain = k.chain;
    }
    if (opt.kind == RESUMED) {
        c->ticket_hash = ticket_hash(ssl);
    }
    inflight[ninflight++] = c;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        fail("epoll_ctl: %s", strerror(errno));
    }
    step(c, c->started); /* the first ClientHello goes out */
    return 1;
}


/* A completed handshake: counted (unless it only fetched a ticket), then on to the ticket or what the mode does. */
static void completed(struct conn *c, int64_t now) {
    total_handshakes++;
    if (counting != NULL) {
        if (opt.kind == RESUMED && !c->offered) {
            counting->priming++;
        } else {
            counting->handshakes++;
            /* psk: the client takes no certificate, so a completed handshake used the PSK */
            counting->psk_used += opt.kind == PSK || (opt.kind == RESUMED && wolfSSL_session_reused(c->ssl));
            sample(&counting->latency, now - c->started);
        }
    }
    if (opt.kind == RESUMED && opt.mode == HANDSHAKES) {
        c->state = TICKETING;
        c->deadline = now + TICKET_WAIT_NS;
        step(c, now); /* the ticket may be here already */
        return;
    }
    established(c, now);
}

static void step(struct conn *c, int64_t now) {
    if (c->state == HANDSHAKING) {
        int r = wolfSSL_connect(c->ssl);
        if (r == WOLFSSL_SUCCESS) {
            completed(c, now);
            return;
        }
        int err = wolfSSL_get_error(c->ssl, r);
        if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
            c->deadline = now + retransmit_ns(c->ssl);
            return;
        }
        count_failure();
        release(c, 0);
        return;
    }
    unsigned char buf[2048];
    for (;;) {
        int n = wolfSSL_read(c->ssl, buf, sizeof buf);
        if (n > 0) {
            if (c->state == ECHOING) {
                release(c, 1); /* the echo is back: done */
                return;
            }
            continue; /* held: nothing is expected, anything is read and dropped */
        }
        int err = wolfSSL_get_error(c->ssl, n);
        if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
            if (c->state == TICKETING && ticket_hash(c->ssl) != c->ticket_hash) {
                keep_session(c);
                established(c, now);
            }
            return;
        }
        if (c->state == HELD) {
            lost++;
            held--;
            held_list[c->held_index] = NULL;
        } else {
            count_failure();
        }
        release(c, 0);
        return;
    }
}

/* Deadlines of the handshakes (and echoes) in flight: O(concurrency). */
static void timers(int64_t now) {
    for (int i = 0; i < ninflight; i++) {
        struct conn *c = inflight[i];
        if (now < c->deadline) {
            continue;
        }
        if (c->state == ECHOING || c->state == TICKETING || now - c->started > HANDSHAKE_MAX_NS ||
            wolfSSL_dtls_got_timeout(c->ssl) != WOLFSSL_SUCCESS) {
            count_failure();
            release(c, 0);
            i--; /* the last one moved into this slot */
            continue;
        }
        if (counting != NULL) {
            counting->retransmissions++;
        }
        c->deadline = now + retransmit_ns(c->ssl);
    }
}

static int next_wait_ms(int64_t now, int64_t limit) {
    int64_t next = limit;
    for (int i = 0; i < ninflight; i++) {
        if (inflight[i]->deadline < next) {
            next = inflight[i]->deadline;
        }
    }
    int64_t ms = (next - now) / 1000000;
    return ms < 0 ? 0 : ms > 50 ? 50 : (int)ms + 1;
}

/* One turn: wait for datagrams or the next deadline (at most 50 ms), step what is ready, fire timers. */
static void turn(int64_t limit) {
    struct epoll_event evs[EVENTS];
    int n = epoll_wait(ep, evs, EVENTS, next_wait_ms(now_ns(), limit));
    if (n < 0 && errno != EINTR) {
        fail("epoll_wait: %s", strerror(errno));
    }
    int64_t now = now_ns();
    for (int i = 0; i < n; i++) {
        step(evs[i].data.ptr, now);
    }
    timers(now_ns());
}

/* ---- the modes ---------------------------------------------------------------------------- */

static enum { CYCLE, FILL, CHURN } phase;

static void established(struct conn *c, int64_t now) {
    if (phase == FILL) {
        inflight[c->slot] = inflight[--ninflight];
        inflight[c->slot]->slot = c->slot;
        c->slot = -1;
        c->state = HELD;
        if (held_len == held_cap) {
            held_cap = held_cap ? held_cap * 2 : 1024;
            held_list = realloc(held_list, (size_t)held_cap * sizeof *held_list);
            if (held_list == NULL) {
                fail("out of memory");
            }
        }
        c->held_index = held_len;
        held_list[held_len++] = c;
        held++;
        return;
    }
    if (phase == CHURN) {
        unsigned char data[ECHO_BYTES] = {0};
        for (int i = 0; i < opt.datagrams; i++) {
            (void)wolfSSL_write(c->ssl, data, sizeof data);
        }
        release(c, 1);
        return;
    }
    if (opt.echo) {
        static const unsigned char ping[ECHO_BYTES] = "pqdtls-hs-bench";
        if (wolfSSL_write(c->ssl, ping, sizeof ping) != (int)sizeof ping) {
            count_failure();
            release(c, 0);
            return;
        }
        c->state = ECHOING;
        c->deadline = now + ECHO_WAIT_NS;
        return;
    }
    release(c, 1);
}

static void handshakes(void) {
    phase = CYCLE;
    struct counts window = {0};
    struct in_addr any = {0};
    int64_t open = now_ns() + (int64_t)(opt.warmup * NS);
    int64_t end = open + (int64_t)(opt.seconds * NS);
    double cpu_open = 0;
    int opened = 0;
    for (int64_t now = now_ns(); now < end; now = now_ns()) {
        if (!opened && now >= open) {
            opened = 1;
            counting = &window;
            cpu_open = cpu_ms();
            printf("window open\n");
            fflush(stdout);
        }
        while (ninflight < opt.concurrency) {
            start(any);
        }
        turn(opened ? end : open);
    }
    counting = NULL;
    double cpu = cpu_ms() - cpu_open;
    printf("window close\n");
    fflush(stdout);
    int64_t drain_end = now_ns() + DRAIN_NS; /* let the handshakes in flight end, uncounted */
    while (ninflight > 0 && now_ns() < drain_end) {
        turn(drain_end);
    }
    long long p50 = quantile_us(&window.latency, 0.50), p90 = quantile_us(&window.latency, 0.90),
              p99 = quantile_us(&window.latency, 0.99), max = quantile_us(&window.latency, 1.0);
    printf("result kind=%s handshakes=%llu psk_used=%llu priming=%llu window_seconds=%.6f p50_us=%lld p90_us=%lld "
           "p99_us=%lld max_us=%lld retransmissions=%llu failures=%llu cpu_ms=%.1f total=%llu\n",
           KIND_NAMES[opt.kind], (unsigned long long)window.handshakes, (unsigned long long)window.psk_used,
           (unsigned long long)window.priming, opt.seconds, p50, p90, p99, max,
           (unsigned long long)window.retransmissions, (unsigned long long)window.failures, cpu,
           (unsigned long long)total_handshakes);
    fflush(stdout);
}

/* Raises RLIMIT_NOFILE to fit `need` descriptors (the hard limit too, which root may); returns the limit. */
static long raise_nofile(long need) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fail("getrlimit: %s", strerror(errno));
    }
    if ((long)rl.rlim_cur >= need) {
        return (long)rl.rlim_cur;
    }
    struct rlimit want = {(rlim_t)need, rl.rlim_max > (rlim_t)need ? rl.rlim_max : (rlim_t)need};
    if (setrlimit(RLIMIT_NOFILE, &want) != 0) {
        fail("cannot raise the open-files limit to %ld (soft %ld, hard %ld): %s; run as root or raise "
             "'ulimit -Hn'", need, (long)rl.rlim_cur, (long)rl.rlim_max, strerror(errno));
    }
    return need;
}

/* The next loopback source address (127.0.0.x, x+1), failing past 127.255.255.254. */
static void next_source(void) {
    uint32_t a = ntohl(source.s_addr) + 1;
    if ((a & 0xff000000u) != 0x7f000000u || (a & 0xff) == 0xff) {
        a += 2; /* skip .255 and .0 */
    }
    if ((a & 0xff000000u) != 0x7f000000u) {
        fail("out of loopback source addresses");
    }
    source.s_addr = htonl(a);
    sources_used++;
}

/* Starts a handshake from the current source, moving on when its ephemeral ports are used up. */
static void start_from_source(void) {
    while (!start(source)) {
        next_source();
    }
}

static void fill(long connections) {
    phase = FILL;
    nofile = raise_nofile(held + connections + 2L * opt.concurrency + 64);
    struct counts c = {0};
    counting = &c;
    double cpu0 = cpu_ms();
    int64_t t0 = now_ns();
    while (held < connections) {
        while (ninflight < opt.concurrency && held + ninflight < connections) {
            start_from_source();
        }
        turn(now_ns() + 50 * 1000000LL);
        if ((long)c.failures > connections) {
            fail("more failed handshakes (%llu) than connections to open", (unsigned long long)c.failures);
        }
    }
    counting = NULL;
    double seconds = (double)(now_ns() - t0) / NS;
    printf("filled connections=%ld seconds=%.3f retransmissions=%llu failures=%llu p50_us=%lld p99_us=%lld "
           "sources=%d nofile=%ld cpu_ms=%.1f lost=%ld\n",
           held, seconds, (unsigned long long)c.retransmissions, (unsigned long long)c.failures,
           quantile_us(&c.latency, 0.5), quantile_us(&c.latency, 0.99), sources_used, nofile, cpu_ms() - cpu0,
           lost);
    fflush(stdout);
}

static void churn(double seconds) {
    phase = CHURN;
    next_source(); /* churn from an address of its own: its ports come back as sockets close */
    struct counts c = {0};
    counting = &c;
    int64_t t0 = now_ns();
    int64_t end = t0 + (int64_t)(seconds * NS);
    while (now_ns() < end) {
        while (ninflight < opt.concurrency) {
            start_from_source();
        }
        turn(end);
    }
    counting = NULL;
    int64_t drain_end = now_ns() + DRAIN_NS;
    while (ninflight > 0 && now_ns() < drain_end) {
        turn(drain_end);
    }
    printf("churned handshakes=%llu seconds=%.3f failures=%llu retransmissions=%llu lost=%ld\n",
           (unsigned long long)c.handshakes, (double)(now_ns() - t0) / NS, (unsigned long long)c.failures,
           (unsigned long long)c.retransmissions, lost);
    fflush(stdout);
}

static void close_all(void) {
    long closed = 0;
    for (long i = 0; i < held_len; i++) {
        if (held_list[i] != NULL) {
            release(held_list[i], 1);
            held_list[i] = NULL;
            if (++closed % CLOSE_BATCH == 0) {
                nanosleep(&(struct timespec){.tv_nsec = CLOSE_PAUSE_NS}, NULL); /* the server's socket buffer drains */
            }
        }
    }
    held = 0;
    held_len = 0;
    printf("closed connections=%ld lost=%ld\n", closed, lost);
    fflush(stdout);
}

static void hold(void) {
    if (opt.source.s_addr == 0) {
        inet_pton(AF_INET, "127.0.0.2", &opt.source);
    }
    source = opt.source;
    sources_used = 1;
    printf("ready\n");
    fflush(stdout);
    char line[128];
    while (fgets(line, sizeof line, stdin) != NULL) {
        char *command = strtok(line, " \r\n");
        char *arg = strtok(NULL, " \r\n");
        if (command == NULL) {
            continue;
        }
        if (strcmp(command, "fill") == 0 && arg != NULL) {
            fill((long)parse_number("fill", arg, 1, 10000000));
        } else if (strcmp(command, "churn") == 0 && arg != NULL) {
            churn(parse_number("churn", arg, 0.001, 3600));
        } else if (strcmp(command, "close") == 0) {
            close_all();
        } else {
            fail("unknown command '%s' (fill N, churn S, close)", command);
        }
    }
}

int main(int argc, char **argv) {
    parse_options(argc, argv, USAGE, &opt.seconds, &opt.warmup, option);
    if (opt.server.sin_port == 0) {
        fail("--server HOST:PORT is required (" USAGE ")");
    }
    if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
        fail("wolfSSL_Init failed");
    }
    if (opt.kind != FULL && opt.mode != HANDSHAKES) {
        fail("--kind %s is for --mode handshakes", KIND_NAMES[opt.kind]);
    }
    if (opt.kind == PSK && psk.key_len == 0) {
        fail("--kind psk needs --psk IDENTITY:HEXKEY");
    }
    ctx = new_dtls13_ctx(wolfDTLSv1_3_client_method(), "client");
    if (opt.kind == PSK) {
        /* verify on with no trust anchor: a server that answers with its certificate instead of the PSK fails */
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
        wolfSSL_CTX_set_psk_client_tls13_callback(ctx, psk_client);
    } else {
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL); /* the load generator's cost is not measured */
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        fail("epoll_create1: %s", strerror(errno));
    }
    if (opt.mode == HANDSHAKES) {
        watchdog_arm((unsigned)(opt.warmup + opt.seconds) + 10);
        handshakes();
    } else {
        hold();
    }
    return 0;
}
