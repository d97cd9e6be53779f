package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.LibcryptoLoader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The process's OpenSSL libcrypto as FFM sees it, loaded once; which file and the version checks are
 * {@link LibcryptoLoader}'s (shared with the jna backend), only the {@link SymbolLookup} is FFM's.
 */
public final class Libcrypto {
    /** System property with an explicit path to libcrypto. */
    public static final String PATH_PROPERTY = LibcryptoLoader.PATH_PROPERTY;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final LibcryptoLoader.Loaded<SymbolLookup> STATE = LibcryptoLoader.load(new Binder());

    private Libcrypto() {
    }

    /** Opens libcrypto with {@link SymbolLookup#libraryLookup} and reads its version. */
    private static final class Binder implements LibcryptoLoader.Binder<SymbolLookup> {
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
        public long versionNumber(SymbolLookup lookup) throws Throwable {
            return (long) LINKER.downcallHandle(lookup.find("OpenSSL_version_num").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG)).invokeExact();
        }

        @Override
        public String version(SymbolLookup lookup) throws Throwable {
            MethodHandle str = LINKER.downcallHandle(lookup.find("OpenSSL_version").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            // OPENSSL_VERSION_STRING = 6: just "3.5.4", without the "OpenSSL " prefix and date.
            return ((MemorySegment) str.invokeExact(6)).reinterpret(64).getString(0);
        }
    }

    /** The shared loader's outcome, for {@link NativeLibrary}. */
    static LibcryptoLoader.Loaded<SymbolLookup> loaded() {
        return STATE;
    }

    /** Why libcrypto is unusable, or empty if it loaded. */
    public static Optional<String> unavailableReason() {
        return STATE.reason();
    }

    /** The version string, e.g. {@code 3.5.4}; null if it did not load. */
    public static String version() {
        return STATE.version();
    }

    /** OPENSSL_VERSION_NUMBER, e.g. 0x30500040 for 3.5.4. */
    public static long versionNumber() {
        return STATE.versionNumber();
    }

    /** What was asked of the loader: a soname or an explicit path. */
    public static String source() {
        return STATE.source();
    }

    /** True when libcrypto is 3.5 or newer and so has ML-KEM built in. */
    public static boolean hasMlKem() {
        return STATE.hasMlKem();
    }

    /**
     * A downcall handle for a libcrypto function.
     *
     * @throws IllegalStateException if libcrypto did not load, with the reason
     * @throws java.util.NoSuchElementException if the symbol is missing (e.g. a 3.5-only function)
     */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        if (STATE.failure() != null) {
            throw new IllegalStateException(STATE.failure());
        }
        return LINKER.downcallHandle(STATE.library().find(name).orElseThrow(), descriptor);
    }

    /** A downcall handle if the symbol exists. */
    public static Optional<MethodHandle> optionalDowncall(String name, FunctionDescriptor descriptor) {
        if (STATE.failure() != null) {
            return Optional.empty();
        }
        return STATE.library().find(name).map(addr -> LINKER.downcallHandle(addr, descriptor));
    }
}
