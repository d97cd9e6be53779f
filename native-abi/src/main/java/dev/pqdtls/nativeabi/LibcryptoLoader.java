package dev.pqdtls.nativeabi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Chooses and checks the process's OpenSSL libcrypto for a native backend. By default the dynamic
 * loader's search path decides ({@code libcrypto.so.3}); {@code -Dpqdtls.libcrypto.path=/path/to/libcrypto.so.3}
 * picks another build, e.g. OpenSSL 3.5 for native ML-KEM. It must be loaded before our native library,
 * whose DT_NEEDED entry then binds to the same object by soname. How the file is opened is the
 * backend's business ({@link Binder}).
 */
public final class LibcryptoLoader {
    /** System property with an explicit path to libcrypto. */
    public static final String PATH_PROPERTY = "pqdtls.libcrypto.path";
    /** OpenSSL 3.0: EVP_PKEY_CTX_new_from_name, OSSL_PARAM and friends. */
    public static final long MINIMUM_VERSION = 0x30000000L;
    /** OpenSSL 3.5: ML-KEM in the default provider. */
    public static final long ML_KEM_VERSION = 0x30500000L;

    /** How a backend opens libcrypto and reads its version. */
    public interface Binder<H> {
        /** Opens {@code nameOrPath}; an {@link UnsatisfiedLinkError}'s message is reported as it is. */
        H open(String nameOrPath) throws Throwable;

        /** {@code OpenSSL_version_num()}. */
        long versionNumber(H library) throws Throwable;

        /** {@code OpenSSL_version(OPENSSL_VERSION_STRING)}: just "3.5.4", without prefix or date. */
        String version(H library) throws Throwable;
    }

    /**
     * The loaded libcrypto, or why there is none.
     *
     * @param source what was asked of the loader: a soname or an explicit path
     */
    public record Loaded<H>(H library, String version, long versionNumber, String source, String failure) {
        /** Why libcrypto is unusable, or empty if it loaded. */
        public Optional<String> reason() {
            return Optional.ofNullable(failure);
        }

        /** True when libcrypto is 3.5 or newer and so has ML-KEM built in. */
        public boolean hasMlKem() {
            return failure == null && versionNumber >= ML_KEM_VERSION;
        }
    }

    private LibcryptoLoader() {
    }

    /** Opens the libcrypto named by {@code -Dpqdtls.libcrypto.path}, or the system's. */
    public static <H> Loaded<H> load(Binder<H> binder) {
        String explicit = System.getProperty(PATH_PROPERTY);
        boolean isExplicit = explicit != null && !explicit.isBlank();
        String source = isExplicit ? explicit : "libcrypto.so.3";
        if (isExplicit && !Files.isRegularFile(Path.of(explicit))) {
            return new Loaded<>(null, null, 0, source, "-D" + PATH_PROPERTY + "=" + explicit + " does not name a file");
        }
        try {
            H library = binder.open(source);
            long n = binder.versionNumber(library);
            String version = binder.version(library);
            if (n < MINIMUM_VERSION) {
                return new Loaded<>(null, version, n, source, "libcrypto " + version + " is older than the required 3.0");
            }
            return new Loaded<>(library, version, n, source, null);
        } catch (UnsatisfiedLinkError e) {
            return new Loaded<>(null, null, 0, source, e.getMessage());
        } catch (Throwable e) {
            return new Loaded<>(null, null, 0, source, "cannot load " + source + ": " + e.getMessage());
        }
    }
}
