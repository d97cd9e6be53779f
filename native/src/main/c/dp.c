/*
 * The fused data plane (DESIGN §4): seal a batch of application records and send it in one call;
 * open a connection's batch of received records in one call. See pqdtls.h for the contracts.
 *
 * Both sides follow the Java record layer (EpochCipher, ReplayWindow, UnifiedHeader) exactly, so a
 * record handled here or there gives the same bytes, the same sequence number and the same window.
 */
#include "pqdtls.h"
#include "internal.h"

#include <string.h>

#include <openssl/err.h>

#define FIXED_BITS 0x20u
#define FIXED_MASK 0xE0u
#define C_BIT 0x10u
#define S_BIT 0x08u
#define L_BIT 0x04u
#define MAX_CID 255u
#define WINDOW_SIZE 64
/*
 * EpochCipher.RESYNC_CYCLES and RESYNC_EVERY: later sequence-number cycles tried by the record after
 * the first failure of a run, then by every eighth (RFC 9147 §4.2.2).
 */
#define RESYNC_CYCLES 4
#define RESYNC_EVERY 8
#define MAX_RECORD (16384u + 256u + PQDTLS_TAG_LENGTH)

/* ---- sending --------------------------------------------------------------------------------- */

PQDTLS_API int32_t pqdtls_dp_seal_send(pqdtls_rp *rp, int32_t fd, uint64_t epoch, const uint8_t *cid,
                                       uint32_t cid_len, uint32_t content_type, uint64_t first_seq,
                                       uint32_t n, uint8_t *arena, uint32_t slot_len,
                                       const uint32_t *content_lens, const uint8_t **bufs,
                                       uint32_t *lens, const pqdtls_udp_addr *peer, uint32_t flags,
                                       void *scratch, size_t scratch_len, uint64_t *stats) {
    if (n == 0) {
        return 0;
    }
    uint32_t header = PQDTLS_DP_HEADER_LENGTH(cid_len);
    if (rp == NULL || arena == NULL || content_lens == NULL || bufs == NULL || lens == NULL
        || peer == NULL || cid_len > MAX_CID || (cid_len > 0 && cid == NULL) || content_type == 0
        || content_type > 255 || n > 0x7fffffffu) {
        return PQDTLS_DP_ERR(PQDTLS_ERR_ARGUMENT);
    }
    uint32_t tag_len = rp_tag_length(rp);
    for (uint32_t i = 0; i < n; i++) {
        /* content || type || padding || tag must fit the slot and the 16-bit length field. */
        uint64_t ciphertext = (uint64_t)content_lens[i] + 1 + tag_len;
        if (ciphertext < PQDTLS_MASK_LENGTH) {
            ciphertext = PQDTLS_MASK_LENGTH;
        }
        if (ciphertext > 0xffffu || header + ciphertext > slot_len) {
            return PQDTLS_DP_ERR(PQDTLS_ERR_ARGUMENT);
        }
    }
    uint8_t first = (uint8_t)(FIXED_BITS | (cid_len > 0 ? C_BIT : 0) | S_BIT | L_BIT | (epoch & 3u));
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *rec = arena + (size_t)i * slot_len;
        uint64_t seq = first_seq + i;
        uint32_t plaintext = content_lens[i] + 1;
        /* RFC 9147 §4.2.3: pad so the ciphertext holds the mask's 16-byte sample (EpochCipher.padding). */
        uint32_t padding = plaintext + tag_len < PQDTLS_MASK_LENGTH ? PQDTLS_MASK_LENGTH - plaintext - tag_len : 0;
        uint32_t ciphertext = plaintext + padding + tag_len;
        rec[0] = first;
        if (cid_len > 0) {
            memcpy(rec + 1, cid, cid_len);
        }
        uint8_t *seq_bytes = rec + 1 + cid_len;
        seq_bytes[0] = (uint8_t)(seq >> 8);
        seq_bytes[1] = (uint8_t)seq;
        seq_bytes[2] = (uint8_t)(ciphertext >> 8);
        seq_bytes[3] = (uint8_t)ciphertext;
        uint8_t *body = rec + header;
        body[content_lens[i]] = (uint8_t)content_type;
        memset(body + plaintext, 0, padding);
        plaintext += padding;
        uint8_t mask[PQDTLS_MASK_LENGTH];
        /* The AAD is the header as written, before record-number encryption (RFC 9147 §4). */
        if (!rp_seal_record(rp, seq, rec, header, body, plaintext) || !rp_record_mask(rp, body, mask)) {
            ERR_clear_error();
            return PQDTLS_DP_ERR(PQDTLS_ERR_CRYPTO);
        }
        seq_bytes[0] ^= mask[0];
        seq_bytes[1] ^= mask[1];
        bufs[i] = rec;
        lens[i] = header + ciphertext;
    }
    return pqdtls_udp_send_batch(fd, n, bufs, lens, peer, 1, flags, scratch, scratch_len, stats);
}

/* ---- receiving ------------------------------------------------------------------------------- */

/* UnifiedHeader.reconstructSequence: the number nearest `expected` whose low `bits` are `truncated`. */
static int64_t reconstruct(int64_t expected, uint32_t truncated, int bits) {
    int64_t window = (int64_t)1 << bits;
    int64_t candidate = (expected & ~(window - 1)) | (int64_t)truncated;
    if (candidate - expected > window / 2 && candidate >= window) {
        candidate -= window;
    } else if (expected - candidate > window / 2) {
        candidate += window;
    }
    return candidate;
}

/* ReplayWindow.isFresh and markAuthentic over {highest, seen}. */
static int window_fresh(const int64_t *w, int64_t seq) {
    if (seq > w[0]) {
        return 1;
    }
    int64_t age = w[0] - seq;
    return age < WINDOW_SIZE && ((uint64_t)w[1] & ((uint64_t)1 << age)) == 0;
}

static void window_mark(int64_t *w, int64_t seq) {
    if (seq > w[0]) {
        int64_t shift = w[0] < 0 ? WINDOW_SIZE : seq - w[0];
        w[1] = shift >= WINDOW_SIZE ? 1 : (int64_t)(((uint64_t)w[1] << shift) | 1u);
        w[0] = seq;
    } else {
        int64_t age = w[0] - seq;
        if (age < WINDOW_SIZE) {
            w[1] = (int64_t)((uint64_t)w[1] | ((uint64_t)1 << age));
        }
    }
}

/*
 * Tries `tries` sequence numbers first, first + 2^bits, ... for the record body (a copy restores it
 * between tries); returns the one that opened, or -1.
 */
static int64_t open_resynchronising(pqdtls_rp *rp, const uint8_t *aad, uint32_t aad_len, uint8_t *body,
                                    uint32_t body_len, int64_t first, int tries, int bits) {
    uint8_t saved[MAX_RECORD];
    memcpy(saved, body, body_len);
    for (int t = 0; t < tries; t++) {
        int64_t candidate = first + ((int64_t)t << bits);
        if (t > 0) {
            memcpy(body, saved, body_len);
        }
        if (rp_open_record(rp, (uint64_t)candidate, aad, aad_len, body, body_len)) {
            return candidate;
        }
    }
    return -1;
}

/* Opens datagram d (len bytes) if it is one whole record of this epoch; returns its status. */
static int32_t open_one_datagram(pqdtls_rp *rp, uint32_t epoch_bits, uint32_t cid_len, int64_t *window,
                                 uint8_t *d, uint32_t len, uint64_t *seq_out, uint32_t *content_off,
                                 uint32_t *content_len) {
    if (len < 1 || (d[0] & FIXED_MASK) != FIXED_BITS || (d[0] & 3u) != epoch_bits) {
        return PQDTLS_DP_SKIPPED;
    }
    uint32_t pos = 1;
    if (d[0] & C_BIT) {
        if (cid_len == 0) {
            return PQDTLS_DP_SKIPPED;
        }
        pos += cid_len;
    }
    int bits = (d[0] & S_BIT) ? 16 : 8;
    uint32_t seq_at = pos;
    pos += (uint32_t)bits / 8;
    if (pos > len) {
        return PQDTLS_DP_SKIPPED;
    }
    if (d[0] & L_BIT) {
        if (pos + 2 > len) {
            return PQDTLS_DP_SKIPPED;
        }
        uint32_t length = (uint32_t)d[pos] << 8 | d[pos + 1];
        pos += 2;
        if (pos + length != len) {
            return PQDTLS_DP_SKIPPED; /* truncated, or several records: the Java path splits them */
        }
    }
    uint32_t header = pos;
    uint32_t tag_len = rp_tag_length(rp);
    if (len - header < tag_len + 1 || len - header < PQDTLS_MASK_LENGTH) {
        return PQDTLS_DP_TOO_SHORT;
    }
    uint8_t mask[PQDTLS_MASK_LENGTH];
    if (!rp_record_mask(rp, d + header, mask)) {
        ERR_clear_error();
        return PQDTLS_DP_BAD_MAC;
    }
    uint32_t truncated = bits == 16 ? ((uint32_t)(d[seq_at] ^ mask[0]) << 8 | (uint8_t)(d[seq_at + 1] ^ mask[1]))
                                    : (uint8_t)(d[seq_at] ^ mask[0]);
    int64_t nearest = reconstruct(window[0] + 1, truncated, bits);
    int fresh = window_fresh(window, nearest);
    /*
     * In a run of records that did not open (window[2] of them) the peer may be more than half a cycle
     * ahead, after a long burst was lost: the record after the first failure, and every eighth after
     * that, is tried at the next cycles too, each on a fresh copy (a failed open wipes the record).
     * Forgeries then cost 1.5 opens on average; outside a run, one. Not with an 8-byte tag (AES-CCM-8):
     * every extra open is a forgery trial, and that suite allows only 2^7 per key (RFC 9147 §4.5.3).
     */
    uint32_t body_len = len - header;
    int cycles = rp_tag_length(rp) >= PQDTLS_TAG_LENGTH && window[2] % RESYNC_EVERY == 1 && body_len <= MAX_RECORD
                     ? RESYNC_CYCLES : 0;
    if (!fresh && cycles == 0) {
        window[2]++;
        return PQDTLS_DP_REPLAYED;
    }
    /* The AAD is the header with the sequence number as sent, i.e. unmasked. */
    uint8_t aad[1 + MAX_CID + 4];
    memcpy(aad, d, header);
    aad[seq_at] = (uint8_t)(bits == 16 ? truncated >> 8 : truncated);
    if (bits == 16) {
        aad[seq_at + 1] = (uint8_t)truncated;
    }
    int64_t seq = -1;
    if (cycles == 0) {
        if (rp_open_record(rp, (uint64_t)nearest, aad, header, d + header, body_len)) {
            seq = nearest;
        }
    } else {
        seq = open_resynchronising(rp, aad, header, d + header, body_len, fresh ? nearest : nearest + ((int64_t)1 << bits),
                                   fresh ? cycles + 1 : cycles, bits);
    }
    if (seq < 0) {
        ERR_clear_error();
        window[2]++;
        return fresh ? PQDTLS_DP_BAD_MAC : PQDTLS_DP_REPLAYED;
    }
    window[2] = 0;
    window_mark(window, seq);
    /* DTLSInnerPlaintext: content || type || zeros; the type is the last non-zero byte. */
    uint32_t i = len - tag_len;
    while (i > header && d[i - 1] == 0) {
        i--;
    }
    *seq_out = (uint64_t)seq;
    if (i == header) {
        return PQDTLS_DP_NO_TYPE;
    }
    *content_off = header;
    *content_len = i - 1 - header;
    return d[i - 1];
}

PQDTLS_API int32_t pqdtls_dp_open_batch(pqdtls_rp *rp, uint32_t epoch_bits, uint32_t cid_len,
                                        int64_t *window, uint32_t n, uint8_t *const *datagrams,
                                        const uint32_t *datagram_lens, int32_t *status, uint64_t *seqs,
                                        uint32_t *content_offsets, uint32_t *content_lens) {
    if (n == 0) {
        return 0;
    }
    if (rp == NULL || epoch_bits > 3 || cid_len > MAX_CID || window == NULL || datagrams == NULL
        || datagram_lens == NULL || status == NULL || seqs == NULL || content_offsets == NULL
        || content_lens == NULL || n > 0x7fffffffu || window[0] < -1 || window[2] < 0) {
        return PQDTLS_DP_ERR(PQDTLS_ERR_ARGUMENT);
    }
    int32_t opened = 0;
    for (uint32_t i = 0; i < n; i++) {
        seqs[i] = 0;
        content_offsets[i] = 0;
        content_lens[i] = 0;
        if (datagrams[i] == NULL) {
            status[i] = PQDTLS_DP_SKIPPED;
            continue;
        }
        status[i] = open_one_datagram(rp, epoch_bits, cid_len, window, datagrams[i], datagram_lens[i], &seqs[i],
                                      &content_offsets[i], &content_lens[i]);
        if (status[i] > 0) {
            opened++;
        }
    }
    return opened;
}
