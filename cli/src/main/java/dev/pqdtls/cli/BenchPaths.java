package dev.pqdtls.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@code bench handshakes} and {@code bench connections} that name where things are (a picocli mixin). */
final class BenchPaths {
    @Option(names = "--out", paramLabel = "DIR",
            description = "Where the report (.md) and its chart (.png) go (default: bench/results of this checkout).")
    private Path out;

    @Option(names = "--wolfssl-dir", paramLabel = "DIR",
            description = "wolfSSL install prefix (default ~/.cache/pqdtls/wolfssl, from ci/build-wolfssl.sh).")
    private Path wolfsslDir;

    /** Adds the options given to {@code args}. */
    void addTo(List<String> args) {
        BenchRunner.add(args, "--out", out);
        BenchRunner.add(args, "--wolfssl-dir", wolfsslDir);
    }
}
