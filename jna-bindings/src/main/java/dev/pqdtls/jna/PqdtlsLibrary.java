package dev.pqdtls.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.pqdtls.nativeabi.NativeLibraryLoader;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code libpqdtls_native.so} for the JNA backend, loaded once per class loader by the shared
 * {@link NativeLibraryLoader} (finding, extracting and verifying it); only the {@link NativeLibrary}
 * and the direct-mapping registration are JNA's. libcrypto is loaded first through {@link JnaLibcrypto}.
 */
final class PqdtlsLibrary {
    private static final NativeLibraryLoader.Loaded<NativeLibrary> STATE = load(
            System.getProperty(NativeLibraryLoader.PATH_PROPERTY));

    private PqdtlsLibrary() {
    }

    static Optional<String> unavailableReason() {
        return STATE.reason();
    }

    static UnsatisfiedLinkError unavailabilityCause() {
        return STATE.failure();
    }

    static String source() {
        return STATE.source();
    }

    /**
     * Binds the {@code static native} methods of {@code bindings} to our library (JNA direct mapping).
     *
     * @throws IllegalStateException if the library did not load, with the reason
     */
    static void register(Class<?> bindings) {
        if (STATE.failure() != null) {
            throw new IllegalStateException(STATE.failure().getMessage(), STATE.failure());
        }
        Native.register(bindings, STATE.library());
    }

    /** Loads as the static initialiser does, without touching the shared state (for the tests). */
    static NativeLibraryLoader.Loaded<NativeLibrary> load(String explicitPath) {
        return NativeLibraryLoader.load(explicitPath, JnaLibcrypto.loaded(), new Binder());
    }

    /** Maps a file with {@link NativeLibrary#getInstance(String)} and calls its version functions. */
    private static final class Binder implements NativeLibraryLoader.Binder<NativeLibrary> {
        @Override
        public NativeLibrary open(Path file) {
            try {
                return NativeLibrary.getInstance(file.toString());
            } catch (UnsatisfiedLinkError e) {
                // The dynamic loader's own words; the shared loader prefixes "cannot load <file>".
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        @Override
        public int abiVersion(NativeLibrary library) {
            return library.getFunction("pqdtls_abi_version").invokeInt(new Object[0]);
        }

        @Override
        public long libcryptoVersionNumber(NativeLibrary library) {
            return library.getFunction("pqdtls_libcrypto_version_num").invokeLong(new Object[0]);
        }
    }
}
