package dev.pqdtls.cli;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
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
 * {@code pqdtls bench}: the end-to-end comparison of the bench module ({@code dev.pqdtls.bench.EndToEnd},
 * through {@code BenchEntry.run}, see {@link BenchRunner}); {@code bench handshakes}, {@code bench
 * connections} and {@code bench robustness} are its subcommands.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = {BenchHandshakesCommand.class, BenchConnectionsCommand.class, RobustnessCommand.class},
        description = {
            "End-to-end throughput: pqdtls vs raw UDP, wolfSSL and openssl speed; writes a report.",
            "",
            "Runs the comparison over loopback, one row after the other: 1 pqdtls ffm with "
                    + "GSO/GRO, 2 ffm with udpOffload(false), 3 pqdtls fallback, 4 raw UDP (same batching, GSO/GRO, "
                    + "no crypto; a C program), 5 wolfSSL DTLS 1.3 streaming the same way (a C driver; when "
                    + "ci/build-wolfssl.sh's build is there), "
                    + "6 'openssl speed -evp' for the suite's AEAD at 1200 B on one core, 7 pqdtls jna and 8 pqdtls "
                    + "fallback in a JDK 17 child JVM (the newest JDK 17-21 under /usr/lib/jvm, or "
                    + "-Dpqdtls.bench.jdk17=<home> in JAVA_OPTS).",
            "Shows progress on stderr, prints the table (MB/s, records/s, delivered/sent, loss, ratio to raw UDP) "
                    + "and the targets (ffm vs fallback and wolfSSL, vs min(raw UDP, openssl speed); jna on JDK 17 vs ffm "
                    + "and vs the JDK 17 fallback) on stdout, and "
                    + "writes end-to-end.md and end-to-end.png to --out. The short mode (default) takes well under "
                    + "2 minutes; figures on a shared machine are noisy. Needs Java 22+.",
            "",
            "Subcommands: 'bench handshakes' (full handshakes per second and server CPU per handshake, pqdtls and "
                    + "wolfSSL servers), 'bench connections' (server memory per idle connection) and 'bench robustness' "
                    + "(handshakes under loss with wolfSSL, floods, soak, replay); see their --help."
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
            description = {"Rows to run, from 1..14 (default all), e.g. --rows 1,3,7,8.",
                "1-3 pqdtls ffm, ffm without offload, fallback; 4 raw UDP; 5 wolfSSL; 6 openssl speed; 7-8 jna and "
                        + "fallback on JDK 17; 9 ffm receiving one byte[] per datagram (the others receive in batches); "
                        + "10 one connection per processor on as many server loops; 11-12 ffm with AES-256-GCM and "
                        + "ChaCha20-Poly1305; 13-14 openssl speed for those two."})
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
        CipherSuite suite = one(suites, suiteAlias, "--suites", "suite");
        NamedGroup group = one(groups, groupAlias, "--groups", "group");
        return BenchRunner.run(spec, ENTRY, arguments(suite, group));
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

    /** The options given, in BenchEntry's syntax (the same as ours). */
    private List<String> arguments(CipherSuite suite, NamedGroup group) {
        List<String> args = new ArrayList<>();
        if (seconds != null) {
            args.addAll(List.of("--seconds", BenchRunner.number(seconds)));
        }
        if (warmup != null) {
            args.addAll(List.of("--warmup", BenchRunner.number(warmup)));
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
        return args;
    }
}
