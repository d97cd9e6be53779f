package dev.pqdtls.ffm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many native contexts this backend holds now, by kind: created minus freed, for the whole process
 * ({@link FfmBackend#liveNativeContexts()}). Once every connection has ended the counts must come back
 * to zero; one that does not is a leak. Transcript hashes have no {@code close} (the SPI's
 * {@code TranscriptHash} does not need one) and are freed when their object is collected, so their
 * count comes back after a garbage collection.
 */
final class NativeContexts {
    /** What a context is. */
    enum Kind {
        /** A {@code pqdtls_rp} record protection context: one epoch's keys, one direction. */
        RECORD_PROTECTION("record protection"),
        /** A client's ephemeral private key waiting for the server's share. */
        KEY_SHARE("key share"),
        /** A running transcript hash ({@code EVP_MD_CTX}). */
        TRANSCRIPT_HASH("transcript hash");

        final String label;
        final LongAdder live = new LongAdder();

        Kind(String label) {
            this.label = label;
        }
    }

    private NativeContexts() {
    }

    static void created(Kind kind) {
        kind.live.increment();
    }

    static void freed(Kind kind) {
        kind.live.decrement();
    }

    /** The live count of every kind, in declaration order. */
    static Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            out.put(k.label, k.live.sum());
        }
        return out;
    }
}
