package dev.pqdtls.conformance.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the project's shared test material (Wycheproof vectors, RFC texts) through the system
 * property {@code pqdtls.shared.dir}, which surefire sets to {@code ../shared}. When the files are
 * not there the calling test is skipped with a reason that says how to point at them.
 */
public final class SharedFiles {
    /** System property naming the shared directory. */
    public static final String PROPERTY = "pqdtls.shared.dir";

    private SharedFiles() {
    }

    /** The shared directory, or null if the property is unset. */
    public static Path sharedDir() {
        String dir = System.getProperty(PROPERTY);
        return dir == null || dir.isBlank() ? null : Paths.get(dir).toAbsolutePath().normalize();
    }

    /** A Wycheproof vector file; skips the calling test if it is missing. */
    public static Path wycheproof(String fileName) {
        Path base = sharedDir();
        Path dir = base == null ? Paths.get("<unset>", "vectors", "wycheproof") : base.resolve("vectors").resolve("wycheproof");
        Path file = dir.resolve(fileName);
        assumeReadable(file, "Wycheproof vectors not found at " + dir + "; set -D" + PROPERTY
                + "=<dir containing vectors/wycheproof>");
        return file;
    }

    /** A specification text under {@code specs/}; skips the calling test if it is missing. */
    public static Path spec(String fileName) {
        Path base = sharedDir();
        Path dir = base == null ? Paths.get("<unset>", "specs") : base.resolve("specs");
        Path file = dir.resolve(fileName);
        assumeReadable(file, "specification text " + fileName + " not found at " + dir + "; set -D"
                + PROPERTY + "=<dir containing specs/>");
        return file;
    }

    private static void assumeReadable(Path file, String reason) {
        boolean present = Files.isReadable(file);
        if (!present) {
            System.out.println("[conformance] SKIPPED: " + reason);
        }
        Assumptions.assumeTrue(present, reason);
    }
}
