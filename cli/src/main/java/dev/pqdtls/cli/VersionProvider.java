package dev.pqdtls.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code pqdtls --version}: the build's version and the running JVM. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String[] {
            "pqdtls " + p.getProperty("version", "unknown"),
            "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ")",
        };
    }
}
