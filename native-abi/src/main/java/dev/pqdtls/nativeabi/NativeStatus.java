package dev.pqdtls.nativeabi;

import dev.pqdtls.spi.HashAlgorithm;

/**
 * Status codes and ids of {@code pqdtls.h}, and the one place where a status becomes text or an
 * exception, for both native backends.
 */
public final class NativeStatus {
    public static final int OK = 0;
    public static final int ERR_ARGUMENT = -1;
    public static final int ERR_UNSUPPORTED = -2;
    public static final int ERR_NOMEM = -3;
    public static final int ERR_CRYPTO = -4;
    public static final int ERR_AUTH = -5;
    /** The peer's key share is invalid (illegal_parameter). */
    public static final int ERR_PEER = -6;

    /** Fused data plane: failures of arguments or sealing, kept apart from -errno. */
    public static final int DP_ERR_BASE = -4096;

    public static final int HASH_SHA256 = 1;
    public static final int HASH_SHA384 = 2;

    private NativeStatus() {
    }

    /** The pqdtls.h hash id of {@code hash}. */
    public static int hashId(HashAlgorithm hash) {
        return switch (hash) {
            case SHA256 -> HASH_SHA256;
            case SHA384 -> HASH_SHA384;
        };
    }

    /** Turns a status code that should never occur into an exception naming the operation. */
    public static void check(int status, String operation) {
        if (status < 0) {
            throw new IllegalStateException(operation + " failed in libpqdtls_native: " + describe(status));
        }
    }

    /** As {@link #check(int, String)} for "subject operation", spelled out only on failure. */
    public static void check(int status, Object subject, String operation) {
        if (status < 0) {
            check(status, subject + " " + operation);
        }
    }

    /** True for a data-plane status that is a sealing or argument failure rather than -errno. */
    public static boolean isDataPlaneError(int status) {
        return status <= DP_ERR_BASE + 64;
    }

    public static String describe(int status) {
        if (status < DP_ERR_BASE + 64 && status > DP_ERR_BASE - 64) {
            return describe(status - DP_ERR_BASE);
        }
        return switch (status) {
            case ERR_ARGUMENT -> "invalid argument";
            case ERR_UNSUPPORTED -> "algorithm not available in this libcrypto";
            case ERR_NOMEM -> "out of memory";
            case ERR_CRYPTO -> "libcrypto error";
            case ERR_AUTH -> "authentication failed";
            case ERR_PEER -> "the peer's value was rejected";
            default -> "status " + status;
        };
    }

    /** Rethrows unchecked throwables as they are and wraps checked ones (from a downcall). */
    public static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException(e);
    }
}
