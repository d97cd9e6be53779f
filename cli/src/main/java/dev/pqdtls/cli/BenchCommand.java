package dev.pqdtls.cli;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pqdtls bench}: the end-to-end comparison of the bench module ({@code dev.pqdtls.bench.EndToEnd}).
 * That module is Java 22 code and this one Java 17 (so that {@code probe} and the fallback run on 17): the
 * runner is on the run-time class path only and is called through one reflective entry point,
 * {@code BenchEntry.run(String[], PrintWriter, PrintWriter)}, after a Java version check. Options are
 * type-checked here and passed on verbatim; the ranges are checked there.
 */
@Command(name = "bench",
        subcommands = RobustnessCommand.class,
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "End-to-end throughput: pqdtls vs raw UDP, wolfSSL and openssl speed; writes a report.",
            "",
            "Runs the comparison over loopback, one row after the other: 1 pqdtls ffm with "
                    + "GSO/GRO, 2 ffm with udpOffload(false), 3 pqdtls fallback, 4 raw UDP (same batching, GSO/GRO, "
                    + "no crypto; a C program), 5 wolfSSL DTLS 1.3 streaming the same way (a C driver; when "
                    + "ci/build-wolfssl.sh's build is there), "
                    + "6 'openssl speed -evp' for the suite's AEAD at 1200 B on one core.",
            "Shows progress on stderr, prints the table (MB/s, records/s, delivered/sent, loss, ratio to raw UDP) "
                    + "and the targets (ffm vs fallback and wolfSSL, vs min(raw UDP, openssl speed)) on stdout, and "
                    + "writes end-to-end.md and end-to-end.png to --out. The short mode (default) takes well under "
                    + "2 minutes; figures on a shared machine are noisy. Needs Java 22+."
        })
final class BenchCommand implements Callable<Integer> {
    private static final String ENTRY = "dev.pqdtls.bench.BenchEntry";

    @Spec
    private CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "S",
            description = "Measured window per row, in seconds, (0, 600] (default 2; 5 with --full).")
    private Double seconds;

    @Option(names = "--warmup", paramLabel = "W",
            description = "Sending before each window opens, in seconds, [0, 60] (default 1.5; 2 with --full).")
    private Double warmup;

    @Option(names = "--suites", paramLabel = "NAME", split = ",", converter = ProtocolOptions.SuiteName.class,
            description = {"Cipher suite, IANA name, one (default TLS_AES_128_GCM_SHA256).", "Names: " + ProtocolOptions.SUITES_HELP + "."})
    private List<CipherSuite> suites;

    @Option(names = "--suite", split = ",", converter = ProtocolOptions.SuiteName.class, hidden = true)
    private List<CipherSuite> suiteAlias;

    @Option(names = "--groups", paramLabel = "NAME", split = ",", converter = ProtocolOptions.GroupName.class,
            description = {"Key-exchange group, one (default X25519MLKEM768).", "Names: " + ProtocolOptions.GROUPS_HELP + "."})
    private List<NamedGroup> groups;

    @Option(names = "--group", split = ",", converter = ProtocolOptions.GroupName.class, hidden = true)
    private List<NamedGroup> groupAlias;

    @Option(names = "--rows", split = ",", paramLabel = "N",
            description = "Rows to run, from 1..6 (default all), e.g. --rows 1,3,4.")
    private List<Integer> rows;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where end-to-end.md and end-to-end.png go (default: bench/results of this checkout).")
    private Path out;

    @Option(names = "--full", description = "Longer rows: 5 s each after 2 s warm-up (about 1 minute in all).")
    private boolean full;

    @Option(names = "--wolfssl-dir", paramLabel = "DIR",
            description = "wolfSSL install prefix for row 5 (default ~/.cache/pqdtls/wolfssl, from ci/build-wolfssl.sh).")
    private Path wolfsslDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CipherSuite suite = one(suites, suiteAlias, "--suites", "suite");
        NamedGroup group = one(groups, groupAlias, "--groups", "group");
        if (Runtime.version().feature() < Backends.FFM_MIN_JAVA) {
            err.println("pqdtls: " + Backends.needsNewerJava("bench (its runner and the native data plane are Java "
                    + Backends.FFM_MIN_JAVA + " code)"));
            err.flush();
            return Main.EXIT_FAILURE;
        }
        Method run;
        try {
            run = Class.forName(ENTRY).getMethod("run", String[].class, PrintWriter.class, PrintWriter.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            err.println("pqdtls: bench is not part of this build (" + ENTRY + ".run missing: " + e.getMessage() + ")");
            err.flush();
            return Main.EXIT_FAILURE;
        }
        try {
            return (Integer) run.invoke(null, arguments(suite, group), out, err);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex; // one line via Main's handler
            }
            if (cause instanceof Error er) {
                throw er;
            }
            throw e;
        }
    }

    /** The one name given with {@code option} or its hidden singular alias, or null for the default. */
    private <T> T one(List<T> given, List<T> alias, String option, String what) {
        List<T> all = ProtocolOptions.withAlias(given, alias);
        if (all != null && all.size() > 1) {
            throw new ParameterException(spec.commandLine(), option + ": bench measures one " + what
                    + " per run, got " + all.size());
        }
        return all == null ? null : all.get(0);
    }

    /** The options given, in BenchEntry's syntax. */
    private String[] arguments(CipherSuite suite, NamedGroup group) {
        List<String> args = new ArrayList<>();
        if (seconds != null) {
            args.addAll(List.of("--seconds", number(seconds)));
        }
        if (warmup != null) {
            args.addAll(List.of("--warmup", number(warmup)));
        }
        if (suite != null) {
            args.addAll(List.of("--suites", suite.name()));
        }
        if (group != null) {
            args.addAll(List.of("--groups", group.displayName()));
        }
        if (rows != null) {
            args.addAll(List.of("--rows", rows.stream().map(String::valueOf).collect(Collectors.joining(","))));
        }
        if (out != null) {
            args.addAll(List.of("--out", out.toString()));
        }
        if (full) {
            args.add("--full");
        }
        if (wolfsslDir != null) {
            args.addAll(List.of("--wolfssl-dir", wolfsslDir.toString()));
        }
        return args.toArray(String[]::new);
    }

    /** 2.0 → "2", 0.5 → "0.5": the report quotes the command line. */
    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
