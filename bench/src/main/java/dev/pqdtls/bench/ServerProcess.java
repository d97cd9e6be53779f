package dev.pqdtls.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark server in a process of its own, so that its CPU time and memory are its own: a pqdtls
 * {@link BenchServer} JVM or the C {@code wolfssl_server}. Both speak the same lines: {@code listening port=P ...}
 * once ready, {@code stats accepted=N retransmissions=N ...} for each {@code stats} on stdin, exit at end of
 * stdin.
 */
final class ServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(10);

    private final ChildProcess process;
    private final KeyValues listening;

    /**
     * One {@code stats} answer; {@code pskUsed} of the accepted handshakes took a ticket or PSK; {@code malloc} is
     * -1 when the server cannot tell (wolfSSL).
     */
    record Stats(long accepted, long pskUsed, long retransmissions, long connections, long malloc) {
    }

    private ServerProcess(ChildProcess process) throws IOException {
        this.process = process;
        try {
            this.listening = KeyValues.parse(process.await("listening ", START_TIMEOUT), "listening");
        } catch (IOException | RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /**
     * A pqdtls server JVM: the running JVM's {@code java} and class path, {@code jvmOptions} (e.g.
     * {@code -Dpqdtls.libcrypto.path=}, Native Memory Tracking, a flight recording) before the main class.
     */
    static ServerProcess pqdtls(String name, List<String> jvmOptions, List<String> serverArgs, Path workDir)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", absoluteClassPath(), BenchServer.class.getName()));
        cmd.addAll(serverArgs);
        return new ServerProcess(ChildProcess.start(name, cmd, workDir));
    }

    /** This JVM's class path with every entry absolute (the server runs in another directory). */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The C wolfssl_server with {@code threads} threads (sockets on one port), serving {@code cert} and, unless
     * null, the external PSK {@code psk} ({@code IDENTITY:HEXKEY}).
     */
    static ServerProcess wolfSsl(Path exe, int threads, BenchCertificate.PemFiles cert, String psk) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--threads", Integer.toString(threads), "--cert",
                cert.certificate().toString(), "--key", cert.key().toString()));
        if (psk != null) {
            cmd.addAll(List.of("--psk", psk));
        }
        return new ServerProcess(ChildProcess.start("wolfssl_server", cmd, exe.getParent()));
    }

    int port() {
        return (int) listening.integer("port");
    }

    /** The {@code listening} line's words (backend, crypto, version, groups ...). */
    KeyValues listening() {
        return listening;
    }

    long pid() {
        return process.pid();
    }

    double cpuMillis() throws IOException {
        return ProcStats.cpuMillis(process.pid());
    }

    /**
     * CPU time of the threads that serve clients: a pqdtls server's event loops ("pqdtls-server-PORT-N"), all of
     * wolfssl_server's threads (its main thread only waits on stdin); not the JIT compiler, GC or other JVM threads.
     */
    double servingCpuMillis() throws IOException {
        return ProcStats.threadsCpuMillis(process.pid(), listening.asMap().containsKey("backend") ? "pqdtls-" : "");
    }

    Stats stats() throws IOException {
        KeyValues s = KeyValues.parse(process.ask("stats", "stats", STATS_TIMEOUT), "stats");
        return new Stats(s.integer("accepted"), s.integer("psk_used"), s.integer("retransmissions"), s.integer("connections"),
                s.asMap().containsKey("malloc") ? s.integer("malloc") : -1);
    }

    /** The process's stdout and stderr so far, for a failure message. */
    String details() {
        return process.details();
    }

    @Override
    public void close() {
        process.close();
    }
}
