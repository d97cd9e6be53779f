package dev.pqdtls.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pqdtls.nativeabi.NativeLibraryLoader;
import dev.pqdtls.nativeabi.testing.NativeLibraryLoaderSuite;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared loader through JNA, and what this JVM loaded. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeLibraryTest extends NativeLibraryLoaderSuite {

    @Override
    protected NativeLibraryLoader.Loaded<?> load(String explicitPath) {
        return PqdtlsLibrary.load(explicitPath);
    }

    @Test
    void loadsAndTheBackendIsUsable() {
        assertEquals(Optional.empty(), PqdtlsLibrary.unavailableReason());
        assertEquals(Optional.empty(), new JnaBackend().checkUsable());
        assertTrue(new JnaBackend().details().get("libpqdtls_native").startsWith("ABI " + NativeLibraryLoader.ABI_VERSION));
    }

    /** CI sets -Dpqdtls.expect.libcrypto=3.5 on the OpenSSL 3.5 run; a silent 3.0 must fail it. */
    @Test
    void libcryptoIsTheExpectedVersion() {
        String expected = System.getProperty("pqdtls.expect.libcrypto");
        assumeTrue(expected != null && !expected.isBlank(), "pqdtls.expect.libcrypto not set");
        assertEquals(Optional.empty(), JnaLibcrypto.unavailableReason());
        assertTrue(JnaLibcrypto.version().startsWith(expected),
                "expected libcrypto " + expected + " but loaded " + JnaLibcrypto.version() + " from " + JnaLibcrypto.source());
    }
}
