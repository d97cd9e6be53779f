package dev.pqdtls.nativeabi;

/**
 * The handshake entry points of {@code libpqdtls_native} (kdf.c and pk.c, {@code pqdtls.h}) as each
 * native backend binds them: Java arrays in and out, native handles as addresses, the C status code
 * returned as is. The checks and the meaning of the results are shared ({@link NativeKeyExchange},
 * {@link NativeSignatures}, {@link NativeBackend}); only the marshalling differs (FFM passes the arrays
 * in place, JNA through wiped native staging). Every method is one C call.
 */
public interface HandshakeCalls {
    /** pqdtls_digest. */
    int digest(int hash, byte[] data, byte[] out);

    /** pqdtls_tls13_schedule_step. */
    int scheduleStep(int hash, byte[] prefix, byte[] previous, byte[] ikm, byte[] transcriptHash, byte[] labels,
            int keyed, int keyLength, byte[] out);

    /** pqdtls_tls13_traffic_keys. */
    int trafficKeys(int hash, byte[] prefix, byte[] secret, int keyLength, byte[] out);

    /** pqdtls_tls13_finished. */
    int finished(int hash, byte[] prefix, byte[] baseKey, byte[] transcriptHash, byte[] out);

    /** pqdtls_kex_supported. */
    int kexSupported(int group);

    /** pqdtls_kex_respond. */
    int kexRespond(int group, byte[] clientShare, byte[] share, byte[] secret);

    /** pqdtls_kex_generate; the new key's address goes to {@code handle[0]}. */
    int kexGenerate(int group, long[] handle, byte[] share);

    /** pqdtls_kex_finish. */
    int kexFinish(long handle, byte[] serverShare, byte[] secret);

    /** pqdtls_kex_free. */
    void kexFree(long handle);

    /** pqdtls_ecdh. */
    int ecdh(int group, byte[] privateKey, byte[] peer, byte[] secret);

    /** pqdtls_key_private_der; the key's address goes to {@code handle[0]}. */
    int keyPrivateDer(byte[] der, long[] handle);

    /** pqdtls_key_public_der; the key's address goes to {@code handle[0]}. */
    int keyPublicDer(byte[] der, long[] handle);

    /** pqdtls_key_free. */
    void keyFree(long key);

    /** pqdtls_sign: the signature's length in {@code sig}, or a negative status. */
    int sign(long key, int scheme, byte[] message, byte[] sig);

    /** pqdtls_verify. */
    int verify(long key, int scheme, byte[] message, byte[] signature);

    /** pqdtls_verify_raw. */
    int verifyRaw(int keyType, byte[] a, byte[] b, int scheme, byte[] message, byte[] signature);

    /** What libcrypto says about a decoded key (an {@code EVP_PKEY *}), for {@link PublicKeyRules#checkKeyFits}. */
    PublicKeyRules.KeyFacts facts(long key);
}
