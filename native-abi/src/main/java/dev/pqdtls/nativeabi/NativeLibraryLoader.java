package dev.pqdtls.nativeabi;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one loader of {@code libpqdtls_native.so} for both native backends: from
 * {@code -Dpqdtls.native.path} if set, otherwise from the copy packaged in this jar, extracted into a
 * fresh owner-only temporary directory and removed once mapped. The candidate is then checked: its ABI
 * version must be {@link #ABI_VERSION} and it must be bound to the libcrypto the backend loaded first
 * (so that our DT_NEEDED {@code libcrypto.so.3} binds by soname to the object {@link LibcryptoLoader}
 * chose, which is how {@code -Dpqdtls.libcrypto.path} reaches the record layer too).
 *
 * <p>Every failed attempt is recorded; the failure is the most informative one with the others attached
 * as suppressed exceptions (as Conscrypt does). How a file is mapped and its two version functions
 * called is the backend's business ({@link Binder}: FFM's {@code SymbolLookup}, JNA's
 * {@code NativeLibrary}).
 */
public final class NativeLibraryLoader {
    /** System property with an explicit path to {@code libpqdtls_native.so}. */
    public static final String PATH_PROPERTY = "pqdtls.native.path";
    /** Must equal {@code PQDTLS_ABI_VERSION} in {@code pqdtls.h}. */
    public static final int ABI_VERSION = 4;
    public static final String LIBRARY_FILE = "libpqdtls_native.so";

    /**
     * How a backend maps a library file and calls {@code pqdtls_abi_version} and
     * {@code pqdtls_libcrypto_version_num} in it.
     *
     * @param <H> the backend's handle to a mapped library
     */
    public interface Binder<H> {
        /**
         * Maps the file. Throw an {@link UnsatisfiedLinkError} whose message is the whole reason for
         * a failure the user can fix (e.g. native access disabled); anything else is reported as
         * "cannot load".
         */
        H open(Path file) throws Throwable;

        int abiVersion(H library) throws Throwable;

        long libcryptoVersionNumber(H library) throws Throwable;
    }

    /** Outcome of a load: a handle and where it came from, or the reason there is none. */
    public record Loaded<H>(H library, String source, UnsatisfiedLinkError failure) {
        /** Why the library is unusable, or empty if it loaded. */
        public Optional<String> reason() {
            return failure == null ? Optional.empty() : Optional.of(failure.getMessage());
        }
    }

    private NativeLibraryLoader() {
    }

    /** Loads the library named by {@code -Dpqdtls.native.path}, or the packaged copy. */
    public static <H> Loaded<H> load(LibcryptoLoader.Loaded<?> libcrypto, Binder<H> binder) {
        return load(System.getProperty(PATH_PROPERTY), libcrypto, binder);
    }

    /**
     * Tries to load the library; {@code explicitPath} null or blank means "use the packaged copy".
     * The tests use it to check each failure mode.
     */
    public static <H> Loaded<H> load(String explicitPath, LibcryptoLoader.Loaded<?> libcrypto, Binder<H> binder) {
        List<UnsatisfiedLinkError> attempts = new ArrayList<>();
        if (libcrypto.failure() != null) {
            // Without the chosen libcrypto loaded first, our DT_NEEDED could bind to another one.
            return failed(attempts, "libcrypto: " + libcrypto.failure());
        }
        if (explicitPath != null && !explicitPath.isBlank()) {
            // An explicit path is a demand, not a hint: never fall back to the packaged copy.
            Path path = Path.of(explicitPath);
            if (!Files.isRegularFile(path)) {
                return failed(attempts, "-D" + PATH_PROPERTY + "=" + explicitPath
                        + " does not name a file; point it at " + LIBRARY_FILE + " or unset it to use the packaged copy");
            }
            Loaded<H> loaded = tryLoad(path, "-D" + PATH_PROPERTY + "=" + path, libcrypto, binder, attempts);
            return loaded != null ? loaded : failed(attempts, null);
        }
        String resource = resourceName();
        URL url = NativeLibraryLoader.class.getResource(resource);
        if (url == null) {
            attempts.add(new UnsatisfiedLinkError("no packaged native library for " + platform()
                    + " (resource " + resource + " is missing); build native/ for this platform or set -D"
                    + PATH_PROPERTY));
        } else {
            Path extracted = null;
            try {
                extracted = extract(url);
                Loaded<H> loaded = tryLoad(extracted, url + " (extracted to " + extracted.getParent()
                        + ", removed after loading)", libcrypto, binder, attempts);
                if (loaded != null) {
                    return loaded;
                }
            } catch (IOException | RuntimeException e) {
                UnsatisfiedLinkError error = new UnsatisfiedLinkError("cannot extract " + url + " to a private temporary "
                        + "directory under " + System.getProperty("java.io.tmpdir") + ": " + e);
                error.initCause(e);
                attempts.add(error);
            } finally {
                deleteQuietly(extracted);
            }
        }
        return failed(attempts, null);
    }

    /** The resource path of the packaged library for this platform. */
    public static String resourceName() {
        return "/dev/pqdtls/nativeabi/native/" + platform() + "/" + LIBRARY_FILE;
    }

    private static String platform() {
        return System.getProperty("os.name", "?").toLowerCase(Locale.ROOT).replace(' ', '_') + "-"
                + System.getProperty("os.arch", "?");
    }

    /**
     * Copies the packaged library into a fresh directory that only this user can enter
     * ({@code rwx------}), never a fixed, guessable path in the shared temporary directory.
     */
    public static Path extract(URL url) throws IOException {
        Path dir = Files.createTempDirectory("pqdtls-native-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path file = dir.resolve(LIBRARY_FILE);
        try (InputStream in = url.openStream()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r-x------"));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
        return file;
    }

    /** Removes an extracted library and its directory; the mapped library stays loaded. */
    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (IOException ignored) {
            // Nothing better to do: the directory is private and its name random.
        }
    }

    private static <H> Loaded<H> tryLoad(Path path, String source, LibcryptoLoader.Loaded<?> libcrypto,
            Binder<H> binder, List<UnsatisfiedLinkError> attempts) {
        try {
            H library = binder.open(path);
            int version = binder.abiVersion(library);
            if (version != ABI_VERSION) {
                attempts.add(new UnsatisfiedLinkError(source + " has ABI version " + version + " but this jar needs "
                        + ABI_VERSION + "; use the library built with this jar"));
                return null;
            }
            long boundVersion = binder.libcryptoVersionNumber(library);
            if (boundVersion != libcrypto.versionNumber()) {
                attempts.add(new UnsatisfiedLinkError(source + " is bound to libcrypto 0x"
                        + Long.toHexString(boundVersion) + " but " + libcrypto.source() + " (0x"
                        + Long.toHexString(libcrypto.versionNumber()) + ") was loaded for it; both must be the same"));
                return null;
            }
            return new Loaded<>(library, source, null);
        } catch (UnsatisfiedLinkError e) {
            attempts.add(e);
        } catch (Throwable e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("cannot load " + source + ": " + e.getMessage());
            error.initCause(e);
            attempts.add(error);
        }
        return null;
    }

    /**
     * One error naming every attempt, with the first (usually most specific) as its cause and the
     * rest suppressed.
     */
    private static <H> Loaded<H> failed(List<UnsatisfiedLinkError> attempts, String message) {
        if (message != null) {
            attempts.add(0, new UnsatisfiedLinkError(message));
        }
        StringBuilder text = new StringBuilder("libpqdtls_native unavailable: ");
        for (int i = 0; i < attempts.size(); i++) {
            text.append(i == 0 ? "" : "; then ").append(attempts.get(i).getMessage());
        }
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(text.toString());
        if (!attempts.isEmpty()) {
            error.initCause(attempts.get(0));
            for (int i = 1; i < attempts.size(); i++) {
                error.addSuppressed(attempts.get(i));
            }
        }
        return new Loaded<>(null, null, error);
    }
}
