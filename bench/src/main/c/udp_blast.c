/*
 * udp_blast: the raw-UDP baseline of the end-to-end benchmark (bench/README.md, "C peers").
 *
 * One process, two threads, loopback 127.0.0.1, no crypto: a sender thread blasts batches of
 * equal-sized datagrams unpaced (one UDP_SEGMENT sendmsg per batch with --gso 1, else sendmmsg)
 * and a receiver thread drains them with recvmmsg (UDP_GRO with --gro 1, coalesced buffers split
 * by the segment size). After a warm-up the receiver counts what arrives inside the measured
 * window, exactly like EndToEnd.Tally: datagrams, bytes, first and last arrival in the window.
 *
 *   udp_blast [--size 1200] [--batch 32] [--seconds 3] [--warmup 1] [--gso 0|1] [--gro 0|1]
 *
 * stdout, one line:
 *   result sent=N delivered=N window_datagrams=N window_bytes=N window_seconds=X syscalls=N gso=0|1 gro=0|1
 * (syscalls: the sender's sendmsg/sendmmsg calls; gso/gro: whether actually in effect.)
 * Errors: one line on stderr, exit code 2.
 *
 * Build: gcc -std=c11 -O2 -Wall -Wextra -pthread -o udp_blast udp_blast.c (Linux only; bench_common.h
 * next to it).
 */
#define _GNU_SOURCE
#define BENCH_PROG "udp_blast"

#include "bench_common.h"

#include <netinet/udp.h>
#include <poll.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

/* UDP_MAX_SEGMENTS was 64 before Linux 6.x raised it; 64 works everywhere. */
#define GSO_MAX_SEGMENTS 64
/* Largest UDP payload of one IPv4 datagram (65535 - 20 - 8): the bound for a GSO super-datagram. */
#define GSO_MAX_BYTES 65507
#define RX_BATCH 64
#define RX_SLOT 65536 /* one GRO buffer holds up to 64 KiB */

/* ---- options ----------------------------------------------------------------------------- */

static struct {
    int size;
    int batch;
    double seconds;
    double warmup;
    int gso;
    int gro;
} opt = {1200, 32, 3.0, 1.0, 1, 1};

#define USAGE "usage: --size N --batch N --seconds S --warmup S --gso 0|1 --gro 0|1"

/* The options besides --seconds and --warmup (parse_options); 0 for an unknown one. */
static int option(const char *a, const char *v) {
    if (strcmp(a, "--size") == 0) {
        opt.size = (int)parse_number(a, v, 1, GSO_MAX_BYTES);
    } else if (strcmp(a, "--batch") == 0) {
        opt.batch = (int)parse_number(a, v, 1, 1024);
    } else if (strcmp(a, "--gso") == 0) {
        opt.gso = (int)parse_number(a, v, 0, 1);
    } else if (strcmp(a, "--gro") == 0) {
        opt.gro = (int)parse_number(a, v, 0, 1);
    } else {
        return 0;
    }
    return 1;
}

/* ---- sockets ----------------------------------------------------------------------------- */

static int buffer_size(int fd, int which) {
    int v = 0;
    socklen_t len = sizeof v;
    return getsockopt(fd, SOL_SOCKET, which, &v, &len) == 0 ? v : -1;
}

/* ---- shared state ------------------------------------------------------------------------ */

/* Set before the threads start. */
static struct window win;

/* Receiver side; only the receiver thread writes these. */
static struct {
    int fd;
    int gro;
    struct tally tally;
    uint64_t coalesced_buffers;
} rx = {.tally = TALLY_INIT};

/* Sender side; only the sender thread writes these. */
static struct {
    int fd;
    int gso;
    uint64_t sent;
    uint64_t syscalls;
} tx;

/* ---- receiver ---------------------------------------------------------------------------- */

union gro_cmsg {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
};

static void *receiver(void *arg) {
    (void)arg;
    static struct mmsghdr msgs[RX_BATCH];
    static struct iovec iovs[RX_BATCH];
    static union gro_cmsg cmsgs[RX_BATCH];
    char *slots = malloc((size_t)RX_BATCH * RX_SLOT);
    if (slots == NULL) {
        fail("out of memory");
    }
    for (int i = 0; i < RX_BATCH; i++) {
        iovs[i].iov_base = slots + (size_t)i * RX_SLOT;
        iovs[i].iov_len = RX_SLOT;
    }
    for (;;) {
        for (int i = 0; i < RX_BATCH; i++) {
            memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_control = cmsgs[i].buf;
            msgs[i].msg_hdr.msg_controllen = sizeof cmsgs[i].buf;
        }
        int got = recvmmsg(rx.fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
        int64_t now = now_ns();
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail("recvmmsg: %s", strerror(errno));
            }
            if (now >= win.drain_end) {
                break;
            }
            struct pollfd p = {.fd = rx.fd, .events = POLLIN};
            int r = poll(&p, 1, POLL_MS);
            if (r < 0 && errno != EINTR) {
                fail("poll: %s", strerror(errno));
            }
            if (r == 0 && now_ns() > win.end) {
                break; /* the sender has stopped and nothing came for one poll: drained */
            }
            continue;
        }
        uint64_t datagrams = 0, bytes = 0;
        for (int i = 0; i < got; i++) {
            struct msghdr *h = &msgs[i].msg_hdr;
            uint32_t len = msgs[i].msg_len;
            int seg = 0;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
                if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
                    memcpy(&seg, CMSG_DATA(c), sizeof seg);
                }
            }
            if (seg > 0 && (uint32_t)seg < len) {
                datagrams += (len + (uint32_t)seg - 1) / (uint32_t)seg; /* the last may be shorter */
                rx.coalesced_buffers++;
            } else {
                datagrams++;
            }
            bytes += len;
        }
        tally_add(&rx.tally, &win, datagrams, bytes, now);
        if (now >= win.drain_end) {
            break;
        }
    }
    free(slots);
    return NULL;
}

/* ---- sender ------------------------------------------------------------------------------ */

union gso_cmsg {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(uint16_t))];
};

/* Waits up to POLL_MS for room in the send buffer (after EAGAIN/ENOBUFS). */
static void wait_writable(void) {
    struct pollfd p = {.fd = tx.fd, .events = POLLOUT};
    if (poll(&p, 1, POLL_MS) < 0 && errno != EINTR) {
        fail("poll: %s", strerror(errno));
    }
}

/* One UDP_SEGMENT sendmsg of k datagrams; returns k, 0 to retry later, or -1 if the kernel refused GSO. */
static int send_gso(struct iovec *iov, int k) {
    union gso_cmsg control;
    memset(&control, 0, sizeof control);
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = iov;
    msg.msg_iovlen = (size_t)k;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t seg = (uint16_t)opt.size;
    memcpy(CMSG_DATA(c), &seg, sizeof seg);
    tx.syscalls++;
    if (sendmsg(tx.fd, &msg, 0) >= 0) {
        return k;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR) {
        return 0;
    }
    if (errno == EIO || errno == EINVAL) {
        return -1;
    }
    fail("sendmsg (UDP_SEGMENT): %s", strerror(errno));
    return 0;
}

/* sendmmsg of k datagrams; returns how many went (0 to retry later). */
static int send_plain(struct mmsghdr *msgs, int k) {
    tx.syscalls++;
    int r = sendmmsg(tx.fd, msgs, (unsigned)k, 0);
    if (r >= 0) {
        return r;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR) {
        return 0;
    }
    fail("sendmmsg: %s", strerror(errno));
    return 0;
}

static void *sender(void *arg) {
    (void)arg;
    int n = opt.batch;
    char *data = malloc((size_t)n * (size_t)opt.size);
    struct iovec *iovs = calloc((size_t)n, sizeof *iovs);
    struct mmsghdr *msgs = calloc((size_t)n, sizeof *msgs);
    if (data == NULL || iovs == NULL || msgs == NULL) {
        fail("out of memory");
    }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < opt.size; j++) {
            data[(size_t)i * (size_t)opt.size + (size_t)j] = (char)(i + j);
        }
        iovs[i].iov_base = data + (size_t)i * (size_t)opt.size;
        iovs[i].iov_len = (size_t)opt.size;
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int per_gso_call = GSO_MAX_BYTES / opt.size;
    if (per_gso_call > GSO_MAX_SEGMENTS) {
        per_gso_call = GSO_MAX_SEGMENTS;
    }
    while (now_ns() < win.end) {
        int done = 0;
        while (done < n) {
            int k = n - done;
            int r;
            if (tx.gso && k >= 2) {
                if (k > per_gso_call) {
                    k = per_gso_call;
                }
                r = send_gso(&iovs[done], k);
                if (r < 0) {
                    fprintf(stderr, "%s: the kernel refused UDP_SEGMENT (%s); falling back to sendmmsg\n", prog,
                            strerror(errno));
                    tx.gso = 0;
                    continue;
                }
            } else {
                r = send_plain(&msgs[done], k);
            }
            if (r == 0) {
                if (now_ns() >= win.end) {
                    break;
                }
                wait_writable();
                continue;
            }
            done += r;
            tx.sent += (uint64_t)r;
        }
    }
    free(msgs);
    free(iovs);
    free(data);
    return NULL;
}

/* ---- main -------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    parse_options(argc, argv, USAGE, &opt.seconds, &opt.warmup, option);
    if (opt.gso && opt.size > GSO_MAX_BYTES / 2) {
        fail("--size %d is too large for --gso 1 (at most %d)", opt.size, GSO_MAX_BYTES / 2);
    }

    struct sockaddr_in rx_addr, tx_addr;
    rx.fd = open_socket(&rx_addr, SOCK_NONBLOCK);
    tx.fd = open_socket(&tx_addr, SOCK_NONBLOCK);
    if (connect(tx.fd, (struct sockaddr *)&rx_addr, sizeof rx_addr) != 0) {
        fail("connect: %s", strerror(errno));
    }
    if (opt.gro) {
        int on = 1;
        if (setsockopt(rx.fd, SOL_UDP, UDP_GRO, &on, sizeof on) == 0) {
            rx.gro = 1;
        } else {
            fprintf(stderr, "%s: UDP_GRO refused (%s); receiving without GRO\n", prog, strerror(errno));
        }
    }
    tx.gso = opt.gso && opt.batch >= 2; /* one datagram per call never goes through GSO */

    watchdog_arm((unsigned)(opt.warmup + opt.seconds) + 1 + 10);
    win = window_from(now_ns(), opt.warmup, opt.seconds);

    pthread_t rt = start_thread(receiver);
    pthread_t st = start_thread(sender);
    pthread_join(st, NULL);
    pthread_join(rt, NULL);
    alarm(0);

    fprintf(stderr, "%s: rcvbuf %d B, sndbuf %d B (kernel-doubled), %llu GRO-coalesced buffers\n", prog,
            buffer_size(rx.fd, SO_RCVBUF), buffer_size(tx.fd, SO_SNDBUF), (unsigned long long)rx.coalesced_buffers);
    print_result(&rx.tally, tx.sent, tx.syscalls, tx.gso, rx.gro);
    close(tx.fd);
    close(rx.fd);
    return 0;
}
