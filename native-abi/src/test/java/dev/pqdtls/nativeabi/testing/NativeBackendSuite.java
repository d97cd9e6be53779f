package dev.pqdtls.nativeabi.testing;

import dev.pqdtls.spi.CryptoBackend;

/**
 * Base of the suites every native backend runs (ffm on JDK 22+, jna on JDK 17+): a subclass names its
 * backend, and the suites' parameter lists say {@code "native"} where that backend goes, next to
 * {@code "fallback"} (so every case also runs mixed).
 */
public abstract class NativeBackendSuite {
    /** The placeholder for the backend under test in parameter lists. */
    protected static final String NATIVE = "native";

    /** A new instance of the backend under test. */
    protected abstract CryptoBackend nativeBackend();

    /** The backend name to configure: {@code "native"} becomes the backend under test's name. */
    protected final String resolve(String name) {
        return name.equals(NATIVE) ? nativeBackend().name() : name;
    }
}
