package dev.pqdtls.jna;

/**
 * JNA direct mapping of {@code native/src/main/c/pqdtls.h}: one {@code static native} method per C
 * function, bound by {@link PqdtlsLibrary#register} when this class initialises (which fails unless
 * {@link PqdtlsLibrary#unavailableReason()} came back empty). Pointers cross as {@code long} addresses
 * of native memory ({@link NativeMemory}), so no call converts or copies an argument; {@code uint32_t}
 * is {@code int}, {@code size_t} and {@code uint64_t} are {@code long}. A new C entry point is one more
 * line here.
 */
final class PqdtlsNative {
    static {
        PqdtlsLibrary.register(PqdtlsNative.class);
    }

    private PqdtlsNative() {
    }

    // ---- CPU features
    static native int pqdtls_cpu_features();

    static native String pqdtls_cpu_feature_name(int bit);

    // ---- record protection
    static native int pqdtls_rp_create(int suite, long key, int keyLength, long iv, int ivLength, long snKey,
            int snKeyLength, long out);

    static native void pqdtls_rp_free(long rp);

    static native void pqdtls_rp_trim(long rp);

    static native int pqdtls_rp_seal_batch(long rp, int count, long seqs, long aads, long aadLengths, long records,
            long plaintextLengths);

    static native int pqdtls_rp_open_batch(long rp, int count, long seqs, long aads, long aadLengths, long records,
            long recordLengths, long status);

    static native int pqdtls_rp_mask(long rp, long sample, long mask);

    // ---- hashing, HMAC, HKDF
    static native long pqdtls_hash_new(int hash);

    static native long pqdtls_hash_copy(long hash);

    static native int pqdtls_hash_update(long hash, long data, long length);

    static native int pqdtls_hash_current(long hash, long out);

    static native void pqdtls_hash_free(long hash);

    static native int pqdtls_hmac(int hash, long key, long keyLength, long data, long dataLength, long out);

    static native int pqdtls_hkdf_extract(int hash, long salt, long saltLength, long ikm, long ikmLength, long out);

    static native int pqdtls_hkdf_expand(int hash, long prk, long prkLength, long info, long infoLength, long out,
            long outLength);

    static native int pqdtls_digest(int hash, long data, long length, long out);

    // ---- the TLS 1.3 key schedule, one call per step (kdf.c)
    static native int pqdtls_tls13_schedule_step(int hash, long prefix, int prefixLength, long previous,
            int previousLength, long ikm, int ikmLength, long transcriptHash, int transcriptLength, long labels,
            int labelsLength, int keyed, int keyLength, long out, int outLength);

    static native int pqdtls_tls13_traffic_keys(int hash, long prefix, int prefixLength, long secret, int secretLength,
            int keyLength, long out, int outLength);

    static native int pqdtls_tls13_finished(int hash, long prefix, int prefixLength, long baseKey, int baseKeyLength,
            long transcriptHash, int transcriptLength, long out);

    // ---- key exchange and signatures (pk.c)
    static native int pqdtls_kex_supported(int group);

    static native int pqdtls_kex_respond(int group, long clientShare, int clientShareLength, long share,
            int shareLength, long secret, int secretLength);

    static native int pqdtls_kex_generate(int group, long out, long share, int shareLength);

    static native int pqdtls_kex_finish(long kex, long serverShare, int serverShareLength, long secret,
            int secretLength);

    static native void pqdtls_kex_free(long kex);

    static native int pqdtls_ecdh(int group, long privateKey, int privateLength, long peer, int peerLength,
            long secret, int secretLength);

    static native int pqdtls_key_private_der(long der, int length, long out);

    static native int pqdtls_key_public_der(long der, int length, long out);

    static native void pqdtls_key_free(long key);

    static native int pqdtls_sign(long key, int scheme, long message, int messageLength, long sig, int sigCapacity);

    static native int pqdtls_verify(long key, int scheme, long message, int messageLength, long sig, int sigLength);

    static native int pqdtls_verify_raw(int keyType, long a, int aLength, long b, int bLength, int scheme,
            long message, int messageLength, long sig, int sigLength);

    // ---- randomness
    static native int pqdtls_random_bytes(long out, long length);

    // ---- batched UDP engine
    static native long pqdtls_udp_layout(int item);

    static native long pqdtls_udp_scratch_size(int maxDatagrams);

    static native int pqdtls_udp_caps();

    static native int pqdtls_udp_open(int family, long addr, int addrLength, int port, int rcvbuf, int sndbuf,
            int reusePort, int gro);

    static native int pqdtls_udp_local_port(int fd);

    static native int pqdtls_udp_gro_enabled(int fd);

    static native int pqdtls_udp_connect(int fd, long peer);

    static native int pqdtls_udp_close(int fd);

    static native int pqdtls_udp_send_batch(int fd, int n, long buffers, long lengths, long peers, int peerCount,
            int flags, long scratch, long scratchLength, long stats);

    static native int pqdtls_udp_recv_batch(int fd, long arena, long arenaLength, int slotLength, long descriptors,
            int maxDescriptors, int timeoutMillis, long scratch, long scratchLength);

    static native int pqdtls_udp_strerror(int code, long buffer, int length);

    // ---- fused data plane
    static native int pqdtls_dp_seal_send(long rp, int fd, long epoch, long cid, int cidLength, int contentType,
            long firstSequence, int n, long arena, int slotLength, long contentLengths, long pointers, long lengths,
            long peer, int flags, long scratch, long scratchLength, long stats);

    static native int pqdtls_dp_open_batch(long rp, int epochBits, int cidLength, long window, int n, long pointers,
            long lengths, long status, long seqs, long contentOffsets, long contentLengths);
}
