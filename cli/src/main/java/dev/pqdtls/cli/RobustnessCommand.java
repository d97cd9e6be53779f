package dev.pqdtls.cli;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pqdtls bench robustness}: the robustness runner of the bench module
 * ({@code dev.pqdtls.bench.robustness.RobustnessEntry}), Java 22 code reached by reflection after a Java
 * version check, as {@link BenchCommand} reaches its runner. Options are type-checked here and passed on
 * verbatim; their ranges are checked there.
 */
@Command(name = "robustness",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Robustness under loss and attack; writes a report.",
            "",
            "Parts, one after the other: loss - handshakes through a relay with 30%% loss each way, 10%% duplication "
                    + "and 20%% reordering, pqdtls and wolfSSL as client and server (wolfSSL with itself as the "
                    + "reference; wolfSSL parts need ci/build-wolfssl.sh's build); flood - a pqdtls server under a flood "
                    + "of ClientHellos from many spoofed 127.x addresses while legitimate clients connect (completions, "
                    + "bytes to the spoofed addresses per byte from them, memory); soak - half-open, mutated and "
                    + "completed handshakes, then memory once the handshake timeout has passed; replay - replayed and "
                    + "forged records through the socket path, on both backends.",
            "Progress on stderr, the report on stdout and in robustness.md under --out, with the targets marked met "
                    + "or missed. Short mode (default, about 5 minutes): 20 handshakes per direction, a 10 s flood, a 60 s "
                    + "soak. --full: 100, 60 s, 10 minutes (about 25 minutes). Needs Java 22+."
        })
final class RobustnessCommand implements Callable<Integer> {
    private static final String ENTRY = "dev.pqdtls.bench.robustness.RobustnessEntry";

    @Spec
    private CommandSpec spec;

    @Option(names = "--full", description = "The long run: 100 handshakes per direction, a 60 s flood, a 10-minute soak.")
    private boolean full;

    @Option(names = "--parts", split = ",", paramLabel = "PART",
            description = "Parts to run, of loss, flood, soak, replay (default all), e.g. --parts loss,replay.")
    private List<String> parts;

    @Option(names = "--handshakes", paramLabel = "N",
            description = "Handshakes per direction in the loss part, [1, 10000] (default 20; 100 with --full).")
    private Integer handshakes;

    @Option(names = "--soak-seconds", paramLabel = "S",
            description = "How long the soak's load runs, in seconds, (0, 86400] (default 60; 600 with --full).")
    private Integer soakSeconds;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where robustness.md goes (default: bench/results of this checkout).")
    private Path out;

    @Option(names = "--wolfssl-dir", paramLabel = "DIR",
            description = "wolfSSL install prefix whose build/ tree has the example programs (default ~/.cache/pqdtls/wolfssl, "
                    + "from ci/build-wolfssl.sh).")
    private Path wolfsslDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (Runtime.version().feature() < Backends.FFM_MIN_JAVA) {
            err.println("pqdtls: " + Backends.needsNewerJava("bench robustness (its runner is Java "
                    + Backends.FFM_MIN_JAVA + " code)"));
            err.flush();
            return Main.EXIT_FAILURE;
        }
        Method run;
        try {
            run = Class.forName(ENTRY).getMethod("run", String[].class, PrintWriter.class, PrintWriter.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            err.println("pqdtls: bench robustness is not part of this build (" + ENTRY + ".run missing: " + e.getMessage() + ")");
            err.flush();
            return Main.EXIT_FAILURE;
        }
        try {
            return (Integer) run.invoke(null, arguments(), spec.commandLine().getOut(), err);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex; // one line via Main's handler
            }
            if (e.getCause() instanceof Error er) {
                throw er;
            }
            throw e;
        }
    }

    /** The options given, in RobustnessEntry's syntax. */
    private String[] arguments() {
        List<String> args = new ArrayList<>();
        if (full) {
            args.add("--full");
        }
        if (parts != null) {
            args.addAll(List.of("--parts", String.join(",", parts)));
        }
        if (handshakes != null) {
            args.addAll(List.of("--handshakes", handshakes.toString()));
        }
        if (soakSeconds != null) {
            args.addAll(List.of("--soak-seconds", soakSeconds.toString()));
        }
        if (out != null) {
            args.addAll(List.of("--out", out.toString()));
        }
        if (wolfsslDir != null) {
            args.addAll(List.of("--wolfssl-dir", wolfsslDir.toString()));
        }
        return args.toArray(String[]::new);
    }
}
