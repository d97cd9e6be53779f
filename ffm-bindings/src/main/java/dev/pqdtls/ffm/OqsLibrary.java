package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.pqdtls.nativeabi.LiboqsLoader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * liboqs, opened with dlopen through FFM when present (it is optional: ML-KEM's second source after
 * libcrypto ≥ 3.5); {@link LiboqsLoader} decides where to look. Loaded once per process and never
 * unloaded. Mirrors oqs/kem.h.
 */
final class OqsLibrary {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final OqsLibrary INSTANCE = new OqsLibrary(LiboqsLoader.load(new Binder()));

    /** Whatever failed, e.g. "not found: ..."; null when loaded. */
    private final String failure;
    private final String version;
    private final String description;

    final MethodHandle kemNew;
    final MethodHandle kemFree;
    final MethodHandle keypair;
    final MethodHandle encaps;
    final MethodHandle decaps;
    /** Absent before liboqs 0.12/0.13. */
    final MethodHandle keypairDerand;
    final MethodHandle encapsDerand;

    private OqsLibrary(LiboqsLoader.Loaded<SymbolLookup> loaded) {
        this.failure = loaded.failure();
        this.version = loaded.version();
        this.description = loaded.describe();
        SymbolLookup lookup = loaded.library();
        this.kemNew = handle(lookup, "OQS_KEM_new", FunctionDescriptor.of(ADDRESS, ADDRESS));
        this.kemFree = handle(lookup, "OQS_KEM_free", FunctionDescriptor.ofVoid(ADDRESS));
        this.keypair = handle(lookup, "OQS_KEM_keypair", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        this.encaps = handle(lookup, "OQS_KEM_encaps",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        this.decaps = handle(lookup, "OQS_KEM_decaps",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        this.keypairDerand = handle(lookup, "OQS_KEM_keypair_derand",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        this.encapsDerand = handle(lookup, "OQS_KEM_encaps_derand",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor d) {
        return lookup == null ? null : lookup.find(name).map(a -> LINKER.downcallHandle(a, d)).orElse(null);
    }

    static OqsLibrary get() {
        return INSTANCE;
    }

    /** Why liboqs is not usable here, or empty. */
    Optional<String> unavailableReason() {
        return Optional.ofNullable(failure);
    }

    /** e.g. {@code 0.14.0}; null when not loaded. */
    String version() {
        return version;
    }

    /** For the probe: "0.14.0 at /usr/local/lib/liboqs.so.9" or "not found: ...". */
    String describe() {
        return description;
    }

    /** Opens candidates with {@link SymbolLookup#libraryLookup}; the search itself is {@link LiboqsLoader}'s. */
    private static final class Binder implements LiboqsLoader.Binder<SymbolLookup> {
        @Override
        public SymbolLookup open(String nameOrPath) {
            try {
                return SymbolLookup.libraryLookup(nameOrPath, Arena.global());
            } catch (IllegalCallerException e) {
                throw new UnsatisfiedLinkError("native access is disabled; run java with "
                        + "--enable-native-access=ALL-UNNAMED (class path) or =dev.pqdtls.ffm (module path)");
            }
        }

        @Override
        public boolean isLiboqs(SymbolLookup lookup) {
            return lookup.find("OQS_version").isPresent() && lookup.find("OQS_KEM_new").isPresent();
        }

        @Override
        public String initAndVersion(SymbolLookup lookup) throws Throwable {
            Optional<MemorySegment> init = lookup.find("OQS_init");
            if (init.isPresent()) {
                LINKER.downcallHandle(init.get(), FunctionDescriptor.ofVoid()).invokeExact();
            }
            MethodHandle v = LINKER.downcallHandle(lookup.find("OQS_version").orElseThrow(), FunctionDescriptor.of(ADDRESS));
            return ((MemorySegment) v.invokeExact()).reinterpret(64).getString(0);
        }
    }
}
