/*
 * bench_common.h: what the C programs of the benchmarks (udp_blast.c, wolfssl_stream.c,
 * wolfssl_server.c, wolfssl_clients.c; bench/README.md, "C peers") share: error exit, clock,
 * watchdog, option parsing, loopback sockets, the measured window and its tally, and the `result`
 * line CPrograms.java parses.
 *
 * Static inline functions (so a program that leaves some unused gets no warning), one copy per
 * program. Before including it, a program defines _GNU_SOURCE (ahead of every system header) and
 * BENCH_PROG, its name for messages:
 *
 *   #define _GNU_SOURCE
 *   #define BENCH_PROG "udp_blast"
 *   #include "bench_common.h"
 *
 * CPrograms writes this header next to the program's source in the build directory, where the
 * quoted #include finds it.
 */
#ifndef PQDTLS_BENCH_COMMON_H
#define PQDTLS_BENCH_COMMON_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before any #include (bench_common.h needs SO_RCVBUFFORCE, SOCK_CLOEXEC)"
#endif
#ifndef BENCH_PROG
#error "define BENCH_PROG (the program's name for messages) before including bench_common.h"
#endif

#include <errno.h>
#include <netinet/in.h>
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
#define NS 1000000000LL

static const char prog[] = BENCH_PROG;

/* Errors: one line on stderr, "<prog>: <message>", exit code 2 (stdout flushed first). */
static inline void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stdout);
    _exit(2);
}

static inline int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* ---- watchdog ---------------------------------------------------------------------------- */

static inline void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = BENCH_PROG ": watchdog: the run did not finish in time\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1); /* async-signal-safe, unlike fail() */
    (void)w;
    _exit(2);
}

/*
 * Ends the process with a message after `seconds`. Callers keep it below the Java runner's timeout
 * (seconds + warm-up + 15 s), so a hang ends with a message; alarm(0) disarms it.
 */
static inline void watchdog_arm(unsigned seconds) {
    signal(SIGALRM, on_alarm);
    alarm(seconds);
}

/* ---- options ----------------------------------------------------------------------------- */

/* The value of option `name`: a number in [lo, hi], else fail(). */
static inline double parse_number(const char *name, const char *v, double lo, double hi) {
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !(d >= lo && d <= hi)) {
        fail("%s must be a number in [%g, %g], got '%s'", name, lo, hi, v);
    }
    return d;
}

/*
 * Parses argv as "--name value" pairs (every option takes a value). The options of the measured
 * window, the same in every program, go to *seconds (--seconds S, in [0.001, 3600]) and *warmup
 * (--warmup S, in [0, 600]); any other to option(name, value), which returns 0 for a name it does not
 * know. A missing value or an unknown name fail()s, naming `usage`.
 */
static inline void parse_options(int argc, char **argv, const char *usage, double *seconds, double *warmup,
                          int (*option)(const char *name, const char *v)) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            fail("option %s needs a value (%s)", a, usage);
        }
        const char *v = argv[++i];
        if (strcmp(a, "--seconds") == 0) {
            *seconds = parse_number(a, v, 0.001, 3600);
        } else if (strcmp(a, "--warmup") == 0) {
            *warmup = parse_number(a, v, 0, 600);
        } else if (!option(a, v)) {
            fail("unknown option %s (%s)", a, usage);
        }
    }
}

/* ---- sockets ----------------------------------------------------------------------------- */

/* SO_*BUFFORCE ignores net.core.[rw]mem_max but needs CAP_NET_ADMIN; the plain option is capped. */
static inline void set_buffer(int fd, int force, int plain, int bytes) {
    if (setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof bytes) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof bytes);
    }
}

/*
 * A UDP socket bound to 127.0.0.1:0 with SOCKET_BUFFER buffers, blocking unless `type_flags` has
 * SOCK_NONBLOCK; *bound gets its address.
 */
static inline int open_socket(struct sockaddr_in *bound, int type_flags) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | type_flags, IPPROTO_UDP);
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

/* ---- the measured window and what arrives in it (as EndToEnd.Tally counts) --------------- */

struct window {
    int64_t start, end, drain_end;
};

/* The window after a warm-up from `start`; the receiver drains at most 1 s after it. */
static inline struct window window_from(int64_t start, double warmup, double seconds) {
    struct window w;
    w.start = start + (int64_t)(warmup * NS);
    w.end = w.start + (int64_t)(seconds * NS);
    w.drain_end = w.end + NS;
    return w;
}

/* Receiver counts: delivered over the whole run, window_* and first/last arrival inside the window. */
struct tally {
    uint64_t delivered;
    uint64_t window_datagrams;
    uint64_t window_bytes;
    int64_t first_ns, last_ns;
};

#define TALLY_INIT {.first_ns = -1, .last_ns = -1}

static inline void tally_add(struct tally *t, const struct window *w, uint64_t datagrams, uint64_t bytes, int64_t now) {
    t->delivered += datagrams;
    if (now >= w->start && now <= w->end) {
        if (t->first_ns < 0) {
            t->first_ns = now;
        }
        t->last_ns = now;
        t->window_datagrams += datagrams;
        t->window_bytes += bytes;
    }
}

/* The last stdout line, parsed by CPrograms.java; `sent` and `syscalls` are the sender's. */
static inline void print_result(const struct tally *t, uint64_t sent, uint64_t syscalls, int gso, int gro) {
    double window_seconds = t->first_ns < 0 || t->last_ns <= t->first_ns ? 0 : (double)(t->last_ns - t->first_ns) / NS;
    printf("result sent=%llu delivered=%llu window_datagrams=%llu window_bytes=%llu window_seconds=%.6f "
           "syscalls=%llu gso=%d gro=%d\n",
           (unsigned long long)sent, (unsigned long long)t->delivered, (unsigned long long)t->window_datagrams,
           (unsigned long long)t->window_bytes, window_seconds, (unsigned long long)syscalls, gso, gro);
}

/* ---- threads ----------------------------------------------------------------------------- */

/* A thread running body(NULL), else fail(). */
static inline pthread_t start_thread(void *(*body)(void *)) {
    pthread_t t;
    int e = pthread_create(&t, NULL, body, NULL);
    if (e != 0) {
        fail("pthread_create: %s", strerror(e));
    }
    return t;
}

#endif
