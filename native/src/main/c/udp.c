/*
 * Batched UDP datagram engine: sendmmsg / UDP_SEGMENT (GSO) sendmsg on the way out, recvmmsg with
 * UDP_GRO splitting on the way in. Linux only. See pqdtls.h for the contract of every function.
 *
 * Nothing here allocates: the mmsghdr, iovec, sockaddr and control-message arrays are carved out of
 * the caller's scratch area on every call.
 */
#define _GNU_SOURCE

#include "pqdtls.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

/* The kernel's UDP_MAX_SEGMENTS was 64 until 6.x raised it to 128; 64 works everywhere. */
#define GSO_MAX_SEGMENTS 64u
/* Largest UDP payload in one IPv4 datagram (65535 - 20 - 8); IPv6 allows 65527 but keep one bound. */
#define GSO_MAX_BYTES 65507u
/* How long a send waits for socket buffer room before returning what it has sent. */
#define SEND_WAIT_MS 1000

_Static_assert(sizeof(pqdtls_udp_addr) == 24, "pqdtls_udp_addr layout");

union any_sockaddr {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
};

union gro_cmsg {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
};

union gso_cmsg {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(uint16_t))];
};

/* One scratch entry per message; laid out as parallel arrays. */
#define SCRATCH_ALIGN 16u
#define ENTRY_BYTES                                                                                \
    (sizeof(struct mmsghdr) + sizeof(struct iovec) + sizeof(union any_sockaddr) + sizeof(union gro_cmsg))

struct scratch {
    struct mmsghdr *msgs;
    struct iovec *iovs;
    union any_sockaddr *addrs;
    union gro_cmsg *cmsgs;
    uint32_t capacity;
};

static int carve(void *scratch, size_t scratch_len, struct scratch *out) {
    if (scratch == NULL) {
        return -EINVAL;
    }
    uintptr_t base = (uintptr_t)scratch;
    uintptr_t aligned = (base + (SCRATCH_ALIGN - 1)) & ~(uintptr_t)(SCRATCH_ALIGN - 1);
    if (aligned - base >= scratch_len) {
        return -EINVAL;
    }
    size_t usable = scratch_len - (aligned - base);
    size_t n = usable / ENTRY_BYTES;
    if (n == 0) {
        return -EINVAL;
    }
    if (n > 1024) {
        n = 1024; /* UIO_MAXIOV: the most iovecs (and sendmmsg messages) the kernel takes at once */
    }
    /* Each array's element size is a multiple of 8 and the base is 16-aligned, so all are aligned. */
    char *p = (char *)aligned;
    out->msgs = (struct mmsghdr *)(void *)p;
    p += n * sizeof(struct mmsghdr);
    out->iovs = (struct iovec *)(void *)p;
    p += n * sizeof(struct iovec);
    out->cmsgs = (union gro_cmsg *)(void *)p;
    p += n * sizeof(union gro_cmsg);
    out->addrs = (union any_sockaddr *)(void *)p;
    out->capacity = (uint32_t)n;
    return 0;
}

PQDTLS_API int64_t pqdtls_udp_layout(int32_t item) {
    switch (item) {
    case PQDTLS_UDP_LAYOUT_DESC_SIZE:
        return (int64_t)sizeof(pqdtls_udp_descriptor);
    case PQDTLS_UDP_LAYOUT_DESC_OFFSET:
        return (int64_t)offsetof(pqdtls_udp_descriptor, offset);
    case PQDTLS_UDP_LAYOUT_DESC_LENGTH:
        return (int64_t)offsetof(pqdtls_udp_descriptor, length);
    case PQDTLS_UDP_LAYOUT_DESC_SEGMENT_SIZE:
        return (int64_t)offsetof(pqdtls_udp_descriptor, segment_size);
    case PQDTLS_UDP_LAYOUT_DESC_FLAGS:
        return (int64_t)offsetof(pqdtls_udp_descriptor, flags);
    case PQDTLS_UDP_LAYOUT_DESC_PEER:
        return (int64_t)offsetof(pqdtls_udp_descriptor, peer);
    case PQDTLS_UDP_LAYOUT_ADDR_SIZE:
        return (int64_t)sizeof(pqdtls_udp_addr);
    case PQDTLS_UDP_LAYOUT_ADDR_FAMILY:
        return (int64_t)offsetof(pqdtls_udp_addr, family);
    case PQDTLS_UDP_LAYOUT_ADDR_PORT:
        return (int64_t)offsetof(pqdtls_udp_addr, port);
    case PQDTLS_UDP_LAYOUT_ADDR_SCOPE_ID:
        return (int64_t)offsetof(pqdtls_udp_addr, scope_id);
    case PQDTLS_UDP_LAYOUT_ADDR_BYTES:
        return (int64_t)offsetof(pqdtls_udp_addr, addr);
    case PQDTLS_UDP_LAYOUT_SCRATCH_ALIGN:
        return (int64_t)SCRATCH_ALIGN;
    default:
        return -1;
    }
}

PQDTLS_API int64_t pqdtls_udp_scratch_size(uint32_t max_datagrams) {
    uint64_t n = max_datagrams == 0 ? 1 : max_datagrams;
    if (n > 1024) {
        n = 1024;
    }
    return (int64_t)(n * ENTRY_BYTES + SCRATCH_ALIGN);
}

/* ---- capabilities ---------------------------------------------------------------------------- */

static atomic_uint caps_probed;   /* 0 = not yet; else caps | 0x80000000 */
static atomic_int gso_refused;    /* set once the kernel refused a GSO send that plain sends took */

static uint32_t probe_caps(void) {
    uint32_t caps = 0;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return 0;
    }
    int seg = 1200;
    if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) == 0) {
        caps |= PQDTLS_UDP_CAP_GSO;
    }
    int on = 1;
    if (setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on) == 0) {
        caps |= PQDTLS_UDP_CAP_GRO;
    }
    close(fd);
    return caps;
}

PQDTLS_API uint32_t pqdtls_udp_caps(void) {
    unsigned int probed = atomic_load_explicit(&caps_probed, memory_order_acquire);
    if (probed == 0) {
        probed = probe_caps() | 0x80000000u;
        atomic_store_explicit(&caps_probed, probed, memory_order_release);
    }
    uint32_t caps = probed & 0x7fffffffu;
    if (atomic_load_explicit(&gso_refused, memory_order_relaxed)) {
        caps &= ~PQDTLS_UDP_CAP_GSO;
    }
    return caps;
}

/* ---- socket management ----------------------------------------------------------------------- */

static void set_buffer(int fd, int force_opt, int opt, int32_t size) {
    if (size <= 0) {
        return;
    }
    int v = size;
    if (setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof v) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v); /* capped at net.core.[rw]mem_max */
    }
}

PQDTLS_API int32_t pqdtls_udp_open(int32_t family, const uint8_t *addr, uint32_t addr_len, int32_t port,
                                   int32_t rcvbuf, int32_t sndbuf, int32_t reuseport, int32_t gro) {
    if (port < 0 || port > 65535 || (addr_len != 0 && addr == NULL)) {
        return -EINVAL;
    }
    union any_sockaddr sa;
    socklen_t sa_len;
    int af;
    memset(&sa, 0, sizeof sa);
    if (family == PQDTLS_UDP_INET) {
        if (addr_len != 0 && addr_len != 4) {
            return -EINVAL;
        }
        af = AF_INET;
        sa.in4.sin_family = AF_INET;
        sa.in4.sin_port = htons((uint16_t)port);
        if (addr_len == 4) {
            memcpy(&sa.in4.sin_addr, addr, 4);
        }
        sa_len = sizeof sa.in4;
    } else if (family == PQDTLS_UDP_INET6) {
        if (addr_len != 0 && addr_len != 16) {
            return -EINVAL;
        }
        af = AF_INET6;
        sa.in6.sin6_family = AF_INET6;
        sa.in6.sin6_port = htons((uint16_t)port);
        if (addr_len == 16) {
            memcpy(&sa.in6.sin6_addr, addr, 16);
        }
        sa_len = sizeof sa.in6;
    } else {
        return -EAFNOSUPPORT;
    }
    int fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
        return -errno;
    }
    int on = 1, off = 0;
    if (af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0) {
        goto fail;
    }
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
        goto fail;
    }
    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
    set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);
    if (gro && (pqdtls_udp_caps() & PQDTLS_UDP_CAP_GRO)) {
        (void)setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on);
    }
    if (bind(fd, &sa.sa, sa_len) != 0) {
        goto fail;
    }
    return fd;
fail:;
    int err = errno;
    close(fd);
    return -err;
}

PQDTLS_API int32_t pqdtls_udp_local_port(int32_t fd) {
    union any_sockaddr sa;
    socklen_t len = sizeof sa;
    if (getsockname(fd, &sa.sa, &len) != 0) {
        return -errno;
    }
    if (sa.sa.sa_family == AF_INET) {
        return ntohs(sa.in4.sin_port);
    }
    if (sa.sa.sa_family == AF_INET6) {
        return ntohs(sa.in6.sin6_port);
    }
    return -EAFNOSUPPORT;
}

PQDTLS_API int32_t pqdtls_udp_gro_enabled(int32_t fd) {
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, SOL_UDP, UDP_GRO, &v, &len) != 0) {
        return errno == ENOPROTOOPT ? 0 : -errno;
    }
    return v != 0;
}

PQDTLS_API int32_t pqdtls_udp_close(int32_t fd) {
    if (fd < 0) {
        return -EBADF;
    }
    /* Linux frees the descriptor even when close reports EINTR: never retry. */
    if (close(fd) != 0 && errno != EINTR) {
        return -errno;
    }
    return 0;
}

/* ---- addresses ------------------------------------------------------------------------------- */

static int to_sockaddr(const pqdtls_udp_addr *a, union any_sockaddr *sa, socklen_t *len) {
    memset(sa, 0, sizeof *sa);
    if (a->family == PQDTLS_UDP_INET) {
        sa->in4.sin_family = AF_INET;
        sa->in4.sin_port = htons(a->port);
        memcpy(&sa->in4.sin_addr, a->addr, 4);
        *len = sizeof sa->in4;
        return 0;
    }
    if (a->family == PQDTLS_UDP_INET6) {
        sa->in6.sin6_family = AF_INET6;
        sa->in6.sin6_port = htons(a->port);
        sa->in6.sin6_scope_id = a->scope_id;
        memcpy(&sa->in6.sin6_addr, a->addr, 16);
        *len = sizeof sa->in6;
        return 0;
    }
    return -EAFNOSUPPORT;
}

static void from_sockaddr(const union any_sockaddr *sa, socklen_t len, pqdtls_udp_addr *a) {
    memset(a, 0, sizeof *a);
    if (len >= sizeof sa->in4 && sa->sa.sa_family == AF_INET) {
        a->family = PQDTLS_UDP_INET;
        a->port = ntohs(sa->in4.sin_port);
        memcpy(a->addr, &sa->in4.sin_addr, 4);
    } else if (len >= sizeof sa->in6 && sa->sa.sa_family == AF_INET6) {
        a->port = ntohs(sa->in6.sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&sa->in6.sin6_addr)) {
            /* An IPv4 peer of a dual-stack socket: report it as IPv4. */
            a->family = PQDTLS_UDP_INET;
            memcpy(a->addr, &sa->in6.sin6_addr.s6_addr[12], 4);
        } else {
            a->family = PQDTLS_UDP_INET6;
            a->scope_id = sa->in6.sin6_scope_id;
            memcpy(a->addr, &sa->in6.sin6_addr, 16);
        }
    }
}

/* ---- connecting ------------------------------------------------------------------------------ */

PQDTLS_API int32_t pqdtls_udp_connect(int32_t fd, const pqdtls_udp_addr *peer) {
    if (peer == NULL) {
        return -EINVAL;
    }
    union any_sockaddr sa, local;
    socklen_t len, local_len = sizeof local;
    int rc = to_sockaddr(peer, &sa, &len);
    if (rc < 0) {
        return rc;
    }
    if (getsockname(fd, &local.sa, &local_len) != 0) {
        return -errno;
    }
    if (local.sa.sa_family == AF_INET6 && sa.sa.sa_family == AF_INET) {
        /* A dual-stack socket reaches an IPv4 peer through its v4-mapped address. */
        struct sockaddr_in6 m;
        memset(&m, 0, sizeof m);
        m.sin6_family = AF_INET6;
        m.sin6_port = sa.in4.sin_port;
        m.sin6_addr.s6_addr[10] = 0xff;
        m.sin6_addr.s6_addr[11] = 0xff;
        memcpy(&m.sin6_addr.s6_addr[12], &sa.in4.sin_addr, 4);
        sa.in6 = m;
        len = sizeof m;
    }
    return connect(fd, &sa.sa, len) == 0 ? 0 : -errno;
}

/* ---- waiting --------------------------------------------------------------------------------- */

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` until `deadline` (ms, CLOCK_MONOTONIC; < 0 forever). 1 ready, 0 timeout, -errno. */
static int wait_fd(int fd, short events, int64_t deadline) {
    for (;;) {
        int timeout = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left < 0) {
                left = 0;
            }
            timeout = left > 0x7fffffff ? 0x7fffffff : (int)left;
        }
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int r = poll(&p, 1, timeout);
        if (r > 0) {
            if (p.revents & POLLNVAL) {
                return -EBADF;
            }
            return 1; /* ready, or POLLERR/POLLHUP: the next syscall reports the error */
        }
        if (r == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return -errno;
        }
    }
}

/* ---- sending --------------------------------------------------------------------------------- */

/* Whether the batch qualifies for UDP_SEGMENT: all lengths equal except a shorter-or-equal last. */
static int gso_eligible(uint32_t n, const uint32_t *lens) {
    if (n < 2) {
        return 0;
    }
    uint32_t size = lens[0];
    if (size == 0 || size > GSO_MAX_BYTES / 2 || lens[n - 1] == 0 || lens[n - 1] > size) {
        return 0;
    }
    for (uint32_t i = 1; i + 1 < n; i++) {
        if (lens[i] != size) {
            return 0;
        }
    }
    return 1;
}

/*
 * One sendmsg with a UDP_SEGMENT control message carrying datagrams [from, from + k) of the batch
 * as k iovecs. Returns k, or -errno.
 */
static int send_gso(int fd, const union any_sockaddr *peer, socklen_t peer_len, struct iovec *iovs,
                    uint32_t k, uint16_t seg) {
    union gso_cmsg control;
    memset(&control, 0, sizeof control);
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = (void *)peer;
    msg.msg_namelen = peer_len;
    msg.msg_iov = iovs;
    msg.msg_iovlen = k;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    memcpy(CMSG_DATA(c), &seg, sizeof seg);
    ssize_t r;
    do {
        r = sendmsg(fd, &msg, 0);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : (int)k;
}

/* sendmmsg of k prepared messages (or sendmsg when k is 1); returns how many went, or -errno. */
static int send_plain(int fd, struct mmsghdr *msgs, uint32_t k) {
    int r;
    do {
        if (k == 1) {
            ssize_t s = sendmsg(fd, &msgs[0].msg_hdr, 0);
            r = s < 0 ? -1 : 1;
        } else {
            r = sendmmsg(fd, msgs, k, 0);
        }
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

PQDTLS_API int32_t pqdtls_udp_send_batch(int32_t fd, uint32_t n, const uint8_t *const *bufs,
                                         const uint32_t *lens, const pqdtls_udp_addr *peers,
                                         uint32_t peer_count, uint32_t flags, void *scratch,
                                         size_t scratch_len, uint64_t *stats) {
    if (n == 0) {
        return 0;
    }
    if (n > 0x7fffffffu || bufs == NULL || lens == NULL || peers == NULL ||
        (peer_count != 1 && peer_count != n)) {
        return -EINVAL;
    }
    struct scratch s;
    int rc = carve(scratch, scratch_len, &s);
    if (rc < 0) {
        return rc;
    }
    socklen_t one_len = 0;
    if (peer_count == 1 && (rc = to_sockaddr(&peers[0], &s.addrs[0], &one_len)) < 0) {
        return rc;
    }
    int use_gso = (flags & PQDTLS_UDP_SEND_GSO) && peer_count == 1 && gso_eligible(n, lens) &&
                  (pqdtls_udp_caps() & PQDTLS_UDP_CAP_GSO);
    int64_t deadline = -1;
    uint32_t sent = 0;
    while (sent < n) {
        uint32_t k = n - sent;
        if (k > s.capacity) {
            k = s.capacity;
        }
        int r;
        if (use_gso) {
            uint32_t seg = lens[0];
            uint32_t per_call = GSO_MAX_BYTES / seg;
            if (per_call > GSO_MAX_SEGMENTS) {
                per_call = GSO_MAX_SEGMENTS;
            }
            if (k > per_call) {
                k = per_call;
            }
            for (uint32_t i = 0; i < k; i++) {
                s.iovs[i].iov_base = (void *)bufs[sent + i];
                s.iovs[i].iov_len = lens[sent + i];
            }
            r = send_gso(fd, &s.addrs[0], one_len, s.iovs, k, (uint16_t)seg);
            if (stats) {
                stats[PQDTLS_UDP_STAT_SYSCALLS]++;
                if (r > 0) {
                    stats[PQDTLS_UDP_STAT_GSO_DATAGRAMS] += (uint64_t)r;
                }
            }
            if (r == -EIO || r == -EINVAL) {
                /* The device or kernel will not segment: retry these plainly; remember if that works. */
                use_gso = 0;
                uint32_t before = sent;
                int32_t plain = pqdtls_udp_send_batch(fd, k, bufs + sent, lens + sent, peers, 1,
                                                      flags & ~PQDTLS_UDP_SEND_GSO, scratch, scratch_len,
                                                      stats);
                if (plain > 0) {
                    atomic_store_explicit(&gso_refused, 1, memory_order_relaxed);
                    sent = before + (uint32_t)plain;
                    if ((uint32_t)plain < k) {
                        break;
                    }
                    continue;
                }
                r = plain;
            }
        } else {
            for (uint32_t i = 0; i < k; i++) {
                struct msghdr *h = &s.msgs[i].msg_hdr;
                memset(h, 0, sizeof *h);
                s.iovs[i].iov_base = (void *)bufs[sent + i];
                s.iovs[i].iov_len = lens[sent + i];
                h->msg_iov = &s.iovs[i];
                h->msg_iovlen = 1;
                if (peer_count == 1) {
                    h->msg_name = &s.addrs[0];
                    h->msg_namelen = one_len;
                } else {
                    socklen_t len;
                    if ((rc = to_sockaddr(&peers[sent + i], &s.addrs[i], &len)) < 0) {
                        if (i == 0) {
                            return sent > 0 ? (int32_t)sent : rc;
                        }
                        k = i; /* send the good ones first; the next call reports the bad address */
                        break;
                    }
                    h->msg_name = &s.addrs[i];
                    h->msg_namelen = len;
                }
            }
            r = send_plain(fd, s.msgs, k);
            if (stats) {
                stats[PQDTLS_UDP_STAT_SYSCALLS]++;
            }
        }
        if (r == -EAGAIN || r == -EWOULDBLOCK || r == -ENOBUFS) {
            if (flags & PQDTLS_UDP_SEND_NOWAIT) {
                return sent > 0 ? (int32_t)sent : r;
            }
            if (deadline < 0) {
                deadline = now_ms() + SEND_WAIT_MS;
            }
            int w = wait_fd(fd, POLLOUT, deadline);
            if (w <= 0) {
                return sent > 0 ? (int32_t)sent : (w == 0 ? r : w);
            }
            continue;
        }
        if (r < 0) {
            return sent > 0 ? (int32_t)sent : r;
        }
        sent += (uint32_t)r;
        if (stats) {
            stats[PQDTLS_UDP_STAT_DATAGRAMS] += (uint64_t)r;
        }
        if (!use_gso && (uint32_t)r < k) {
            /* sendmmsg stopped early: the next message would have failed; let it report itself. */
            continue;
        }
    }
    return (int32_t)sent;
}

/* ---- receiving ------------------------------------------------------------------------------- */

PQDTLS_API int32_t pqdtls_udp_recv_batch(int32_t fd, uint8_t *arena, size_t arena_len, uint32_t slot_len,
                                         pqdtls_udp_descriptor *descs, uint32_t max_descs,
                                         int32_t timeout_ms, void *scratch, size_t scratch_len) {
    if (arena == NULL || descs == NULL || slot_len == 0 || max_descs == 0 || max_descs > 0x7fffffffu) {
        return -EINVAL;
    }
    struct scratch s;
    int rc = carve(scratch, scratch_len, &s);
    if (rc < 0) {
        return rc;
    }
    size_t slots = arena_len / slot_len;
    if (slots == 0 || (uint64_t)(slots - 1) * slot_len > 0xffffffffu) {
        return -EINVAL; /* descriptor offsets are 32-bit */
    }
    if (slots > s.capacity) {
        slots = s.capacity;
    }
    if (slots > max_descs) {
        slots = max_descs;
    }
    uint32_t vlen = (uint32_t)slots;
    for (uint32_t i = 0; i < vlen; i++) {
        struct msghdr *h = &s.msgs[i].msg_hdr;
        s.iovs[i].iov_base = arena + (size_t)i * slot_len;
        s.iovs[i].iov_len = slot_len;
        h->msg_name = &s.addrs[i];
        h->msg_namelen = sizeof s.addrs[i];
        h->msg_iov = &s.iovs[i];
        h->msg_iovlen = 1;
        h->msg_control = s.cmsgs[i].buf;
        h->msg_controllen = sizeof s.cmsgs[i].buf;
        h->msg_flags = 0;
        s.msgs[i].msg_len = 0;
    }
    int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    int got;
    for (;;) {
        got = recvmmsg(fd, s.msgs, vlen, MSG_DONTWAIT, NULL);
        if (got > 0) {
            break;
        }
        if (got == 0) {
            return 0;
        }
        int err = errno;
        if (err == EINTR) {
            continue;
        }
        if (err != EAGAIN && err != EWOULDBLOCK) {
            return -err;
        }
        if (timeout_ms == 0) {
            return 0;
        }
        int w = wait_fd(fd, POLLIN, deadline);
        if (w < 0) {
            return w;
        }
        if (w == 0) {
            return 0;
        }
    }
    uint32_t out = 0;
    for (int i = 0; i < got; i++) {
        struct msghdr *h = &s.msgs[i].msg_hdr;
        uint32_t len = s.msgs[i].msg_len;
        if (len > slot_len) {
            len = slot_len;
        }
        uint32_t base = (uint32_t)((size_t)i * slot_len);
        uint32_t flags = (h->msg_flags & MSG_TRUNC) ? PQDTLS_UDP_DESC_TRUNCATED : 0;
        uint32_t seg = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
                c->cmsg_len >= CMSG_LEN(sizeof(int))) {
                int v;
                memcpy(&v, CMSG_DATA(c), sizeof v);
                seg = v > 0 ? (uint32_t)v : 0;
            }
        }
        pqdtls_udp_addr peer;
        from_sockaddr(&s.addrs[i], h->msg_namelen, &peer);
        if (seg == 0 || seg >= len) {
            pqdtls_udp_descriptor *d = &descs[out++];
            d->offset = base;
            d->length = len;
            d->segment_size = 0;
            d->flags = flags;
            d->peer = peer;
            continue;
        }
        /*
         * A GRO-coalesced buffer: one descriptor per segment (the last may be shorter), keeping one
         * descriptor for each message still to come (slots <= max_descs guarantees that much).
         */
        uint32_t limit = max_descs - (uint32_t)(got - i - 1);
        for (uint32_t off = 0; off < len; off += seg) {
            pqdtls_udp_descriptor *d = &descs[out++];
            uint32_t left = len - off;
            d->offset = base + off;
            d->segment_size = seg;
            d->peer = peer;
            if (out == limit && left > seg) {
                d->length = left; /* out of descriptors: leave the rest coalesced */
                d->flags = flags | PQDTLS_UDP_DESC_COALESCED;
                break;
            }
            d->length = left < seg ? left : seg;
            d->flags = left <= seg ? flags : 0;
        }
    }
    return (int32_t)out;
}

PQDTLS_API int32_t pqdtls_udp_strerror(int32_t code, uint8_t *buf, uint32_t len) {
    if (buf == NULL || len == 0) {
        return -EINVAL;
    }
    int err = code < 0 ? -code : code;
    char tmp[256];
    const char *text = strerror_r(err, tmp, sizeof tmp); /* GNU variant: returns the text */
    size_t n = strlen(text);
    if (n >= len) {
        n = len - 1;
    }
    memcpy(buf, text, n);
    buf[n] = '\0';
    return (int32_t)n;
}
