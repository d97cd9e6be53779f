package dev.pqdtls.nativeabi;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a native backend takes ML-KEM-768 from (DESIGN.md §3): libcrypto ≥ 3.5, then liboqs, then the
 * fallback backend's pure-Java implementation, recording why each better source was skipped. Chosen
 * once per process by each backend; the probes are the backend's own bindings.
 */
public final class MlKemSources {

    /** One source as a backend found it: usable, or the reason it is not. */
    public record Candidate(Optional<KeyExchange> exchange, String implementation,
            Optional<MlKemKnownAnswer> knownAnswer, String reason) {
        public static Candidate of(KeyExchange exchange, String implementation, Optional<MlKemKnownAnswer> knownAnswer) {
            return new Candidate(Optional.of(exchange), implementation, knownAnswer, null);
        }

        public static Candidate unavailable(String reason) {
            return new Candidate(Optional.empty(), null, Optional.empty(), reason);
        }
    }

    /** The source chosen for this process, and why the better ones were skipped. */
    public record Choice(KeyExchange exchange, String implementation, Optional<MlKemKnownAnswer> knownAnswer,
            Map<String, String> skipped) {

        /** Facts for the capability probe, with {@code liboqs} describing the liboqs search. */
        public Map<String, String> details(String liboqs) {
            Map<String, String> out = new LinkedHashMap<>();
            out.put("ML-KEM-768 source", implementation);
            skipped.forEach((k, v) -> out.put("ML-KEM-768 via " + k, "skipped: " + v));
            out.put("liboqs", liboqs);
            out.put("ML-KEM-768 known-answer operations",
                    knownAnswer.map(MlKemKnownAnswer::implementation).orElse("not exposed"));
            return out;
        }
    }

    private MlKemSources() {
    }

    /**
     * libcrypto's ML-KEM-768 as a candidate: the exchange in pk.c ({@link NativeKeyExchange}) with the
     * known-answer operations of the backend's EVP binding, or why libcrypto has none.
     */
    public static Candidate libcrypto(HandshakeCalls calls, Optional<? extends MlKemKnownAnswer> knownAnswer,
            String reason) {
        if (knownAnswer.isEmpty()) {
            return Candidate.unavailable(reason);
        }
        Optional<NativeKeyExchange> exchange = NativeKeyExchange.of(calls, NamedGroup.MLKEM768);
        if (exchange.isEmpty()) {
            return Candidate.unavailable("libpqdtls_native cannot do ML-KEM-768 with this libcrypto");
        }
        MlKemKnownAnswer kat = knownAnswer.get();
        return Candidate.of(exchange.get(), kat.implementation(), Optional.of(kat));
    }

    /** libcrypto, else liboqs (only probed when libcrypto has none), else pure Java. */
    public static Choice choose(Supplier<Candidate> libcrypto, Supplier<Candidate> liboqs) {
        Map<String, String> skipped = new LinkedHashMap<>();
        Candidate fromLibcrypto = libcrypto.get();
        if (fromLibcrypto.exchange().isPresent()) {
            return choice(fromLibcrypto, Map.of());
        }
        skipped.put("libcrypto", fromLibcrypto.reason());
        Candidate fromOqs = liboqs.get();
        if (fromOqs.exchange().isPresent()) {
            return choice(fromOqs, skipped);
        }
        skipped.put("liboqs", shortReason(fromOqs.reason())); // details() carries the full liboqs search
        dev.pqdtls.fallback.FallbackBackend fallback = new dev.pqdtls.fallback.FallbackBackend();
        String pure = fallback.mlKemImplementation();
        String why = shortReason(fromLibcrypto.reason()) + " and " + shortReason(fromOqs.reason());
        return new Choice(fallback.componentKeyExchange(NamedGroup.MLKEM768), pure + " (pure Java: " + why + ")",
                fallback.mlKemKnownAnswer(), Collections.unmodifiableMap(skipped));
    }

    private static Choice choice(Candidate c, Map<String, String> skipped) {
        return new Choice(c.exchange().orElseThrow(), c.implementation(), c.knownAnswer(),
                Collections.unmodifiableMap(new LinkedHashMap<>(skipped)));
    }

    /** "liboqs not found: tried ..." → "liboqs not found"; the full text goes to the details. */
    private static String shortReason(String reason) {
        int colon = reason.indexOf(':');
        return colon < 0 ? reason : reason.substring(0, colon);
    }

    /** A choice made on first use and kept for the process (one per backend). */
    public static final class Once {
        private final Supplier<Choice> choose;
        private volatile Choice choice;

        public Once(Supplier<Choice> choose) {
            this.choose = choose;
        }

        public Choice get() {
            Choice c = choice;
            if (c == null) {
                synchronized (this) {
                    c = choice;
                    if (c == null) {
                        c = choose.get();
                        choice = c;
                    }
                }
            }
            return c;
        }
    }
}
