package dev.pqdtls.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The process's OpenSSL libcrypto, loaded once. By default the dynamic loader's search path decides
 * ({@code libcrypto.so.3}); {@code -Dpqdtls.libcrypto.path=/path/to/libcrypto.so.3} picks another
 * build, e.g. OpenSSL 3.5 for native ML-KEM. It must be loaded before our native library, whose
 * DT_NEEDED entry then binds to the same object by soname.
 */
public final class Libcrypto {
    /** System property with an explicit path to libcrypto. */
    public static final String PATH_PROPERTY = "pqdtls.libcrypto.path";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final State STATE = load();

    private record State(SymbolLookup lookup, String version, long versionNumber, String source, String failure) {
    }

    private Libcrypto() {
    }

    private static State load() {
        String explicit = System.getProperty(PATH_PROPERTY);
        String source = explicit == null || explicit.isBlank() ? "libcrypto.so.3" : explicit;
        try {
            if (explicit != null && !explicit.isBlank() && !Files.isRegularFile(Path.of(explicit))) {
                return new State(null, null, 0, source, "-D" + PATH_PROPERTY + "=" + explicit + " does not name a file");
            }
            SymbolLookup lookup = SymbolLookup.libraryLookup(source, Arena.global());
            MethodHandle num = LINKER.downcallHandle(lookup.find("OpenSSL_version_num").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG));
            MethodHandle str = LINKER.downcallHandle(lookup.find("OpenSSL_version").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            long n = (long) num.invokeExact();
            // OPENSSL_VERSION_STRING = 6: just "3.5.4", without the "OpenSSL " prefix and date.
            MemorySegment s = (MemorySegment) str.invokeExact(6);
            String version = s.reinterpret(64).getString(0);
            if (n < 0x30000000L) {
                return new State(null, version, n, source, "libcrypto " + version + " is older than the required 3.0");
            }
            return new State(lookup, version, n, source, null);
        } catch (IllegalCallerException e) {
            return new State(null, null, 0, source, "native access is disabled; run java with "
                    + "--enable-native-access=ALL-UNNAMED (class path) or =dev.pqdtls.ffm (module path)");
        } catch (Throwable e) {
            return new State(null, null, 0, source, "cannot load " + source + ": " + e.getMessage());
        }
    }

    /** Why libcrypto is unusable, or empty if it loaded. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(STATE.failure());
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
        return STATE.failure() == null && STATE.versionNumber() >= 0x30500000L;
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
        return LINKER.downcallHandle(STATE.lookup().find(name).orElseThrow(), descriptor);
    }

    /** A downcall handle if the symbol exists. */
    public static Optional<MethodHandle> optionalDowncall(String name, FunctionDescriptor descriptor) {
        if (STATE.failure() != null) {
            return Optional.empty();
        }
        return STATE.lookup().find(name).map(addr -> LINKER.downcallHandle(addr, descriptor));
    }
}
