package dev.pqdtls.jna;

import static dev.pqdtls.jna.LibcryptoNative.*;

import dev.pqdtls.nativeabi.PublicKeyRules;
import java.util.Optional;

/**
 * The few helpers every libcrypto caller of the jna backend needs: draining the thread's error queue,
 * status checks, freeing, reading key parameters, and the client key share whose private key is an
 * EVP_PKEY.
 */
final class Evp {
    private Evp() {
    }

    /**
     * Pops every error on this thread's queue into one line of ERR_error_string text and leaves the
     * queue empty, so a failure never leaks into the next, unrelated call.
     */
    static String drainErrors() {
        StringBuilder out = new StringBuilder();
        try (NativeScope scope = new NativeScope()) {
            NativeMemory buf = scope.allocate(256);
            for (int i = 0; i < 16; i++) {
                long code = ERR_get_error();
                if (code == 0) {
                    break;
                }
                ERR_error_string_n(code, buf.address, 256);
                out.append(out.length() == 0 ? "" : "; ").append(cString(buf));
            }
            ERR_clear_error();
        }
        return out.length() == 0 ? "no libcrypto error reported" : out.toString();
    }

    static String cString(NativeMemory m) {
        int end = 0;
        while (end < m.size() && m.buffer.get(end) != 0) {
            end++;
        }
        return new String(m.get(0, end), java.nio.charset.StandardCharsets.UTF_8);
    }

    static void clearErrors() {
        ERR_clear_error();
    }

    /** Throws IllegalStateException naming {@code what} and the libcrypto error unless rc == 1. */
    static void check(int rc, String what) {
        if (rc != 1) {
            throw new IllegalStateException(what + " failed: " + drainErrors());
        }
    }

    static long checkNotNull(long p, String what) {
        if (p == 0) {
            throw new IllegalStateException(what + " failed: " + drainErrors());
        }
        return p;
    }

    /** EVP_PKEY_free, which also cleanses the key material; 0 is a no-op. */
    static void freeKey(long pkey) {
        if (pkey != 0) {
            EVP_PKEY_free(pkey);
        }
    }

    static void freeCtx(long ctx) {
        if (ctx != 0) {
            EVP_PKEY_CTX_free(ctx);
        }
    }

    /** An octet-string key parameter of exactly {@code expected} bytes, e.g. "encoded-pub-key". */
    static byte[] octetParam(long pkey, String name, int expected) {
        try (NativeScope scope = new NativeScope()) {
            NativeMemory buf = scope.allocate(expected);
            NativeMemory len = scope.cell(0);
            check(EVP_PKEY_get_octet_string_param(pkey, name, buf.address, expected, len.address),
                    "EVP_PKEY_get_octet_string_param(" + name + ")");
            long got = len.buffer.getLong(0);
            if (got != expected) {
                throw new IllegalStateException(name + " is " + got + " bytes; expected " + expected);
            }
            return buf.get(0, expected);
        }
    }

    /** What {@link PublicKeyRules#checkKeyFits} needs to know about a key in an EVP_PKEY. */
    static PublicKeyRules.KeyFacts facts(long pkey) {
        return new PublicKeyRules.KeyFacts() {
            @Override
            public boolean isA(String type) {
                return EVP_PKEY_is_a(pkey, type) == 1;
            }

            @Override
            public Optional<String> group() {
                try (NativeScope scope = new NativeScope()) {
                    NativeMemory buf = scope.allocate(80);
                    if (EVP_PKEY_get_utf8_string_param(pkey, "group", buf.address, 80, scope.cell(0).address) != 1) {
                        clearErrors();
                        return Optional.empty();
                    }
                    return Optional.of(cString(buf));
                }
            }

            @Override
            public int bits() {
                return EVP_PKEY_get_bits(pkey);
            }
        };
    }

    /** A fresh key from {@code ctx} (already set up for key generation). */
    static long generate(long ctx, String what) {
        try (NativeScope scope = new NativeScope()) {
            NativeMemory out = scope.cell(0);
            check(EVP_PKEY_generate(ctx, out.address), what + " key generation");
            return out.buffer.getLong(0);
        }
    }
}
