package dev.pqdtls.ffm;

import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.TranscriptHash;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * An incremental hash in a native EVP_MD_CTX. {@link #current()} finalises a copy
 * ({@code EVP_MD_CTX_copy_ex}), so the transcript keeps accepting messages (RFC 8446 §4.4.1).
 *
 * <p>{@link TranscriptHash} has no {@code close()}, so the context is tied to an automatic arena and
 * freed when this object becomes unreachable. It holds no key material, only a running hash of
 * public handshake messages.
 */
final class NativeTranscriptHash implements TranscriptHash {
    private final HashAlgorithm algorithm;
    private final MemorySegment context;

    private NativeTranscriptHash(HashAlgorithm algorithm, MemorySegment raw) {
        if (raw.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("libpqdtls_native could not create a " + algorithm.jcaName() + " context");
        }
        this.algorithm = algorithm;
        // The cleanup runs once the auto arena (reachable only through this segment) is collected.
        this.context = raw.reinterpret(Arena.ofAuto(), NativeTranscriptHash::free);
        NativeContexts.created(NativeContexts.Kind.TRANSCRIPT_HASH);
    }

    static NativeTranscriptHash create(HashAlgorithm algorithm) {
        try {
            return new NativeTranscriptHash(algorithm, (MemorySegment) NativeAbi.HASH_NEW.invokeExact(
                    NativeAbi.hashId(algorithm)));
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
    }

    private static void free(MemorySegment raw) {
        try {
            NativeAbi.HASH_FREE.invokeExact(raw);
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
        NativeContexts.freed(NativeContexts.Kind.TRANSCRIPT_HASH);
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
        try {
            rc = (int) NativeAbi.HASH_UPDATE.invokeExact(context, MemorySegment.ofBuffer(data), (long) length);
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        } finally {
            Reference.reachabilityFence(data);
        }
        NativeAbi.check(rc, "hash update");
        data.position(data.limit());
    }

    @Override
    public byte[] current() {
        byte[] out = new byte[algorithm.length()];
        int rc;
        try {
            rc = (int) NativeAbi.HASH_CURRENT.invokeExact(context, MemorySegment.ofArray(out));
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
        NativeAbi.check(rc, "hash current");
        return out;
    }

    @Override
    public TranscriptHash copy() {
        try {
            return new NativeTranscriptHash(algorithm, (MemorySegment) NativeAbi.HASH_COPY.invokeExact(context));
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
    }
}
