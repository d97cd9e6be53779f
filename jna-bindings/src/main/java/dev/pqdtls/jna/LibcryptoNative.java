package dev.pqdtls.jna;

import com.sun.jna.Native;

/**
 * JNA direct mapping of the libcrypto functions the public-key operations call (EVP_PKEY,
 * EVP_DigestSign/Verify, ERR), mirroring OpenSSL 3.0's declarations (every one exists since 3.0;
 * ML-KEM merely needs a 3.5 provider behind the same calls). Pointers are {@code long} addresses,
 * {@code size_t} is {@code long}; a {@code null} String is a NULL {@code const char *}. Bound when this
 * class initialises, which fails unless {@link JnaLibcrypto} loaded.
 */
final class LibcryptoNative {
    static {
        Native.register(LibcryptoNative.class, JnaLibcrypto.library());
    }

    private LibcryptoNative() {
    }

    // ---- errors (err.h)
    static native long ERR_get_error();

    static native void ERR_error_string_n(long code, long buffer, long length);

    static native void ERR_clear_error();

    // ---- EVP_PKEY and EVP_PKEY_CTX
    static native void EVP_PKEY_free(long pkey);

    static native long EVP_PKEY_CTX_new_from_name(long libctx, String name, String propq);

    static native long EVP_PKEY_CTX_new_from_pkey(long libctx, long pkey, String propq);

    static native void EVP_PKEY_CTX_free(long ctx);

    static native int EVP_PKEY_keygen_init(long ctx);

    static native int EVP_PKEY_CTX_set_params(long ctx, long params);

    static native int EVP_PKEY_CTX_set_group_name(long ctx, String name);

    static native int EVP_PKEY_generate(long ctx, long pkeyOut);

    static native int EVP_PKEY_get_raw_public_key(long pkey, long out, long lengthInOut);

    static native int EVP_PKEY_get_octet_string_param(long pkey, String name, long out, long max, long length);

    static native int EVP_PKEY_get_utf8_string_param(long pkey, String name, long out, long max, long length);

    static native long EVP_PKEY_new_raw_public_key_ex(long libctx, String name, String propq, long key, long length);

    static native long EVP_PKEY_new_raw_private_key_ex(long libctx, String name, String propq, long key, long length);

    static native int EVP_PKEY_fromdata_init(long ctx);

    static native int EVP_PKEY_fromdata(long ctx, long pkeyOut, int selection, long params);

    static native int EVP_PKEY_derive_init(long ctx);

    static native int EVP_PKEY_derive_set_peer_ex(long ctx, long peer, int validate);

    static native int EVP_PKEY_derive(long ctx, long secret, long lengthInOut);

    static native int EVP_PKEY_encapsulate_init(long ctx, long params);

    static native int EVP_PKEY_encapsulate(long ctx, long wrapped, long wrappedLength, long secret, long secretLength);

    static native int EVP_PKEY_decapsulate_init(long ctx, long params);

    static native int EVP_PKEY_decapsulate(long ctx, long secret, long secretLength, long wrapped, long wrappedLength);

    static native int EVP_PKEY_is_a(long pkey, String name);

    static native int EVP_PKEY_get_bits(long pkey);

    // ---- DER import
    static native long d2i_AutoPrivateKey(long out, long cursor, long length);

    static native long d2i_PUBKEY(long out, long cursor, long length);

    // ---- message signatures
    static native long EVP_MD_CTX_new();

    static native void EVP_MD_CTX_free(long ctx);

    static native int EVP_DigestSignInit_ex(long ctx, long pctxOut, String mdName, long libctx, String props, long pkey,
            long params);

    static native int EVP_DigestSign(long ctx, long signature, long signatureLength, long tbs, long tbsLength);

    static native int EVP_DigestVerifyInit_ex(long ctx, long pctxOut, String mdName, long libctx, String props,
            long pkey, long params);

    static native int EVP_DigestVerify(long ctx, long signature, long signatureLength, long tbs, long tbsLength);

    static native int EVP_PKEY_CTX_set_rsa_padding(long ctx, int padding);

    static native int EVP_PKEY_CTX_set_rsa_pss_saltlen(long ctx, int saltLength);

    static native int EVP_PKEY_CTX_set_rsa_mgf1_md_name(long ctx, String mdName, String mdProps);
}
