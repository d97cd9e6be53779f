package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.NativeLibraryLoader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code libpqdtls_native.so} for the FFM backend, loaded once per class loader by the shared
 * {@link NativeLibraryLoader} (finding, extracting and verifying it); only the {@link SymbolLookup}
 * and the downcall handles are FFM's. libcrypto is loaded first through {@link Libcrypto}.
 */
final class NativeLibrary {
    /** Must equal {@code PQDTLS_ABI_VERSION} in {@code pqdtls.h}. */
    static final int ABI_VERSION = NativeLibraryLoader.ABI_VERSION;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final NativeLibraryLoader.Loaded<SymbolLookup> STATE = load(
            System.getProperty(NativeLibraryLoader.PATH_PROPERTY));

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
        return LINKER.downcallHandle(STATE.library().find(name).orElseThrow(), descriptor, options);
    }

    /**
     * Loads as the static initialiser does, without touching the shared state; the tests use it to
     * check each failure mode. {@code explicitPath} null means "use the packaged copy".
     */
    static NativeLibraryLoader.Loaded<SymbolLookup> load(String explicitPath) {
        return NativeLibraryLoader.load(explicitPath, Libcrypto.loaded(), new Binder());
    }

    /** Maps a file with {@link SymbolLookup#libraryLookup} and calls its version functions. */
    private static final class Binder implements NativeLibraryLoader.Binder<SymbolLookup> {
        @Override
        public SymbolLookup open(Path file) {
            try {
                return SymbolLookup.libraryLookup(file, Arena.global());
            } catch (IllegalCallerException e) {
                UnsatisfiedLinkError error = new UnsatisfiedLinkError("native access is disabled for "
                        + moduleDescription() + "; run java with " + nativeAccessFlag());
                error.initCause(e);
                throw error;
            }
        }

        @Override
        public int abiVersion(SymbolLookup lookup) throws Throwable {
            return (int) LINKER.downcallHandle(lookup.find("pqdtls_abi_version").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
        }

        @Override
        public long libcryptoVersionNumber(SymbolLookup lookup) throws Throwable {
            return (long) LINKER.downcallHandle(lookup.find("pqdtls_libcrypto_version_num").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG)).invokeExact();
        }
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
}
