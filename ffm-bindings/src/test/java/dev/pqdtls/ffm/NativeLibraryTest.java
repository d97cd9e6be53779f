package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pqdtls.nativeabi.NativeLibraryLoader;
import dev.pqdtls.nativeabi.testing.NativeLibraryLoaderSuite;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeLibraryTest extends NativeLibraryLoaderSuite {

    @Test
    void loadsAndReportsAbiVersion() throws Throwable {
        assertEquals(java.util.Optional.empty(), NativeLibrary.unavailableReason(),
                () -> "native library should load: " + NativeLibrary.unavailableReason());
        int abi = (int) NativeLibrary.downcall("pqdtls_abi_version", FunctionDescriptor.of(ValueLayout.JAVA_INT))
                .invokeExact();
        assertEquals(NativeLibrary.ABI_VERSION, abi);
        assertNotNull(NativeLibrary.source());
    }

    /** Our library's DT_NEEDED libcrypto.so.3 must bind to the very libcrypto that Libcrypto loaded. */
    @Test
    void nativeLibraryUsesTheLibcryptoLoadedFirst() throws Throwable {
        long bound = (long) NativeLibrary.downcall("pqdtls_libcrypto_version_num",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG)).invokeExact();
        assertEquals(Libcrypto.versionNumber(), bound);
    }

    /** CI sets -Dpqdtls.expect.libcrypto=3.5 on the OpenSSL 3.5 run; a silent 3.0 must fail it. */
    @Test
    void libcryptoIsTheExpectedVersion() throws Throwable {
        String expected = System.getProperty("pqdtls.expect.libcrypto");
        assumeTrue(expected != null && !expected.isBlank(), "pqdtls.expect.libcrypto not set");
        assertEquals(java.util.Optional.empty(), Libcrypto.unavailableReason());
        assertTrue(Libcrypto.version().startsWith(expected),
                "expected libcrypto " + expected + " but loaded " + Libcrypto.version() + " from " + Libcrypto.source());
        long bound = (long) NativeLibrary.downcall("pqdtls_libcrypto_version_num",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG)).invokeExact();
        assertEquals(Libcrypto.versionNumber(), bound, "libpqdtls_native bound to another libcrypto");
    }

    @Override
    protected NativeLibraryLoader.Loaded<?> load(String explicitPath) {
        return NativeLibrary.load(explicitPath);
    }

    @Test
    void nativeAccessFlagNamesTheClassPath() {
        // Tests run on the class path, so the flag to suggest is ALL-UNNAMED.
        assertEquals("--enable-native-access=ALL-UNNAMED", NativeLibrary.nativeAccessFlag());
    }
}
