package dev.pqdtls.ffm;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
 * Loads {@code libpqdtls_native.so} once per class loader: from {@code -Dpqdtls.native.path} if set,
 * otherwise from the copy packaged in this jar, extracted into a fresh owner-only temporary
 * directory. Every failed attempt is recorded; {@link #unavailabilityCause()} is the most
 * informative one with the others attached as suppressed exceptions (as Conscrypt does).
 *
 * <p>libcrypto is loaded first through {@link Libcrypto}, so that our library's DT_NEEDED
 * {@code libcrypto.so.3} binds by soname to the object {@code Libcrypto} chose (which is how
 * {@code -Dpqdtls.libcrypto.path} reaches the record layer too); the load then checks that both
 * report the same OpenSSL version.
 */
final class NativeLibrary {
    /** System property with an explicit path to {@code libpqdtls_native.so}. */
    static final String PATH_PROPERTY = "pqdtls.native.path";
    /** Must equal {@code PQDTLS_ABI_VERSION} in {@code pqdtls.h}. */
    static final int ABI_VERSION = 3;
    static final String LIBRARY_FILE = "libpqdtls_native.so";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Loaded STATE = load(System.getProperty(PATH_PROPERTY));

    /** Outcome of a load: a lookup and where it came from, or the reason there is none. */
    record Loaded(SymbolLookup lookup, String source, UnsatisfiedLinkError failure) {
        Optional<String> reason() {
            return failure == null ? Optional.empty() : Optional.of(failure.getMessage());
        }
    }

    private NativeLibrary() {
    }

    /** Why the native library is unusable, or empty if it loaded. */
    static Optional<String> unavailableReason() {
        return STATE.reason();
    }

    /** The failure with every other failed attempt suppressed in it, or null if it loaded. */
    static UnsatisfiedLinkError unavailabilityCause() {
        return STATE.failure();
    }

    /** Where the loaded library came from, for diagnostics. */
    static String source() {
        return STATE.source();
    }

    /**
     * A downcall handle into our library.
     *
     * @throws IllegalStateException if the library did not load, with the reason
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        if (STATE.failure() != null) {
            throw new IllegalStateException(STATE.failure().getMessage(), STATE.failure());
        }
        return LINKER.downcallHandle(STATE.lookup().find(name).orElseThrow(), descriptor, options);
    }

    /**
     * Tries to load the library as the static initialiser does, without touching the shared state;
     * the tests use it to check each failure mode. {@code explicitPath} null means "use the packaged
     * copy".
     */
    static Loaded load(String explicitPath) {
        List<UnsatisfiedLinkError> attempts = new ArrayList<>();
        Optional<String> libcrypto = Libcrypto.unavailableReason();
        if (libcrypto.isPresent()) {
            // Without the chosen libcrypto loaded first, our DT_NEEDED could bind to another one.
            return failed(attempts, "libcrypto: " + libcrypto.get());
        }
        if (explicitPath != null && !explicitPath.isBlank()) {
            // An explicit path is a demand, not a hint: never fall back to the packaged copy.
            Path path = Path.of(explicitPath);
            if (!Files.isRegularFile(path)) {
                return failed(attempts, "-D" + PATH_PROPERTY + "=" + explicitPath
                        + " does not name a file; point it at " + LIBRARY_FILE + " or unset it to use the packaged copy");
            }
            Loaded loaded = tryLoad(path, "-D" + PATH_PROPERTY + "=" + path, attempts);
            return loaded != null ? loaded : failed(attempts, null);
        }
        String resource = resourceName();
        URL url = NativeLibrary.class.getResource(resource);
        if (url == null) {
            attempts.add(new UnsatisfiedLinkError("no packaged native library for " + platform()
                    + " (resource " + resource + " is missing); build native/ for this platform or set -D"
                    + PATH_PROPERTY));
        } else {
            Path extracted = null;
            try {
                extracted = extract(url);
                Loaded loaded = tryLoad(extracted, url + " (extracted to " + extracted.getParent() + ", removed after loading)",
                        attempts);
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
    static String resourceName() {
        return "/dev/pqdtls/ffm/native/" + platform() + "/" + LIBRARY_FILE;
    }

    private static String platform() {
        return System.getProperty("os.name", "?").toLowerCase(Locale.ROOT).replace(' ', '_') + "-"
                + System.getProperty("os.arch", "?");
    }

    /**
     * Copies the packaged library into a fresh directory that only this user can enter
     * ({@code rwx------}), never a fixed, guessable path in the shared temporary directory.
     */
    static Path extract(URL url) throws IOException {
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

    private static Loaded tryLoad(Path path, String source, List<UnsatisfiedLinkError> attempts) {
        try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
            MethodHandle abi = LINKER.downcallHandle(lookup.find("pqdtls_abi_version").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int version = (int) abi.invokeExact();
            if (version != ABI_VERSION) {
                attempts.add(new UnsatisfiedLinkError(source + " has ABI version " + version + " but this jar needs "
                        + ABI_VERSION + "; use the library built with this jar"));
                return null;
            }
            MethodHandle bound = LINKER.downcallHandle(lookup.find("pqdtls_libcrypto_version_num").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG));
            long boundVersion = (long) bound.invokeExact();
            if (boundVersion != Libcrypto.versionNumber()) {
                attempts.add(new UnsatisfiedLinkError(source + " is bound to libcrypto 0x"
                        + Long.toHexString(boundVersion) + " but " + Libcrypto.source() + " (0x"
                        + Long.toHexString(Libcrypto.versionNumber()) + ") was loaded for it; both must be the same"));
                return null;
            }
            return new Loaded(lookup, source, null);
        } catch (IllegalCallerException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("native access is disabled for "
                    + moduleDescription() + "; run java with " + nativeAccessFlag());
            error.initCause(e);
            attempts.add(error);
        } catch (Throwable e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("cannot load " + source + ": " + e.getMessage());
            error.initCause(e);
            attempts.add(error);
        }
        return null;
    }

    /** The flag that enables native access for the module this class is in. */
    static String nativeAccessFlag() {
        Module module = NativeLibrary.class.getModule();
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    private static String moduleDescription() {
        Module module = NativeLibrary.class.getModule();
        return module.isNamed() ? "module " + module.getName() : "the class path (unnamed module)";
    }

    /**
     * One error naming every attempt, with the first (usually most specific) as its cause and the
     * rest suppressed.
     */
    private static Loaded failed(List<UnsatisfiedLinkError> attempts, String message) {
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
        return new Loaded(null, null, error);
    }
}
