package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.nativeabi.PublicKeyRules;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Downcall handles into libcrypto's EVP_PKEY, EVP_DigestSign/Verify and ERR APIs, mirroring the C
 * declarations of OpenSSL 3.0 (every function here exists since 3.0; ML-KEM merely needs a 3.5
 * provider behind the same calls). Plus the few helpers every caller needs: building OSSL_PARAM
 * arrays, copying bytes across the boundary and draining the thread's error queue.
 *
 * <p>Touching this class loads the handles; callers first check {@link Libcrypto#unavailableReason()}.
 */
final class PublicKeyLibcrypto {
    private static final List<String> MISSING = new ArrayList<>();

    // --- errors (err.h) ----------------------------------------------------------------------
    static final MethodHandle ERR_get_error = fn("ERR_get_error", FunctionDescriptor.of(JAVA_LONG));
    static final MethodHandle ERR_error_string_n = fn("ERR_error_string_n",
            FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, JAVA_LONG));
    static final MethodHandle ERR_clear_error = fn("ERR_clear_error", FunctionDescriptor.ofVoid());

    // --- EVP_PKEY and EVP_PKEY_CTX -----------------------------------------------------------
    static final MethodHandle EVP_PKEY_free = fn("EVP_PKEY_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle EVP_PKEY_CTX_new_from_name = fn("EVP_PKEY_CTX_new_from_name",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_CTX_new_from_pkey = fn("EVP_PKEY_CTX_new_from_pkey",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_CTX_free = fn("EVP_PKEY_CTX_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle EVP_PKEY_keygen_init = fn("EVP_PKEY_keygen_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle EVP_PKEY_CTX_set_params = fn("EVP_PKEY_CTX_set_params",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_CTX_set_group_name = fn("EVP_PKEY_CTX_set_group_name",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_generate = fn("EVP_PKEY_generate",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_get_raw_public_key = fn("EVP_PKEY_get_raw_public_key",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_get_octet_string_param = fn("EVP_PKEY_get_octet_string_param",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle EVP_PKEY_get_utf8_string_param = fn("EVP_PKEY_get_utf8_string_param",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle EVP_PKEY_new_raw_public_key_ex = fn("EVP_PKEY_new_raw_public_key_ex",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle EVP_PKEY_new_raw_private_key_ex = fn("EVP_PKEY_new_raw_private_key_ex",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle EVP_PKEY_fromdata_init = fn("EVP_PKEY_fromdata_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle EVP_PKEY_fromdata = fn("EVP_PKEY_fromdata",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle EVP_PKEY_derive_init = fn("EVP_PKEY_derive_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle EVP_PKEY_derive_set_peer_ex = fn("EVP_PKEY_derive_set_peer_ex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle EVP_PKEY_derive = fn("EVP_PKEY_derive",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_encapsulate_init = fn("EVP_PKEY_encapsulate_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_encapsulate = fn("EVP_PKEY_encapsulate",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_decapsulate_init = fn("EVP_PKEY_decapsulate_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_decapsulate = fn("EVP_PKEY_decapsulate",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle EVP_PKEY_is_a = fn("EVP_PKEY_is_a", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle EVP_PKEY_get_bits = fn("EVP_PKEY_get_bits", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    // --- DER import (x509.h, evp.h) ----------------------------------------------------------
    static final MethodHandle d2i_AutoPrivateKey = fn("d2i_AutoPrivateKey",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle d2i_PUBKEY = fn("d2i_PUBKEY", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));

    // --- message signatures -----------------------------------------------------------------
    static final MethodHandle EVP_MD_CTX_new = fn("EVP_MD_CTX_new", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle EVP_MD_CTX_free = fn("EVP_MD_CTX_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle EVP_DigestSignInit_ex = fn("EVP_DigestSignInit_ex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle EVP_DigestVerifyInit_ex = fn("EVP_DigestVerifyInit_ex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle EVP_DigestSign = fn("EVP_DigestSign",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle EVP_DigestVerify = fn("EVP_DigestVerify",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    static final MethodHandle EVP_PKEY_CTX_set_rsa_padding = fn("EVP_PKEY_CTX_set_rsa_padding",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle EVP_PKEY_CTX_set_rsa_pss_saltlen = fn("EVP_PKEY_CTX_set_rsa_pss_saltlen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle EVP_PKEY_CTX_set_rsa_mgf1_md_name = fn("EVP_PKEY_CTX_set_rsa_mgf1_md_name",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    // --- constants from the headers: the shared contract (PublicKeyRules) under the names used here
    private static final int OSSL_PARAM_UNSIGNED_INTEGER = PublicKeyRules.OSSL_PARAM_UNSIGNED_INTEGER;
    private static final int OSSL_PARAM_UTF8_STRING = PublicKeyRules.OSSL_PARAM_UTF8_STRING;
    private static final int OSSL_PARAM_OCTET_STRING = PublicKeyRules.OSSL_PARAM_OCTET_STRING;
    private static final long OSSL_PARAM_SIZE = PublicKeyRules.OSSL_PARAM_SIZE;
    private static final long OSSL_PARAM_UNMODIFIED = PublicKeyRules.OSSL_PARAM_UNMODIFIED;

    private PublicKeyLibcrypto() {
    }

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        try {
            return Libcrypto.downcall(name, descriptor);
        } catch (RuntimeException e) {
            MISSING.add(name);
            return null;
        }
    }

    /** Why these handles are unusable (libcrypto missing, or a symbol absent), or empty. */
    static Optional<String> unavailableReason() {
        Optional<String> lib = Libcrypto.unavailableReason();
        if (lib.isPresent()) {
            return lib;
        }
        return MISSING.isEmpty() ? Optional.empty()
                : Optional.of("libcrypto " + Libcrypto.version() + " lacks " + String.join(", ", MISSING));
    }

    // --- error queue --------------------------------------------------------------------------

    /**
     * Pops every error on this thread's queue into one line of ERR_error_string text and leaves the
     * queue empty, so a failure never leaks into the next, unrelated call (the ACCP rule).
     */
    static String drainErrors() {
        StringBuilder out = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            for (int i = 0; i < 16; i++) {
                long code = (long) ERR_get_error.invokeExact();
                if (code == 0) {
                    break;
                }
                ERR_error_string_n.invokeExact(code, buf, 256L);
                out.append(out.length() == 0 ? "" : "; ").append(buf.getString(0));
            }
            ERR_clear_error.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return out.length() == 0 ? "no libcrypto error reported" : out.toString();
    }

    /** Empties the error queue; for finally blocks after calls that may leave noise on success. */
    static void clearErrors() {
        try {
            ERR_clear_error.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Throws IllegalStateException naming {@code what} and the libcrypto error unless rc == 1. */
    static void check(int rc, String what) {
        if (rc != 1) {
            throw new IllegalStateException(what + " failed: " + drainErrors());
        }
    }

    static MemorySegment checkNotNull(MemorySegment p, String what) {
        if (p.equals(MemorySegment.NULL)) {
            throw new IllegalStateException(what + " failed: " + drainErrors());
        }
        return p;
    }

    /** Downcalls declare Throwable; nothing they throw is checked, so surface it unchanged. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    // --- freeing ------------------------------------------------------------------------------

    /** EVP_PKEY_free, which also cleanses the key material; NULL is a no-op. */
    static void freeKey(MemorySegment pkey) {
        if (pkey != null && !pkey.equals(MemorySegment.NULL)) {
            try {
                EVP_PKEY_free.invokeExact(pkey);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    static void freeCtx(MemorySegment ctx) {
        if (ctx != null && !ctx.equals(MemorySegment.NULL)) {
            try {
                EVP_PKEY_CTX_free.invokeExact(ctx);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    // --- bytes across the boundary ------------------------------------------------------------

    /** A native copy of {@code bytes}; at least one byte long so an empty input is never NULL. */
    static MemorySegment copyIn(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s;
    }

    static MemorySegment cString(Arena arena, String s) {
        return arena.allocateFrom(s);
    }

    static MemorySegment sizeCell(Arena arena, long value) {
        MemorySegment cell = arena.allocate(JAVA_LONG);
        cell.set(JAVA_LONG, 0, value);
        return cell;
    }

    // --- OSSL_PARAM arrays --------------------------------------------------------------------

    /** One OSSL_PARAM: key, type and a native buffer of {@code size} bytes. */
    record Param(String key, int type, MemorySegment data, long size) {
        static Param octets(Arena arena, String key, byte[] value) {
            return new Param(key, OSSL_PARAM_OCTET_STRING, copyIn(arena, value), value.length);
        }

        static Param utf8(Arena arena, String key, String value) {
            MemorySegment s = arena.allocateFrom(value);
            return new Param(key, OSSL_PARAM_UTF8_STRING, s, s.byteSize() - 1);
        }

        /** An unsigned BIGNUM parameter; OSSL_PARAM integers are in native byte order. */
        static Param unsignedBigEndian(Arena arena, String key, byte[] bigEndian) {
            byte[] nativeOrder = PublicKeyRules.nativeOrder(bigEndian);
            MemorySegment s = copyIn(arena, nativeOrder);
            java.util.Arrays.fill(nativeOrder, (byte) 0);
            return new Param(key, OSSL_PARAM_UNSIGNED_INTEGER, s, bigEndian.length);
        }
    }

    /** A NULL-key-terminated OSSL_PARAM array in {@code arena}. */
    static MemorySegment params(Arena arena, Param... params) {
        MemorySegment array = arena.allocate(OSSL_PARAM_SIZE * (params.length + 1), 8);
        for (int i = 0; i < params.length; i++) {
            long base = i * OSSL_PARAM_SIZE;
            array.set(ADDRESS, base, arena.allocateFrom(params[i].key()));
            array.set(JAVA_INT, base + 8, params[i].type());
            array.set(ADDRESS, base + 16, params[i].data());
            array.set(JAVA_LONG, base + 24, params[i].size());
            array.set(JAVA_LONG, base + 32, OSSL_PARAM_UNMODIFIED);
        }
        return array; // the last element stays zeroed: OSSL_PARAM_END
    }

    /**
     * Reads an octet-string key parameter of exactly {@code expected} bytes, e.g.
     * "encoded-pub-key" or "priv".
     */
    static byte[] octetParam(MemorySegment pkey, String name, int expected) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(expected);
            MemorySegment len = sizeCell(arena, 0);
            int rc = (int) EVP_PKEY_get_octet_string_param.invokeExact(pkey, arena.allocateFrom(name), buf,
                    (long) expected, len);
            check(rc, "EVP_PKEY_get_octet_string_param(" + name + ")");
            long got = len.get(JAVA_LONG, 0);
            if (got != expected) {
                buf.fill((byte) 0);
                throw new IllegalStateException(name + " is " + got + " bytes; expected " + expected);
            }
            byte[] out = buf.toArray(JAVA_BYTE);
            buf.fill((byte) 0);
            return out;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A key's UTF-8 parameter such as "group", or empty if it has none. */
    static Optional<String> utf8Param(MemorySegment pkey, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(80);
            MemorySegment len = sizeCell(arena, 0);
            int rc = (int) EVP_PKEY_get_utf8_string_param.invokeExact(pkey, arena.allocateFrom(name), buf, 80L, len);
            if (rc != 1) {
                clearErrors();
                return Optional.empty();
            }
            return Optional.of(buf.getString(0));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static boolean isA(MemorySegment pkey, String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) EVP_PKEY_is_a.invokeExact(pkey, arena.allocateFrom(name)) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
