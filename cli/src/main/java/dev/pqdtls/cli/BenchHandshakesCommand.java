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

/** {@code pqdtls bench handshakes}: {@code dev.pqdtls.bench.HandshakeBench} (see {@link BenchRunner}). */
@Command(name = "handshakes",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "DTLS 1.3 handshakes per second and server CPU per handshake (full, resumed, PSK); writes a report.",
            "",
            "Each server runs in a process of its own, one after the other, and its CPU time is read around the "
                    + "measured window: 1, 2 pqdtls ffm on the system libcrypto with 1 and N event loops; 3, 4 the same on "
                    + "OpenSSL 3.5 (-Dpqdtls.libcrypto.path); 5, 6 pqdtls fallback; 7, 8 wolfSSL's DTLS 1.3 server with "
                    + "1 and N threads (a C driver, stateless cookie, many clients at once); 9 the pqdtls server of row 4 "
                    + "driven by pqdtls' own Java client. The load generator of rows 1-8 is a C program over "
                    + "wolfSSL: --clients handshakes in flight, each on a new socket (cookie round trip, optional "
                    + "echo, close_notify); row 9 uses --clients threads of DtlsClient.connect.",
            "--kinds measures each row and group with full handshakes (certificate and signature), resumed ones "
                    + "(psk_dhe_ke with the ticket of the slot's previous handshake) and PSK ones (psk_dhe_ke with a "
                    + "fixed external PSK, pqdtls-bench); the table says how many took the ticket or PSK.",
            "Shows progress on stderr, prints the table (handshakes/s, server CPU ms per handshake, p50/p99 latency, "
                    + "retransmissions, failures, the load generator's CPU share, ratio to wolfSSL) and the goals on "
                    + "stdout, and writes handshakes.md and handshakes.png to --out. Short mode (default): well under 2 "
                    + "minutes. Needs Java 22+, gcc and ci/build-wolfssl.sh's wolfSSL."
        })
final class BenchHandshakesCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "S",
            description = "Measured window per row, group and kind, in seconds, (0, 600] (default 2.5; 10 with --full).")
    private Double seconds;

    @Option(names = "--warmup", paramLabel = "W",
            description = "Handshakes before each window opens, in seconds, [0, 60] (default 2; 3 with --full); "
                    + "twice that before a server's first group, three times before row 9's.")
    private Double warmup;

    @Option(names = "--group", split = ",", paramLabel = "NAME", converter = ProtocolOptions.GroupName.class,
            description = {"Key-exchange groups, each measured on every server (default X25519MLKEM768; "
                    + "X25519MLKEM768,X25519 with --full).",
                "Names: " + ProtocolOptions.GROUPS_HELP + " (wolfSSL's build has no MLKEM768 alone)."})
    private List<NamedGroup> groups;

    @Option(names = "--kinds", split = ",", paramLabel = "KIND", description = "Handshake kinds, each measured on "
            + "every row and group: full, resumed, psk (default full; row 9's resumed connections echo once, to get their ticket).")
    private List<String> kinds;

    @Option(names = "--rows", split = ",", paramLabel = "N", description = "Rows to run, from 1..9 (default all), "
            + "e.g. --rows 1,3,7.")
    private List<Integer> rows;

    @Option(names = "--clients", paramLabel = "N",
            description = "Handshakes in flight (C load generator) or client threads (row 9), [1, 4096] (default 16).")
    private Integer clients;

    @Option(names = "--loops", paramLabel = "N",
            description = "Event loops (wolfSSL: threads) of the N rows, [1, 256] (default: available processors).")
    private Integer loops;

    @Option(names = "--echo", description = "One 16-byte record echoed after each handshake.")
    private boolean echo;

    @Option(names = "--profile", description = "Record each pqdtls server with JFR (handshakes-<row>.jfr next to the "
            + "report) and add its top frames inside the measured windows to the report.")
    private boolean profile;

    @Option(names = "--full", description = "Both groups, 10 s per row and group after 3 s warm-up (about 5 minutes).")
    private boolean full;

    @Mixin
    private BenchPaths paths;

    @Option(names = "--openssl35", paramLabel = "FILE", description = "OpenSSL 3.5's libcrypto for rows 3, 4 and 9 "
            + "(default ~/.cache/pqdtls/openssl-3.5/lib/libcrypto.so.3, from ci/build-openssl35.sh).")
    private Path openssl35;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        BenchRunner.add(args, "--seconds", seconds);
        BenchRunner.add(args, "--warmup", warmup);
        BenchRunner.add(args, "--group", groups);
        BenchRunner.add(args, "--kinds", kinds);
        BenchRunner.add(args, "--rows", rows);
        BenchRunner.add(args, "--clients", clients);
        BenchRunner.add(args, "--loops", loops);
        BenchRunner.add(args, "--echo", echo);
        BenchRunner.add(args, "--profile", profile);
        BenchRunner.add(args, "--full", full);
        paths.addTo(args);
        BenchRunner.add(args, "--openssl35", openssl35);
        return BenchRunner.run(spec, "dev.pqdtls.bench.HandshakeBench", args);
    }
}
