package dev.pqdtls.nativeabi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds liboqs for a native backend (optional: ML-KEM's second source after libcrypto ≥ 3.5).
 * {@code -Dpqdtls.liboqs.path=/path/to/liboqs.so} names the file; otherwise the dynamic loader's search
 * path is asked for {@code liboqs.so} and the sonames {@code liboqs.so.N}. How a candidate is opened and
 * its functions called is the backend's business ({@link Binder}).
 */
public final class LiboqsLoader {
    /** System property with an explicit path to liboqs. */
    public static final String PATH_PROPERTY = "pqdtls.liboqs.path";

    /** How a backend opens liboqs; {@code open} throws when the candidate is not there. */
    public interface Binder<H> {
        /** Opens a candidate; an {@link UnsatisfiedLinkError} whose message starts "native access" ends the search. */
        H open(String nameOrPath) throws Throwable;

        /** True if OQS_version and OQS_KEM_new exist. */
        boolean isLiboqs(H library);

        /** Calls OQS_init (if present) and returns OQS_version(). */
        String initAndVersion(H library) throws Throwable;
    }

    /** The opened library, or why there is none ("not found: ...", "unusable: ..."). */
    public record Loaded<H>(H library, String version, String location, String failure) {
        /** For the probe: "0.14.0 at /usr/local/lib/liboqs.so.9" or "not found: ...". */
        public String describe() {
            return failure != null ? failure : version + " at " + location;
        }
    }

    private LiboqsLoader() {
    }

    public static <H> Loaded<H> load(Binder<H> binder) {
        String explicit = System.getProperty(PATH_PROPERTY);
        boolean isExplicit = explicit != null && !explicit.isBlank();
        List<String> candidates = new ArrayList<>();
        if (isExplicit) {
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
        for (String candidate : candidates) {
            H library;
            try {
                library = binder.open(candidate);
            } catch (UnsatisfiedLinkError e) {
                if (e.getMessage() != null && e.getMessage().startsWith("native access")) {
                    return failed("not loaded: " + e.getMessage());
                }
                continue;
            } catch (Throwable e) {
                continue;
            }
            if (!binder.isLiboqs(library)) {
                return failed("unusable: " + candidate + " has no OQS_version/OQS_KEM_new");
            }
            try {
                return new Loaded<>(library, binder.initAndVersion(library), locate(candidate), null);
            } catch (Throwable t) {
                return failed("unusable: " + candidate + ": " + t);
            }
        }
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        return failed("not found: tried " + (isExplicit ? explicit
                : "liboqs.so and liboqs.so.1..10 on the loader search path (LD_LIBRARY_PATH="
                        + (ldPath == null ? "unset" : ldPath) + ", /etc/ld.so.cache, default dirs); set -D"
                        + PATH_PROPERTY + "=/path/to/liboqs.so"));
    }

    private static <H> Loaded<H> failed(String why) {
        return new Loaded<>(null, null, null, why);
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
