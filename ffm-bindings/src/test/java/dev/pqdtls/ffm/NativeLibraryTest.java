package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeLibraryTest {

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

    @Test
    void extractionDirectoryIsPrivateAndFresh() throws Exception {
        URL url = NativeLibrary.class.getResource(NativeLibrary.resourceName());
        assertNotNull(url, "packaged library " + NativeLibrary.resourceName());
        Path first = NativeLibrary.extract(url);
        Path second = NativeLibrary.extract(url);
        try {
            Path dir = first.getParent();
            assertNotEquals(dir, second.getParent(), "every extraction gets its own directory");
            assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toRealPath(), dir.getParent().toRealPath());
            assertTrue(dir.getFileName().toString().matches("pqdtls-native-.+"), dir.toString());
            assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(dir));
            assertFalse(Files.getPosixFilePermissions(first).stream().anyMatch(p -> p.name().startsWith("GROUP")
                    || p.name().startsWith("OTHERS")));
            assertEquals(Files.size(first), Files.size(second));
        } finally {
            for (Path p : new Path[] {first, second}) {
                Files.deleteIfExists(p);
                Files.deleteIfExists(p.getParent());
            }
        }
    }

    @Test
    void missingExplicitPathGivesAClearReason() {
        String missing = "/nonexistent/pqdtls/libpqdtls_native.so";
        NativeLibrary.Loaded loaded = NativeLibrary.load(missing);
        String reason = loaded.reason().orElseThrow();
        assertTrue(reason.contains("-D" + NativeLibrary.PATH_PROPERTY + "=" + missing), reason);
        assertTrue(reason.contains("does not name a file"), reason);
        assertNotNull(loaded.failure().getCause());
    }

    @Test
    void explicitPathThatIsNotALibraryGivesTheLoaderError() {
        // An ELF executable (with a non-executable stack, so the JVM does not warn about stack guards).
        Path notALibrary = Path.of("/usr/bin/true");
        assumeTrue(Files.isRegularFile(notALibrary), "no /usr/bin/true");
        String reason = NativeLibrary.load(notALibrary.toString()).reason().orElseThrow();
        assertTrue(reason.contains("cannot load") && reason.contains(notALibrary.toString()), reason);
    }

    @Test
    void explicitPathToARealLibraryLoads() throws Exception {
        URL url = NativeLibrary.class.getResource(NativeLibrary.resourceName());
        Path copy = NativeLibrary.extract(url);
        try {
            NativeLibrary.Loaded loaded = NativeLibrary.load(copy.toString());
            assertEquals(java.util.Optional.empty(), loaded.reason());
            assertTrue(loaded.source().contains(copy.toString()), loaded.source());
        } finally {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(copy.getParent());
        }
    }

    @Test
    void nativeAccessFlagNamesTheClassPath() {
        // Tests run on the class path, so the flag to suggest is ALL-UNNAMED.
        assertEquals("--enable-native-access=ALL-UNNAMED", NativeLibrary.nativeAccessFlag());
    }
}
