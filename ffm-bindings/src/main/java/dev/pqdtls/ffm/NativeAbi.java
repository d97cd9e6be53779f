package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.nativeabi.NativeStatus;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Downcall handles mirroring {@code native/src/main/c/pqdtls.h}. Touch this class only after
 * {@link NativeLibrary#unavailableReason()} came back empty; its initialiser fails otherwise.
 *
 * <p>Short, non-blocking calls whose buffers may be Java arrays are linked {@code critical} with heap
 * access, so a {@code byte[]} goes to C without a copy. Batch calls, which may run for a while, are
 * ordinary downcalls over native memory.
 */
final class NativeAbi {
    // Status codes and ids: the shared contract (NativeStatus), under the names this backend uses.
    static final int PQDTLS_OK = NativeStatus.OK;
    static final int PQDTLS_DP_ERR_BASE = NativeStatus.DP_ERR_BASE;

    private static final Linker.Option HEAP = Linker.Option.critical(true);

    static final MethodHandle CPU_FEATURES = NativeLibrary.downcall("pqdtls_cpu_features",
            FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle CPU_FEATURE_NAME = NativeLibrary.downcall("pqdtls_cpu_feature_name",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    static final MethodHandle RP_CREATE = NativeLibrary.downcall("pqdtls_rp_create",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                    ADDRESS), HEAP);
    static final MethodHandle RP_FREE = NativeLibrary.downcall("pqdtls_rp_free",
            FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle RP_TRIM = NativeLibrary.downcall("pqdtls_rp_trim",
            FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle RP_IDLE_SIZE = NativeLibrary.downcall("pqdtls_rp_idle_size",
            FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle RP_SEAL_BATCH = NativeLibrary.downcall("pqdtls_rp_seal_batch",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle RP_OPEN_BATCH = NativeLibrary.downcall("pqdtls_rp_open_batch",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                    ADDRESS));
    static final MethodHandle RP_SEAL = NativeLibrary.downcall("pqdtls_rp_seal",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), HEAP);
    static final MethodHandle RP_OPEN = NativeLibrary.downcall("pqdtls_rp_open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), HEAP);
    static final MethodHandle RP_MASK = NativeLibrary.downcall("pqdtls_rp_mask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), HEAP);

    static final MethodHandle DP_SEAL_SEND = NativeLibrary.downcall("pqdtls_dp_seal_send",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT,
                    ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle DP_OPEN_BATCH = NativeLibrary.downcall("pqdtls_dp_open_batch",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                    ADDRESS, ADDRESS, ADDRESS));

    static final MethodHandle HASH_NEW = NativeLibrary.downcall("pqdtls_hash_new",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle HASH_COPY = NativeLibrary.downcall("pqdtls_hash_copy",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle HASH_UPDATE = NativeLibrary.downcall("pqdtls_hash_update",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), HEAP);
    static final MethodHandle HASH_CURRENT = NativeLibrary.downcall("pqdtls_hash_current",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), HEAP);
    static final MethodHandle HASH_FREE = NativeLibrary.downcall("pqdtls_hash_free",
            FunctionDescriptor.ofVoid(ADDRESS));

    static final MethodHandle HMAC = NativeLibrary.downcall("pqdtls_hmac",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS), HEAP);
    static final MethodHandle HKDF_EXTRACT = NativeLibrary.downcall("pqdtls_hkdf_extract",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS), HEAP);
    static final MethodHandle HKDF_EXPAND = NativeLibrary.downcall("pqdtls_hkdf_expand",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG),
            HEAP);

    static final MethodHandle DIGEST = NativeLibrary.downcall("pqdtls_digest",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), HEAP);

    // The TLS 1.3 key schedule, one call per step (kdf.c).
    static final MethodHandle TLS13_SCHEDULE_STEP = NativeLibrary.downcall("pqdtls_tls13_schedule_step",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS,
                    JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), HEAP);
    static final MethodHandle TLS13_TRAFFIC_KEYS = NativeLibrary.downcall("pqdtls_tls13_traffic_keys",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            HEAP);
    static final MethodHandle TLS13_FINISHED = NativeLibrary.downcall("pqdtls_tls13_finished",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS),
            HEAP);

    // Key exchange, one call per step (pk.c): tens of microseconds, so critical with heap arrays.
    static final MethodHandle KEX_SUPPORTED = NativeLibrary.downcall("pqdtls_kex_supported",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle KEX_RESPOND = NativeLibrary.downcall("pqdtls_kex_respond",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), HEAP);
    static final MethodHandle KEX_GENERATE = NativeLibrary.downcall("pqdtls_kex_generate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), HEAP);
    static final MethodHandle KEX_FINISH = NativeLibrary.downcall("pqdtls_kex_finish",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), HEAP);
    static final MethodHandle KEX_FREE = NativeLibrary.downcall("pqdtls_kex_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle ECDH = NativeLibrary.downcall("pqdtls_ecdh",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), HEAP);

    // Signatures (pk.c). Not critical: an RSA signature may take milliseconds.
    static final MethodHandle KEY_PRIVATE_DER = NativeLibrary.downcall("pqdtls_key_private_der",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle KEY_PUBLIC_DER = NativeLibrary.downcall("pqdtls_key_public_der",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle KEY_FREE = NativeLibrary.downcall("pqdtls_key_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle SIGN = NativeLibrary.downcall("pqdtls_sign",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle VERIFY = NativeLibrary.downcall("pqdtls_verify",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle VERIFY_RAW = NativeLibrary.downcall("pqdtls_verify_raw",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
                    ADDRESS, JAVA_INT));

    /** Not critical: the first call may wait for the kernel to seed the generator. */
    static final MethodHandle RANDOM_BYTES = NativeLibrary.downcall("pqdtls_random_bytes",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    /** Critical, into a Java array: for once a call has returned, when the generator no longer waits. */
    static final MethodHandle RANDOM_BYTES_SEEDED = NativeLibrary.downcall("pqdtls_random_bytes",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), HEAP);

    private NativeAbi() {
    }

    /** The pqdtls.h hash id of {@code hash}. */
    static int hashId(dev.pqdtls.spi.HashAlgorithm hash) {
        return NativeStatus.hashId(hash);
    }

    /** Turns a status code that should never occur into an exception naming the operation. */
    static void check(int status, String operation) {
        NativeStatus.check(status, operation);
    }

    /** As {@link #check(int, String)} for "subject operation", spelled out only on failure. */
    static void check(int status, Object subject, String operation) {
        NativeStatus.check(status, subject, operation);
    }
}
