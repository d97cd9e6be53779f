package dev.pqdtls.jna;

import com.sun.jna.NativeLibrary;
import dev.pqdtls.nativeabi.LibcryptoLoader;
import java.util.Optional;

/**
 * The process's OpenSSL libcrypto as JNA sees it, loaded once; which file and the version checks are
 * {@link LibcryptoLoader}'s (shared with the ffm backend), only the {@link NativeLibrary} is JNA's.
 */
final class JnaLibcrypto {
    private static final LibcryptoLoader.Loaded<NativeLibrary> STATE = LibcryptoLoader.load(new Binder());

    private JnaLibcrypto() {
    }

    /** Opens libcrypto with {@link NativeLibrary#getInstance(String)} and reads its version. */
    private static final class Binder implements LibcryptoLoader.Binder<NativeLibrary> {
        @Override
        public NativeLibrary open(String nameOrPath) {
            return NativeLibrary.getInstance(nameOrPath);
        }

        @Override
        public long versionNumber(NativeLibrary library) {
            return library.getFunction("OpenSSL_version_num").invokeLong(new Object[0]);
        }

        @Override
        public String version(NativeLibrary library) {
            // OPENSSL_VERSION_STRING = 6: just "3.5.4", without the "OpenSSL " prefix and date.
            return library.getFunction("OpenSSL_version").invokePointer(new Object[] {6}).getString(0);
        }
    }

    static LibcryptoLoader.Loaded<NativeLibrary> loaded() {
        return STATE;
    }

    static Optional<String> unavailableReason() {
        return STATE.reason();
    }

    static String version() {
        return STATE.version();
    }

    static String source() {
        return STATE.source();
    }

    static boolean hasMlKem() {
        return STATE.hasMlKem();
    }

    /** The loaded library, for direct mapping; throws with the reason if it did not load. */
    static NativeLibrary library() {
        if (STATE.failure() != null) {
            throw new IllegalStateException(STATE.failure());
        }
        return STATE.library();
    }
}
