/*
 * pqdtls native data plane: the C ABI that the Java bindings (FFM today, JNA later) call.
 *
 * The ABI is deliberately plain: opaque handles, byte buffers, integer lengths and status codes.
 * Functions never call back into the JVM, never keep pointers to caller buffers after they return,
 * and leave OpenSSL's thread-local error queue empty on return.
 */
#ifndef PQDTLS_H
#define PQDTLS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PQDTLS_API __attribute__((visibility("default")))
#else
#define PQDTLS_API
#endif

/* Bumped whenever a function signature, struct or constant below changes meaning. */
#define PQDTLS_ABI_VERSION 4

/* Status codes: 0 is success, failures are negative. */
#define PQDTLS_OK 0
#define PQDTLS_ERR_ARGUMENT (-1)     /* null pointer, bad length, count out of range */
#define PQDTLS_ERR_UNSUPPORTED (-2)  /* unknown suite or hash id */
#define PQDTLS_ERR_NOMEM (-3)        /* allocation failed */
#define PQDTLS_ERR_CRYPTO (-4)       /* libcrypto refused an operation that should not fail */
#define PQDTLS_ERR_AUTH (-5)         /* record did not authenticate (bad_record_mac) */
#define PQDTLS_ERR_PEER (-6)         /* the peer's key share is invalid (illegal_parameter) */

/* Cipher suites by their IANA codepoint (RFC 8446 §B.4). */
#define PQDTLS_SUITE_AES_128_GCM_SHA256 0x1301
#define PQDTLS_SUITE_AES_256_GCM_SHA384 0x1302
#define PQDTLS_SUITE_CHACHA20_POLY1305_SHA256 0x1303
#define PQDTLS_SUITE_AES_128_CCM_SHA256 0x1304
#define PQDTLS_SUITE_AES_128_CCM_8_SHA256 0x1305

#define PQDTLS_IV_LENGTH 12
/* The longest tag (16 bytes); TLS_AES_128_CCM_8_SHA256's is 8. */
#define PQDTLS_TAG_LENGTH 16
#define PQDTLS_MASK_LENGTH 16

/* Hash ids for the hash/HMAC/HKDF functions. */
#define PQDTLS_HASH_SHA256 1
#define PQDTLS_HASH_SHA384 2
#define PQDTLS_MAX_HASH_LENGTH 48

/* CPU feature bits returned by pqdtls_cpu_features(). */
#define PQDTLS_CPU_X86_AESNI (1u << 0)
#define PQDTLS_CPU_X86_PCLMULQDQ (1u << 1)
#define PQDTLS_CPU_X86_AVX2 (1u << 2)
#define PQDTLS_CPU_X86_AVX512F (1u << 3)
#define PQDTLS_CPU_X86_VAES (1u << 4)
#define PQDTLS_CPU_X86_VPCLMULQDQ (1u << 5)
#define PQDTLS_CPU_X86_SHA (1u << 6)
#define PQDTLS_CPU_ARM_AES (1u << 16)
#define PQDTLS_CPU_ARM_PMULL (1u << 17)
#define PQDTLS_CPU_ARM_SHA2 (1u << 18)
#define PQDTLS_CPU_ARM_SHA3 (1u << 19)

/* ---- library ------------------------------------------------------------------------------ */

/* PQDTLS_ABI_VERSION of the compiled library; bindings refuse a library that differs. */
PQDTLS_API int32_t pqdtls_abi_version(void);

/* OpenSSL_version_num() of the libcrypto this library is bound to at run time. */
PQDTLS_API uint64_t pqdtls_libcrypto_version_num(void);

/* ---- CPU features ------------------------------------------------------------------------- */

/* Bitmask of PQDTLS_CPU_* features usable on this CPU and OS (AVX state enabled via XCR0). */
PQDTLS_API uint32_t pqdtls_cpu_features(void);

/*
 * Display name of feature bit `bit` (0..31), e.g. "AES-NI", or NULL when the bit means nothing on
 * this architecture. Lets bindings list features without retyping the table.
 */
PQDTLS_API const char *pqdtls_cpu_feature_name(int32_t bit);

/* ---- record protection (RFC 8446 §5.2-5.3, RFC 9147 §4.2.3) -------------------------------- */

typedef struct pqdtls_rp pqdtls_rp;

/*
 * Creates record protection for one direction and epoch. key and sn_key are the suite's key
 * length (16 or 32), iv is 12 bytes. On success stores the handle in *out and returns PQDTLS_OK.
 */
PQDTLS_API int32_t pqdtls_rp_create(int32_t suite, const uint8_t *key, uint32_t key_len,
                                    const uint8_t *iv, uint32_t iv_len, const uint8_t *sn_key,
                                    uint32_t sn_key_len, pqdtls_rp **out);

/* Wipes the keys and frees the handle. NULL is ignored. */
PQDTLS_API void pqdtls_rp_free(pqdtls_rp *rp);

/*
 * Frees the cipher contexts (the expanded key schedules, kilobytes) of an idle handle and keeps
 * only its keys; the next seal, open or mask rebuilds them. NULL is ignored.
 */
PQDTLS_API void pqdtls_rp_trim(pqdtls_rp *rp);

/* Bytes a trimmed handle holds (the struct itself, allocated with malloc): for memory accounting. */
PQDTLS_API int32_t pqdtls_rp_idle_size(void);

/*
 * Seals one record in place, as one record of pqdtls_rp_seal_batch: plaintext_len bytes at record, the
 * tag written after them. For the engine's single records (handshake, ACK, alert), which need no
 * descriptor arrays.
 */
PQDTLS_API int32_t pqdtls_rp_seal(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len, uint8_t *record,
                                  uint32_t plaintext_len);

/* Opens one record in place (ciphertext and tag, record_len bytes): PQDTLS_OK or PQDTLS_ERR_AUTH (then wiped). */
PQDTLS_API int32_t pqdtls_rp_open(pqdtls_rp *rp, uint64_t seq, const uint8_t *aad, uint32_t aad_len, uint8_t *record,
                                  uint32_t record_len);

/*
 * Seals `count` records in place. Record i holds plaintext_lens[i] bytes at records[i] and must
 * have room for the suite's tag (16 bytes, 8 for AES-CCM-8) more, where the tag is written. The nonce is the IV XOR the
 * sequence number left-padded to 12 bytes. aads[i] may be NULL when aad_lens[i] is 0.
 * Returns PQDTLS_OK, or a negative code at the first record that failed.
 */
PQDTLS_API int32_t pqdtls_rp_seal_batch(pqdtls_rp *rp, uint32_t count, const uint64_t *seqs,
                                        const uint8_t *const *aads, const uint32_t *aad_lens,
                                        uint8_t *const *records, const uint32_t *plaintext_lens);

/*
 * Opens `count` records in place. Record i holds ciphertext and tag (record_lens[i] bytes); on
 * success the plaintext is its first record_lens[i] minus the tag length bytes and status[i] = PQDTLS_OK,
 * otherwise status[i] = PQDTLS_ERR_AUTH and the unverified plaintext is wiped. One bad record never
 * stops the others. Returns the number of records that authenticated, or a negative code if the
 * arguments are unusable (then status is untouched).
 */
PQDTLS_API int32_t pqdtls_rp_open_batch(pqdtls_rp *rp, uint32_t count, const uint64_t *seqs,
                                        const uint8_t *const *aads, const uint32_t *aad_lens,
                                        uint8_t *const *records, const uint32_t *record_lens,
                                        int32_t *status);

/* Writes the 16-byte record-number mask for a 16-byte ciphertext sample (RFC 9147 §4.2.3). */
PQDTLS_API int32_t pqdtls_rp_mask(pqdtls_rp *rp, const uint8_t *sample, uint8_t *mask);

/* ---- hashing, HMAC, HKDF (RFC 2104, RFC 5869) -------------------------------------------- */

typedef struct pqdtls_hash pqdtls_hash;

/* Output length of a hash id, or a negative code. */
PQDTLS_API int32_t pqdtls_hash_length(int32_t hash);

/* A new incremental hash; NULL on failure. */
PQDTLS_API pqdtls_hash *pqdtls_hash_new(int32_t hash);

/* An independent copy in the same state (EVP_MD_CTX_copy_ex); NULL on failure. */
PQDTLS_API pqdtls_hash *pqdtls_hash_copy(const pqdtls_hash *h);

PQDTLS_API int32_t pqdtls_hash_update(pqdtls_hash *h, const uint8_t *data, size_t len);

/* Writes the digest of everything so far to out without ending the hash. */
PQDTLS_API int32_t pqdtls_hash_current(const pqdtls_hash *h, uint8_t *out);

PQDTLS_API void pqdtls_hash_free(pqdtls_hash *h);

/* HMAC of data under key; writes pqdtls_hash_length(hash) bytes to out. */
PQDTLS_API int32_t pqdtls_hmac(int32_t hash, const uint8_t *key, size_t key_len,
                               const uint8_t *data, size_t data_len, uint8_t *out);

/* HKDF-Extract; an empty salt means hash-length zeros. Writes the hash length to out. */
PQDTLS_API int32_t pqdtls_hkdf_extract(int32_t hash, const uint8_t *salt, size_t salt_len,
                                       const uint8_t *ikm, size_t ikm_len, uint8_t *out);

/* HKDF-Expand to out_len bytes (at most 255 * hash length). */
PQDTLS_API int32_t pqdtls_hkdf_expand(int32_t hash, const uint8_t *prk, size_t prk_len,
                                      const uint8_t *info, size_t info_len, uint8_t *out,
                                      size_t out_len);

/* One-shot hash of data; writes pqdtls_hash_length(hash) bytes to out. */
PQDTLS_API int32_t pqdtls_digest(int32_t hash, const uint8_t *data, size_t len, uint8_t *out);

/* ---- TLS 1.3 key schedule (RFC 8446 §7.1, §7.3, §4.4.4; RFC 9147 §4.2.3, §5.9) -------------
 *
 * Each function is one step of a handshake's key derivation in one call. `prefix` is the label
 * prefix: "tls13 " for TLS 1.3, "dtls13" for DTLS 1.3. HMACs run on a per-thread context keyed afresh
 * each time, so no step allocates or fetches anything from libcrypto.
 */

/*
 * One stage of the schedule and the secrets derived from it:
 *   stage     = HKDF-Extract(Derive-Secret(previous, "derived", ""), ikm)
 *   secret[i] = Derive-Secret(stage, label[i], transcript_hash)
 *   key[i] || iv[i] || sn_key[i] of secret[i] for i < keyed (key_len, 12 and key_len bytes)
 * previous_len 0 means the early secret without a PSK, HKDF-Extract(0, 0); ikm_len 0 means hash-length
 * zeros (the master secret). labels holds each label (without the prefix) as a length byte and its
 * bytes. out_len must be hash_length * (1 + labels) + keyed * (2 * key_len + 12); out receives stage,
 * the secrets, then the keys. Everything is wiped on failure.
 */
PQDTLS_API int32_t pqdtls_tls13_schedule_step(int32_t hash, const uint8_t *prefix, uint32_t prefix_len,
                                              const uint8_t *previous, uint32_t previous_len,
                                              const uint8_t *ikm, uint32_t ikm_len,
                                              const uint8_t *transcript_hash, uint32_t transcript_len,
                                              const uint8_t *labels, uint32_t labels_len, uint32_t keyed,
                                              uint32_t key_len, uint8_t *out, uint32_t out_len);

/* key || iv || sn_key of one traffic secret (hash length); out_len = 2 * key_len + 12. */
PQDTLS_API int32_t pqdtls_tls13_traffic_keys(int32_t hash, const uint8_t *prefix, uint32_t prefix_len,
                                             const uint8_t *secret, uint32_t secret_len, uint32_t key_len,
                                             uint8_t *out, uint32_t out_len);

/* Finished verify_data = HMAC(HKDF-Expand-Label(base_key, "finished", "", h), transcript_hash); h bytes. */
PQDTLS_API int32_t pqdtls_tls13_finished(int32_t hash, const uint8_t *prefix, uint32_t prefix_len,
                                         const uint8_t *base_key, uint32_t base_key_len,
                                         const uint8_t *transcript_hash, uint32_t transcript_len, uint8_t *out);

/* ---- key exchange (pk.c; RFC 8446 §4.2.8, RFC 7748, draft-ietf-tls-ecdhe-mlkem) -------------
 *
 * Groups by their IANA codepoint. Shares and secrets have the fixed lengths of the group; a hybrid's
 * are its components' concatenated (ML-KEM-768 first in X25519MLKEM768, secp256r1 first in
 * SecP256r1MLKEM768). P-256 points are uncompressed. ML-KEM needs libcrypto 3.5 or newer. Callers
 * check lengths and the ML-KEM encapsulation key (FIPS 203 §7.2) before calling; PQDTLS_ERR_PEER means
 * libcrypto refused the peer's value (not a point on the curve, an all-zero X25519 secret, an
 * encapsulation key it would not import).
 */
#define PQDTLS_GROUP_SECP256R1 0x0017
#define PQDTLS_GROUP_X25519 0x001D
#define PQDTLS_GROUP_MLKEM768 0x0201
#define PQDTLS_GROUP_SECP256R1_MLKEM768 0x11EB
#define PQDTLS_GROUP_X25519_MLKEM768 0x11EC

typedef struct pqdtls_kex pqdtls_kex;

/* 1 if this library and libcrypto can do the group, else 0. */
PQDTLS_API int32_t pqdtls_kex_supported(int32_t group);

/* Server side in one call: our share for the client's share and the shared secret. */
PQDTLS_API int32_t pqdtls_kex_respond(int32_t group, const uint8_t *client_share, uint32_t client_share_len,
                                      uint8_t *share, uint32_t share_len, uint8_t *secret, uint32_t secret_len);

/* Client side: a fresh ephemeral key (*out) and its share for the ClientHello. */
PQDTLS_API int32_t pqdtls_kex_generate(int32_t group, pqdtls_kex **out, uint8_t *share, uint32_t share_len);

/* Client side: the shared secret from the server's share. The key stays until pqdtls_kex_free. */
PQDTLS_API int32_t pqdtls_kex_finish(pqdtls_kex *k, const uint8_t *server_share, uint32_t server_share_len,
                                     uint8_t *secret, uint32_t secret_len);

/* Frees (and cleanses) the ephemeral keys. NULL is ignored. */
PQDTLS_API void pqdtls_kex_free(pqdtls_kex *k);

/*
 * Static ECDH for known-answer tests: a 32-byte private key (big-endian scalar in [1, n-1] for
 * secp256r1, RFC 7748 bytes for X25519) with the peer's public value; 32 bytes of secret.
 */
PQDTLS_API int32_t pqdtls_ecdh(int32_t group, const uint8_t *private_key, uint32_t private_len, const uint8_t *peer,
                               uint32_t peer_len, uint8_t *secret, uint32_t secret_len);

/* ---- signatures (pk.c; RFC 8446 §4.2.3) ---------------------------------------------------- */

/* Signature schemes by their TLS codepoint. */
#define PQDTLS_SCHEME_RSA_PKCS1_SHA256 0x0401
#define PQDTLS_SCHEME_ECDSA_SECP256R1_SHA256 0x0403
#define PQDTLS_SCHEME_RSA_PKCS1_SHA384 0x0501
#define PQDTLS_SCHEME_RSA_PSS_RSAE_SHA256 0x0804
#define PQDTLS_SCHEME_RSA_PSS_RSAE_SHA384 0x0805
#define PQDTLS_SCHEME_ED25519 0x0807

/* Public key types of pqdtls_verify_raw. */
#define PQDTLS_KEY_EC_P256 1 /* a: the uncompressed point (65 bytes) */
#define PQDTLS_KEY_ED25519 2 /* a: the 32-byte public key */
#define PQDTLS_KEY_RSA 3     /* a: the modulus, b: the public exponent, both big-endian */

/* A decoded key (libcrypto's EVP_PKEY), shareable across threads for signing and verifying. */
typedef struct pqdtls_key pqdtls_key;

/* Decodes a PKCS#8 PrivateKeyInfo (any type libcrypto knows). Decode once per key: it is slow. */
PQDTLS_API int32_t pqdtls_key_private_der(const uint8_t *der, uint32_t len, pqdtls_key **out);

/* Decodes an X.509 SubjectPublicKeyInfo. */
PQDTLS_API int32_t pqdtls_key_public_der(const uint8_t *der, uint32_t len, pqdtls_key **out);

/* Frees (and cleanses) a key. NULL is ignored. */
PQDTLS_API void pqdtls_key_free(pqdtls_key *key);

/* Signs msg (not a digest) with a scheme; returns the signature length (at most sig_cap). */
PQDTLS_API int32_t pqdtls_sign(pqdtls_key *key, int32_t scheme, const uint8_t *msg, uint32_t msg_len, uint8_t *sig,
                               uint32_t sig_cap);

/* 1 if sig is a valid signature of msg, 0 if it is not (malformed included), < 0 if the key is unusable. */
PQDTLS_API int32_t pqdtls_verify(pqdtls_key *key, int32_t scheme, const uint8_t *msg, uint32_t msg_len,
                                 const uint8_t *sig, uint32_t sig_len);

/* As pqdtls_verify with a public key given by its parts (PQDTLS_KEY_*), imported without DER decoding. */
PQDTLS_API int32_t pqdtls_verify_raw(int32_t key_type, const uint8_t *a, uint32_t a_len, const uint8_t *b,
                                     uint32_t b_len, int32_t scheme, const uint8_t *msg, uint32_t msg_len,
                                     const uint8_t *sig, uint32_t sig_len);

/* ---- randomness --------------------------------------------------------------------------- */

/* Fills out with len bytes from libcrypto's CSPRNG (RAND_bytes). */
PQDTLS_API int32_t pqdtls_random_bytes(uint8_t *out, size_t len);

/* ---- batched UDP datagram engine (udp.c, Linux) ----------------------------------------------
 *
 * Sockets are plain file descriptors opened non-blocking; waiting is done inside the batch calls with
 * poll(2) (a receive timeout, and a bounded wait for room when a send would block). Failures return
 * -errno (e.g. -EAGAIN, -EBADF); pqdtls_udp_strerror() turns one into text. Nothing is kept after a
 * call returns except the socket itself and a process-wide "GSO failed" flag.
 *
 * Addresses cross the boundary as pqdtls_udp_addr; received datagrams are described by
 * pqdtls_udp_descriptor. Bindings must take the sizes and offsets of both from pqdtls_udp_layout(),
 * never from their own idea of C struct layout. The mmsghdr/iovec/sockaddr/cmsg arrays that the
 * batch calls need live in a caller-owned scratch area of pqdtls_udp_scratch_size(n) bytes.
 */

/* Address families as this ABI numbers them (not AF_*). */
#define PQDTLS_UDP_INET 4
#define PQDTLS_UDP_INET6 6

/* An IPv4 or IPv6 address and port. IPv4 uses the first 4 bytes of addr; port is host order. */
typedef struct pqdtls_udp_addr {
    uint8_t family; /* PQDTLS_UDP_INET, PQDTLS_UDP_INET6, or 0 when unknown */
    uint8_t reserved;
    uint16_t port;
    uint32_t scope_id; /* IPv6 scope (interface index), else 0 */
    uint8_t addr[16];
} pqdtls_udp_addr;

/* Descriptor flags. */
#define PQDTLS_UDP_DESC_TRUNCATED (1u << 0) /* the datagram was longer than its arena slot */
#define PQDTLS_UDP_DESC_COALESCED (1u << 1) /* several segments left in one descriptor (see recv) */

/* One received datagram: `length` bytes at arena + `offset`. */
typedef struct pqdtls_udp_descriptor {
    uint32_t offset;
    uint32_t length;
    uint32_t segment_size; /* GRO segment size of the buffer it was split from, 0 if not coalesced */
    uint32_t flags;        /* PQDTLS_UDP_DESC_* */
    pqdtls_udp_addr peer;
} pqdtls_udp_descriptor;

/* Items for pqdtls_udp_layout(). */
#define PQDTLS_UDP_LAYOUT_DESC_SIZE 0
#define PQDTLS_UDP_LAYOUT_DESC_OFFSET 1
#define PQDTLS_UDP_LAYOUT_DESC_LENGTH 2
#define PQDTLS_UDP_LAYOUT_DESC_SEGMENT_SIZE 3
#define PQDTLS_UDP_LAYOUT_DESC_FLAGS 4
#define PQDTLS_UDP_LAYOUT_DESC_PEER 5
#define PQDTLS_UDP_LAYOUT_ADDR_SIZE 6
#define PQDTLS_UDP_LAYOUT_ADDR_FAMILY 7
#define PQDTLS_UDP_LAYOUT_ADDR_PORT 8
#define PQDTLS_UDP_LAYOUT_ADDR_SCOPE_ID 9
#define PQDTLS_UDP_LAYOUT_ADDR_BYTES 10
#define PQDTLS_UDP_LAYOUT_SCRATCH_ALIGN 11

/* Capability bits of pqdtls_udp_caps(). */
#define PQDTLS_UDP_CAP_GSO (1u << 0) /* UDP_SEGMENT accepted by this kernel (and not since refused) */
#define PQDTLS_UDP_CAP_GRO (1u << 1) /* UDP_GRO accepted by this kernel */

/* Flags of pqdtls_udp_send_batch(). */
#define PQDTLS_UDP_SEND_GSO (1u << 0)    /* use one UDP_SEGMENT sendmsg when the batch allows it */
#define PQDTLS_UDP_SEND_NOWAIT (1u << 1) /* return at once when the socket buffer is full */

/* Indexes of the counters that pqdtls_udp_send_batch() adds to. */
#define PQDTLS_UDP_STAT_GSO_DATAGRAMS 0 /* datagrams sent inside UDP_SEGMENT sendmsg calls */
#define PQDTLS_UDP_STAT_SYSCALLS 1      /* sendmsg/sendmmsg calls made */
#define PQDTLS_UDP_STAT_DATAGRAMS 2     /* datagrams the kernel accepted (handed to it by a send call) */
#define PQDTLS_UDP_STAT_COUNT 3

/*
 * Restricts the socket to one peer (connect(2)), so the kernel reports an ICMP port unreachable from
 * it: the next receive returns -ECONNREFUSED. Sends may still name the peer. Returns 0 or -errno.
 */
PQDTLS_API int32_t pqdtls_udp_connect(int32_t fd, const pqdtls_udp_addr *peer);

/* Size, offset or alignment for a PQDTLS_UDP_LAYOUT_* item; -1 for an unknown item. */
PQDTLS_API int64_t pqdtls_udp_layout(int32_t item);

/* Bytes of scratch the batch calls need to handle up to `max_datagrams` messages per syscall. */
PQDTLS_API int64_t pqdtls_udp_scratch_size(uint32_t max_datagrams);

/* PQDTLS_UDP_CAP_* bits, probed once per process. */
PQDTLS_API uint32_t pqdtls_udp_caps(void);

/*
 * Opens a non-blocking, close-on-exec UDP socket of `family` bound to addr (addr_len 4 or 16 raw
 * bytes; 0 means the wildcard address) and port (0 = ephemeral). An IPv6 socket also carries IPv4
 * (IPV6_V6ONLY off). rcvbuf/sndbuf > 0 set SO_RCVBUF/SO_SNDBUF (the *FORCE variants first, so a
 * privileged process may exceed the sysctl maxima). reuseport != 0 sets SO_REUSEPORT before bind;
 * gro != 0 enables UDP_GRO when the kernel supports it (silently not otherwise; see
 * pqdtls_udp_gro_enabled). Returns the descriptor or -errno.
 */
PQDTLS_API int32_t pqdtls_udp_open(int32_t family, const uint8_t *addr, uint32_t addr_len, int32_t port,
                                   int32_t rcvbuf, int32_t sndbuf, int32_t reuseport, int32_t gro);

/* Bound local port, or -errno. */
PQDTLS_API int32_t pqdtls_udp_local_port(int32_t fd);

/* 1 if UDP_GRO is on for fd, 0 if off, or -errno. */
PQDTLS_API int32_t pqdtls_udp_gro_enabled(int32_t fd);

/* close(2); 0 or -errno. */
PQDTLS_API int32_t pqdtls_udp_close(int32_t fd);

/*
 * Sends n datagrams: datagram i is lens[i] bytes at bufs[i], to peers[0] when peer_count is 1 or to
 * peers[i] when peer_count is n. Normally one sendmmsg per scratch-full of datagrams. With
 * PQDTLS_UDP_SEND_GSO, one peer, n >= 2 and all lengths equal except a shorter-or-equal last one,
 * the datagrams go as UDP_SEGMENT sendmsg calls of up to 64 segments (and < 64 KiB) each; if the
 * kernel refuses that with EIO or EINVAL and plain sendmmsg then works, GSO is turned off for the
 * process (pqdtls_udp_caps drops the bit). When the socket buffer is full the call waits up to 1 s
 * for room unless PQDTLS_UDP_SEND_NOWAIT. stats, if not NULL, points to PQDTLS_UDP_STAT_COUNT
 * counters that are added to. Returns the number of datagrams sent (which is less than n only when
 * an error or the wait stopped it after some were sent), or -errno when none was sent.
 */
PQDTLS_API int32_t pqdtls_udp_send_batch(int32_t fd, uint32_t n, const uint8_t *const *bufs,
                                         const uint32_t *lens, const pqdtls_udp_addr *peers,
                                         uint32_t peer_count, uint32_t flags, void *scratch,
                                         size_t scratch_len, uint64_t *stats);

/*
 * Receives with one recvmmsg into slots of slot_len bytes of arena (as many slots as fit the
 * arena, the scratch and max_descs) and writes one descriptor per datagram. A GRO-coalesced buffer
 * is split into one descriptor per segment; should descs run out, the remaining segments stay in a
 * last descriptor flagged PQDTLS_UDP_DESC_COALESCED (whose segment_size tells how to split it).
 * With GRO on, slot_len should be 65535 or more, or coalesced data is truncated. Waits up to
 * timeout_ms for the first datagram (0: do not wait, < 0: forever). Returns the number of
 * descriptors written (0 on timeout) or -errno.
 */
PQDTLS_API int32_t pqdtls_udp_recv_batch(int32_t fd, uint8_t *arena, size_t arena_len, uint32_t slot_len,
                                         pqdtls_udp_descriptor *descs, uint32_t max_descs,
                                         int32_t timeout_ms, void *scratch, size_t scratch_len);

/*
 * Writes the text of an error code (negative errno as the functions above return it) into buf
 * (NUL-terminated, cut to len) and returns its length without the NUL.
 */
PQDTLS_API int32_t pqdtls_udp_strerror(int32_t code, uint8_t *buf, uint32_t len);


/* ---- fused data plane (dp.c): seal + send, open after receive -------------------------------
 *
 * The common path of DESIGN §4: application records are sealed and sent in one call, and received
 * records of one connection are opened in one call after the binding has demultiplexed them. Both
 * work on whole DTLSCiphertext records with the unified header of RFC 9147 §4 (sequence number
 * 16 bits, length present), including record-number encryption (§4.2.3).
 */

/* Failures of sealing or of the arguments, kept apart from -errno (errno values stay below 4096). */
#define PQDTLS_DP_ERR_BASE (-4096)
#define PQDTLS_DP_ERR(code) (PQDTLS_DP_ERR_BASE + (code)) /* code: a PQDTLS_ERR_* value */

/* Per-datagram outcomes of pqdtls_dp_open_batch (a positive status is the record's content type). */
#define PQDTLS_DP_SKIPPED (-1)   /* not one whole record of this epoch: the caller processes it */
#define PQDTLS_DP_REPLAYED (-2)  /* already seen, or older than the replay window */
#define PQDTLS_DP_BAD_MAC (-3)   /* did not authenticate; the window is unchanged */
#define PQDTLS_DP_TOO_SHORT (-4) /* ciphertext shorter than the mask sample or a tag plus type */
#define PQDTLS_DP_NO_TYPE (-5)   /* authentic, but the inner plaintext is all zeros */

/* Bytes of the unified header that pqdtls_dp_seal_send writes: 001C1 1EE, CID, sequence, length. */
#define PQDTLS_DP_HEADER_LENGTH(cid_len) (1u + (cid_len) + 4u)

/*
 * Seals n records of one epoch and sends each as one datagram to *peer. Slot i of arena starts at
 * i * slot_len and holds content_lens[i] content bytes at offset PQDTLS_DP_HEADER_LENGTH(cid_len);
 * the call writes the header in front (C set iff cid_len > 0), appends content_type, seals record i
 * with sequence number first_seq + i (the header as AAD), encrypts its record number, and then sends
 * like pqdtls_udp_send_batch with `flags` (one UDP_SEGMENT sendmsg where all lengths allow it).
 * bufs and lens are n-entry arrays the call fills for the send. Returns the number of datagrams sent
 * (every record was sealed even if fewer were sent), -errno when the socket failed before any was
 * sent, or PQDTLS_DP_ERR(PQDTLS_ERR_*) when arguments or sealing failed (then nothing was sent).
 */
PQDTLS_API int32_t pqdtls_dp_seal_send(pqdtls_rp *rp, int32_t fd, uint64_t epoch, const uint8_t *cid,
                                       uint32_t cid_len, uint32_t content_type, uint64_t first_seq,
                                       uint32_t n, uint8_t *arena, uint32_t slot_len,
                                       const uint32_t *content_lens, const uint8_t **bufs,
                                       uint32_t *lens, const pqdtls_udp_addr *peer, uint32_t flags,
                                       void *scratch, size_t scratch_len, uint64_t *stats);

/*
 * Opens, in place, each of n datagrams that holds exactly one DTLSCiphertext record whose epoch
 * bits equal epoch_bits (and whose CID, if any, is cid_len bytes; the binding demultiplexed by it).
 * For each: remove the record-number encryption, reconstruct the sequence number (RFC 9147 §4.2.2),
 * check the replay window, authenticate and decrypt, then mark it in the window (§4.5.1). window
 * is {highest authentic sequence number or -1, bitmap of the 64 below and including it, records
 * that did not open since the last authentic one} and is updated. The record after the first of such
 * a run, and every eighth after it, is also tried at the next four cycles (+2^bits each) when it
 * fails at the nearest sequence number: after a burst of more than half a cycle was lost, the
 * connection resynchronises instead of failing every record from then on. status[i] is the content type (> 0) of an authentic record, whose content is
 * content_lens[i] bytes at datagrams[i] + content_offsets[i] and whose sequence number is seqs[i];
 * otherwise a PQDTLS_DP_* outcome. Returns how many opened, or PQDTLS_DP_ERR(PQDTLS_ERR_ARGUMENT).
 */
PQDTLS_API int32_t pqdtls_dp_open_batch(pqdtls_rp *rp, uint32_t epoch_bits, uint32_t cid_len,
                                        int64_t *window, uint32_t n, uint8_t *const *datagrams,
                                        const uint32_t *datagram_lens, int32_t *status, uint64_t *seqs,
                                        uint32_t *content_offsets, uint32_t *content_lens);

#ifdef __cplusplus
}
#endif

#endif /* PQDTLS_H */
