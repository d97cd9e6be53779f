package dev.pqdtls.nativeabi.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pqdtls.nativeabi.NativeLibraryLoader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared loader of {@code libpqdtls_native.so} through one backend's binder: private extraction,
 * and each failure mode of an explicit path with its reason. A backend's test subclasses it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class NativeLibraryLoaderSuite {

    /** The backend's load, as its static initialiser does it, without touching its shared state. */
    protected abstract NativeLibraryLoader.Loaded<?> load(String explicitPath);

    private static URL packaged() {
        URL url = NativeLibraryLoader.class.getResource(NativeLibraryLoader.resourceName());
        assertNotNull(url, "packaged library " + NativeLibraryLoader.resourceName());
        return url;
    }

    @Test
    void extractionDirectoryIsPrivateAndFresh() throws Exception {
        Path first = NativeLibraryLoader.extract(packaged());
        Path second = NativeLibraryLoader.extract(packaged());
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
        NativeLibraryLoader.Loaded<?> loaded = load(missing);
        String reason = loaded.reason().orElseThrow();
        assertTrue(reason.contains("-D" + NativeLibraryLoader.PATH_PROPERTY + "=" + missing), reason);
        assertTrue(reason.contains("does not name a file"), reason);
        assertNotNull(loaded.failure().getCause());
    }

    @Test
    void explicitPathThatIsNotALibraryGivesTheLoaderError() {
        // An ELF executable (with a non-executable stack, so the JVM does not warn about stack guards).
        Path notALibrary = Path.of("/usr/bin/true");
        assumeTrue(Files.isRegularFile(notALibrary), "no /usr/bin/true");
        String reason = load(notALibrary.toString()).reason().orElseThrow();
        assertTrue(reason.contains("cannot load") && reason.contains(notALibrary.toString()), reason);
    }

    @Test
    void explicitPathToARealLibraryLoads() throws Exception {
        Path copy = NativeLibraryLoader.extract(packaged());
        try {
            NativeLibraryLoader.Loaded<?> loaded = load(copy.toString());
            assertEquals(Optional.empty(), loaded.reason());
            assertTrue(loaded.source().contains(copy.toString()), loaded.source());
        } finally {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(copy.getParent());
        }
    }
}
