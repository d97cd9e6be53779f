package dev.pqdtls.cli;

import dev.pqdtls.NamedGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pqdtls bench connections}: {@code dev.pqdtls.bench.ConnectionBench} (see {@link BenchRunner}). */
@Command(name = "connections",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Server memory per idle DTLS connection; writes a report.",
            "",
            "Starts a pqdtls server JVM with Native Memory Tracking, warms it up, then a C program over wolfSSL "
                    + "opens --connections connections (one socket each, source addresses 127.0.0.2, .3, ... as each "
                    + "runs out of ephemeral ports; it raises its open-files limit, which needs root beyond the hard "
                    + "limit) and keeps them idle; a churn phase (connect, --datagrams records, close) follows, then "
                    + "every connection is closed. At each step the server's live heap (jcmd GC.class_histogram, "
                    + "after a full GC), NMT committed bytes per category (jcmd VM.native_memory summary), malloc'd "
                    + "bytes and resident set are read.",
            "Prints the bytes per held connection and what holds them (heap classes, NMT categories), the fill "
                    + "rate in handshakes/s and the churn's drift, and writes connections.md and connections.png to "
                    + "--out. Short mode (default, 10,000 connections): about a minute on an idle 2-CPU machine; "
                    + "--full holds 100,000. Needs Java 22+, gcc and ci/build-wolfssl.sh's wolfSSL."
        })
final class BenchConnectionsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--connections", paramLabel = "N",
            description = "Idle connections to hold, [1, 2000000] (default 10000; 100000 with --full).")
    private Integer connections;

    @Option(names = "--clients", paramLabel = "N",
            description = "Handshakes in flight while filling and churning, [1, 4096] (default 32).")
    private Integer clients;

    @Option(names = "--seconds", paramLabel = "S",
            description = "Length of the churn phase, in seconds, (0, 600] (default 5; 20 with --full).")
    private Double seconds;

    @Option(names = "--datagrams", paramLabel = "N",
            description = "16-byte records each churn connection sends before closing, [0, 1000] (default 3).")
    private Integer datagrams;

    @Option(names = "--group", paramLabel = "NAME", converter = ProtocolOptions.GroupName.class,
            description = {"Key-exchange group the clients offer (default X25519MLKEM768).",
                "Names: " + ProtocolOptions.GROUPS_HELP + " (wolfSSL's build has no MLKEM768 alone)."})
    private NamedGroup group;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "The server's backend, ffm or fallback (default: the library's choice).")
    private String backend;

    @Option(names = "--libcrypto", paramLabel = "FILE",
            description = "The server's libcrypto (-Dpqdtls.libcrypto.path; default: the system's).")
    private Path libcrypto;

    @Option(names = "--loops", paramLabel = "N",
            description = "The server's event loops, [1, 256] (default: available processors).")
    private Integer loops;

    @Option(names = "--full", description = "100,000 connections and a 20 s churn (several minutes).")
    private boolean full;

    @Mixin
    private BenchPaths paths;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        BenchRunner.add(args, "--connections", connections);
        BenchRunner.add(args, "--clients", clients);
        BenchRunner.add(args, "--seconds", seconds);
        BenchRunner.add(args, "--datagrams", datagrams);
        BenchRunner.add(args, "--group", group);
        BenchRunner.add(args, "--backend", backend);
        BenchRunner.add(args, "--libcrypto", libcrypto);
        BenchRunner.add(args, "--loops", loops);
        BenchRunner.add(args, "--full", full);
        paths.addTo(args);
        return BenchRunner.run(spec, "dev.pqdtls.bench.ConnectionBench", args);
    }
}
