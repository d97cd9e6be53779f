package dev.pqdtls.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * liboqs, opened with dlopen through FFM when present (it is optional: ML-KEM's second source after
 * libcrypto ≥ 3.5). {@code -Dpqdtls.liboqs.path=/path/to/liboqs.so} names the file; otherwise the
 * dynamic loader's search path is asked for {@code liboqs.so} and the sonames {@code liboqs.so.N}.
 * Loaded once per process and never unloaded. Mirrors oqs/kem.h.
 */
final class OqsLibrary {
    /** System property with an explicit path to liboqs. */
    static final String PATH_PROPERTY = "pqdtls.liboqs.path";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final OqsLibrary INSTANCE = load();

    /** Whatever failed, e.g. "not found: ..."; null when loaded. */
    private final String failure;
    private final String version;
    private final String location;

    final MethodHandle kemNew;
    final MethodHandle kemFree;
    final MethodHandle keypair;
    final MethodHandle encaps;
    final MethodHandle decaps;
    /** Absent before liboqs 0.12/0.13. */
    final MethodHandle keypairDerand;
    final MethodHandle encapsDerand;

    private OqsLibrary(String failure, String version, String location, SymbolLookup lookup) {
        this.failure = failure;
        this.version = version;
        this.location = location;
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
        return failure != null ? failure : version + " at " + location;
    }

    private static OqsLibrary load() {
        String explicit = System.getProperty(PATH_PROPERTY);
        List<String> candidates = new ArrayList<>();
        if (explicit != null && !explicit.isBlank()) {
            if (!Files.isRegularFile(Path.of(explicit))) {
                return failed("not found: -D" + PATH_PROPERTY + "=" + explicit + " does not name a file");
            }
            candidates.add(explicit);
        } else {
            candidates.add("liboqs.so");
            for (int n = 10; n >= 1; n--) {
                candidates.add("liboqs.so." + n);
            }
        }
        List<String> errors = new ArrayList<>();
        for (String candidate : candidates) {
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(candidate, Arena.global());
            } catch (IllegalCallerException e) {
                return failed("not loaded: native access is disabled; run java with "
                        + "--enable-native-access=ALL-UNNAMED (class path) or =dev.pqdtls.ffm (module path)");
            } catch (RuntimeException e) {
                errors.add(candidate);
                continue;
            }
            Optional<MemorySegment> versionFn = lookup.find("OQS_version");
            if (versionFn.isEmpty() || lookup.find("OQS_KEM_new").isEmpty()) {
                return failed("unusable: " + candidate + " has no OQS_version/OQS_KEM_new");
            }
            try {
                lookup.find("OQS_init").ifPresent(init -> {
                    try {
                        LINKER.downcallHandle(init, FunctionDescriptor.ofVoid()).invokeExact();
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                });
                MethodHandle v = LINKER.downcallHandle(versionFn.get(), FunctionDescriptor.of(ADDRESS));
                String version = ((MemorySegment) v.invokeExact()).reinterpret(64).getString(0);
                return new OqsLibrary(null, version, locate(candidate), lookup);
            } catch (Throwable t) {
                return failed("unusable: " + candidate + ": " + t);
            }
        }
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        return failed("not found: tried " + (explicit != null && !explicit.isBlank() ? explicit
                : "liboqs.so and liboqs.so.1..10 on the loader search path (LD_LIBRARY_PATH="
                        + (ldPath == null ? "unset" : ldPath) + ", /etc/ld.so.cache, default dirs); set -D"
                        + PATH_PROPERTY + "=/path/to/liboqs.so"));
    }

    private static OqsLibrary failed(String why) {
        return new OqsLibrary(why, null, null, null);
    }

    /** The file the loader actually mapped, from /proc/self/maps; the name asked for if unknown. */
    private static String locate(String asked) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.substring(slash).contains("/liboqs.so")) {
                    return line.substring(slash).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc hidden: the requested name is the best we have
        }
        return asked;
    }
}
