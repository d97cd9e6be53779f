package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.NativeStatus;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.TranscriptHash;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * An incremental hash in a native EVP_MD_CTX ({@code pqdtls_hash_*}). {@link #current()} finalises a
 * copy, so the transcript keeps accepting messages (RFC 8446 §4.4.1). {@link TranscriptHash} has no
 * {@code close()}, so the context is freed by a {@link Cleaner} once this object is unreachable; it
 * holds no key material, only a running hash of public handshake messages.
 */
final class JnaTranscriptHash implements TranscriptHash {
    private static final Cleaner CLEANER = Cleaner.create();

    private final HashAlgorithm algorithm;
    private final long context;

    private JnaTranscriptHash(HashAlgorithm algorithm, long context) {
        if (context == 0) {
            throw new IllegalStateException("libpqdtls_native could not create a " + algorithm.jcaName() + " context");
        }
        this.algorithm = algorithm;
        this.context = context;
        CLEANER.register(this, () -> PqdtlsNative.pqdtls_hash_free(context));
    }

    static JnaTranscriptHash create(HashAlgorithm algorithm) {
        return new JnaTranscriptHash(algorithm, PqdtlsNative.pqdtls_hash_new(NativeStatus.hashId(algorithm)));
    }

    @Override
    public HashAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public void update(ByteBuffer data) {
        int length = data.remaining();
        if (length == 0) {
            return;
        }
        int rc;
        if (data.isDirect()) {
            rc = PqdtlsNative.pqdtls_hash_update(context, NativeMemory.positionAddress(data), length);
        } else {
            Staging s = Staging.begin(length);
            try {
                rc = PqdtlsNative.pqdtls_hash_update(context, s.copyIn(data), length);
            } finally {
                s.wipe();
            }
        }
        java.lang.ref.Reference.reachabilityFence(this);
        NativeStatus.check(rc, "hash update");
        data.position(data.limit());
    }

    @Override
    public byte[] current() {
        byte[] out = new byte[algorithm.length()];
        Staging s = Staging.begin(out.length);
        try {
            long at = s.reserve(out.length);
            NativeStatus.check(PqdtlsNative.pqdtls_hash_current(context, at), "hash current");
            s.copyOut(at, out);
        } finally {
            s.wipe();
            java.lang.ref.Reference.reachabilityFence(this);
        }
        return out;
    }

    @Override
    public TranscriptHash copy() {
        try {
            return new JnaTranscriptHash(algorithm, PqdtlsNative.pqdtls_hash_copy(context));
        } finally {
            java.lang.ref.Reference.reachabilityFence(this);
        }
    }
}
