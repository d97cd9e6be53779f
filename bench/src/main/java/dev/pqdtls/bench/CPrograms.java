package dev.pqdtls.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The C peers of {@link EndToEnd}: {@code udp_blast} (raw UDP, same batching and GSO/GRO, no crypto) and
 * {@code wolfssl_stream} (wolfSSL DTLS 1.3 one-way streaming). Their sources and the header they share,
 * {@code bench_common.h}, travel in the jar under {@code dev/pqdtls/bench/c/}; each is compiled with gcc
 * once into {@code ${PQDTLS_CACHE:-~/.cache/pqdtls}/bench/<name>-<hash>/<name>} (hash of sources and flags), run
 * with a timeout, and its {@code result} line parsed. Anything missing (gcc, wolfSSL) or failing gives a
 * {@link NotMeasured} with the reason instead of an exception. See bench/README.md, "C peers".
 */
final class CPrograms {
    static final String RAW_UDP = "udp_blast";
    static final String WOLFSSL = "wolfssl_stream";
    /** The wolfSSL server and load generator of the handshake and connection benchmarks (run by their runners). */
    static final String WOLFSSL_SERVER = "wolfssl_server";
    static final String WOLFSSL_CLIENTS = "wolfssl_clients";

    private static final List<String> CFLAGS = List.of("-std=c11", "-O2", "-Wall", "-Wextra", "-pthread");
    /** Headers every program includes ({@code #include "..."}), written next to its source before compiling. */
    private static final List<String> SHARED_HEADERS = List.of("bench_common.h", "wolfssl_common.h");
    private static final long COMPILE_TIMEOUT_S = 120;
    /** Extra time over warm-up + window for start-up, handshake and drain; the programs' own watchdogs fire earlier. */
    private static final double RUN_SLACK_S = 15;
    private static final int TAIL_CHARS = 600;

    /** What a C peer run gives: measured figures, or why there are none. */
    sealed interface Outcome permits Measured, NotMeasured {}

    /**
     * The receiver's counts, as the DTLS rows' tally ({@code DtlsStream}) keeps them: {@code sent}/{@code delivered} over the
     * whole run (warm-up included), {@code window*} inside the measured window, {@code windowSeconds}
     * between the first and the last arrival in it. Bytes are UDP payload for udp_blast and application
     * bytes for wolfssl_stream.
     */
    record Measured(long sent, long delivered, long windowDatagrams, long windowBytes, double windowSeconds, String note)
            implements Outcome {}

    record NotMeasured(String reason) implements Outcome {}

    /** A reason not to measure, carried out of the helpers below (and to the other runners). */
    static final class Unavailable extends Exception {
        Unavailable(String reason) {
            super(reason, null, false, false);
        }
    }

    private CPrograms() {}

    /**
     * Runs both peers once, for a look without EndToEnd: {@code CPrograms [seconds [warmup]]}, wolfSSL
     * prefix from {@code -Dwolfssl.prefix=} (default ~/.cache/pqdtls/wolfssl).
     */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        double warmup = args.length > 1 ? Double.parseDouble(args[1]) : Math.min(1, seconds / 3);
        Path wolf = Path.of(System.getProperty("wolfssl.prefix",
                System.getProperty("user.home") + "/.cache/pqdtls/wolfssl"));
        print("raw UDP, GSO/GRO", rawUdp(1200, 32, true, seconds, warmup));
        print("raw UDP, sendmmsg/recvmmsg", rawUdp(1200, 32, false, seconds, warmup));
        print("wolfSSL DTLS 1.3", wolfSsl(wolf, "TLS13-AES128-GCM-SHA256", "X25519MLKEM768", 1178, seconds, warmup));
    }

    private static void print(String name, Outcome o) {
        System.out.println(switch (o) {
            case Measured m -> String.format(Locale.ROOT, "%s: %.1f MB/s, %,.0f datagrams/s, delivered %,d of %,d; %s",
                    name, m.windowSeconds() > 0 ? m.windowBytes() / m.windowSeconds() / 1e6 : 0,
                    m.windowSeconds() > 0 ? m.windowDatagrams() / m.windowSeconds() : 0, m.delivered(), m.sent(),
                    m.note());
            case NotMeasured n -> name + ": not measured: " + n.reason();
        });
    }

    /**
     * Raw UDP over loopback, no crypto: {@code batch} datagrams of {@code size} bytes per send call, one
     * UDP_SEGMENT sendmsg and UDP_GRO on the receiver when {@code offload}, else sendmmsg/recvmmsg.
     */
    static Outcome rawUdp(int size, int batch, boolean offload, double seconds, double warmup) {
        if (size < 1 || size > 65507 || batch < 1 || batch > 1024) {
            throw new IllegalArgumentException("size must be in [1, 65507] and batch in [1, 1024]");
        }
        checkTimes(seconds, warmup);
        try {
            Path exe = compile(RAW_UDP, List.of(), List.of());
            String flag = offload ? "1" : "0";
            Run run = run(exe, List.of("--size", Integer.toString(size), "--batch", Integer.toString(batch),
                    "--seconds", Double.toString(seconds), "--warmup", Double.toString(warmup),
                    "--gso", flag, "--gro", flag), seconds + warmup);
            Map<String, String> r = run.fields("result");
            StringBuilder note = new StringBuilder(String.format(Locale.ROOT,
                    "udp_blast (C, no crypto): %d B datagrams, batch %d, %s, receiver %s, %s send syscalls", size, batch,
                    inEffect("GSO", r, "gso", offload), inEffect("GRO", r, "gro", offload), r.get("syscalls")));
            run.stderr().lines().filter(l -> l.contains("refused")).forEach(l -> note.append("; ").append(l.strip()));
            return measured(r, note.toString());
        } catch (Unavailable e) {
            return new NotMeasured(e.getMessage());
        }
    }

    /**
     * wolfSSL DTLS 1.3 over loopback: one connection, the client writes {@code appBytes}-byte records
     * unpaced, the server reads and counts. {@code wolfPrefix} is the install prefix of ci/build-wolfssl.sh
     * (lib/, include/, build/certs/); {@code suite} a wolfSSL cipher-list name (TLS13-AES128-GCM-SHA256),
     * {@code group} one of X25519MLKEM768, SECP256R1MLKEM768, X25519, SECP256R1.
     */
    static Outcome wolfSsl(Path wolfPrefix, String suite, String group, int appBytes, double seconds, double warmup) {
        if (appBytes < 1 || appBytes > 16384) {
            throw new IllegalArgumentException("appBytes must be in [1, 16384], got " + appBytes);
        }
        checkTimes(seconds, warmup);
        try {
            Path prefix = wolfPrefix.toAbsolutePath().normalize();
            Path exe = wolfSslProgram(prefix, WOLFSSL);
            Path certs = prefix.resolve("build/certs");
            if (!Files.isReadable(certs.resolve("server-ecc.pem"))) {
                throw new Unavailable("no wolfSSL build: " + certs.resolve("server-ecc.pem")
                        + " is missing (run ci/build-wolfssl.sh)");
            }
            Run run = run(exe, List.of("--certs", certs.toString(), "--suite", suite, "--group", group,
                    "--app-bytes", Integer.toString(appBytes), "--seconds", Double.toString(seconds),
                    "--warmup", Double.toString(warmup)), seconds + warmup);
            Map<String, String> r = run.fields("result");
            Map<String, String> neg = run.fields("negotiated");
            Map<String, String> libInfo = run.fields("library");
            String note = String.format(Locale.ROOT,
                    "wolfssl_stream (C): wolfSSL %s (AES-NI %s), %s, %s, group %s; %s B app data per %s B datagram, "
                            + "one wolfSSL_write per record, unpaced, one way",
                    libInfo.get("version"), "1".equals(libInfo.get("aesni")) ? "on" : "off", neg.get("version"),
                    neg.get("suite"), neg.get("group"), libInfo.get("app_bytes"), libInfo.get("datagram_bytes"));
            return measured(r, note);
        } catch (Unavailable e) {
            return new NotMeasured(e.getMessage());
        }
    }

    /**
     * The binary of the wolfSSL program {@code name} ({@link #WOLFSSL}, {@link #WOLFSSL_SERVER},
     * {@link #WOLFSSL_CLIENTS}) built against the libwolfssl of install prefix {@code wolfPrefix}
     * (ci/build-wolfssl.sh's: lib/, include/), compiled on first use.
     */
    static Path wolfSslProgram(Path wolfPrefix, String name) throws Unavailable {
        Path prefix = wolfPrefix.toAbsolutePath().normalize();
        Path lib = prefix.resolve("lib/libwolfssl.so");
        Path options = prefix.resolve("include/wolfssl/options.h");
        for (Path p : List.of(lib, options)) {
            if (!Files.isReadable(p)) {
                throw new Unavailable("no wolfSSL build: " + p + " is missing (run ci/build-wolfssl.sh)");
            }
        }
        return compile(name, List.of("-I" + prefix.resolve("include")),
                List.of("-L" + prefix.resolve("lib"), "-lwolfssl", "-Wl,-rpath," + prefix.resolve("lib")),
                options, prefix.resolve("include/wolfssl/version.h"));
    }

    /** The wolfSSL version string of an install prefix (include/wolfssl/version.h), if there is one. */
    static Optional<String> wolfSslVersion(Path wolfPrefix) {
        try {
            Matcher m = Pattern.compile("#define LIBWOLFSSL_VERSION_STRING \"([^\"]+)\"")
                    .matcher(Files.readString(wolfPrefix.resolve("include/wolfssl/version.h")));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void checkTimes(double seconds, double warmup) {
        if (!(seconds > 0 && seconds <= 3600 && warmup >= 0 && warmup <= 600)) {
            throw new IllegalArgumentException("seconds must be in (0, 3600] and warmup in [0, 600]");
        }
    }

    private static String inEffect(String what, Map<String, String> r, String key, boolean requested) {
        boolean on = "1".equals(r.get(key));
        return what + (on ? " on" : requested ? " off (refused by the kernel)" : " off");
    }

    private static Measured measured(Map<String, String> r, String note) throws Unavailable {
        try {
            return new Measured(Long.parseLong(r.get("sent")), Long.parseLong(r.get("delivered")),
                    Long.parseLong(r.get("window_datagrams")), Long.parseLong(r.get("window_bytes")),
                    Double.parseDouble(r.get("window_seconds")), note);
        } catch (RuntimeException e) { // a missing key (null) or a malformed number
            throw new Unavailable("unparsable result line " + r + ": " + e);
        }
    }

    // ---------------------------------------------------------------- compiling

    static Path cacheDir() {
        String env = System.getenv("PQDTLS_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "pqdtls");
        return base.resolve("bench");
    }

    private static Path gcc() throws Unavailable {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, "gcc");
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new Unavailable("gcc not found on the PATH (needed to build the C peers)");
    }

    /** A file of {@code dev/pqdtls/bench/c/} on the class path. */
    private static byte[] resource(String file) throws Unavailable {
        try (InputStream in = CPrograms.class.getResourceAsStream("c/" + file)) {
            if (in == null) {
                throw new Unavailable("source dev/pqdtls/bench/c/" + file + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new Unavailable("reading the source " + file + ": " + e);
        }
    }

    /**
     * The binary of {@code name}.c, compiled on first use into a directory named after the hash of the
     * source, the {@link #SHARED_HEADERS}, the flags and {@code inputs} (other headers the build depends on),
     * and reused afterwards. Concurrent builders each write temp files and rename them into place, so a
     * reader (or a concurrent gcc) never sees half a file.
     */
    private static Path compile(String name, List<String> compileFlags, List<String> linkFlags, Path... inputs)
            throws Unavailable {
        byte[] source = resource(name + ".c");
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (String h : SHARED_HEADERS) {
            headers.put(h, resource(h));
        }
        List<String> flags = new ArrayList<>(CFLAGS);
        flags.addAll(compileFlags);
        String hash;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source);
            for (Map.Entry<String, byte[]> h : headers.entrySet()) {
                md.update(("\2" + h.getKey() + "\0").getBytes(StandardCharsets.UTF_8));
                md.update(h.getValue());
            }
            for (String f : flags) {
                md.update(("\0" + f).getBytes(StandardCharsets.UTF_8));
            }
            for (String f : linkFlags) {
                md.update(("\1" + f).getBytes(StandardCharsets.UTF_8));
            }
            for (Path p : inputs) {
                md.update(Files.readAllBytes(p));
            }
            hash = HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new Unavailable("hashing the inputs of " + name + ": " + e);
        }
        Path dir = cacheDir().resolve(name + "-" + hash);
        Path exe = dir.resolve(name);
        if (Files.isExecutable(exe)) {
            return exe;
        }
        Path gcc = gcc();
        Path src = null;
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // The quoted #include finds the headers in the directory of the source, which is this one.
            for (Map.Entry<String, byte[]> h : headers.entrySet()) {
                Path hdr = Files.createTempFile(dir, h.getKey() + "-", ".tmp");
                try {
                    Files.write(hdr, h.getValue());
                    move(hdr, dir.resolve(h.getKey()));
                } finally {
                    deleteQuietly(hdr);
                }
            }
            src = Files.createTempFile(dir, name + "-", ".c");
            Files.write(src, source);
            tmp = Files.createTempFile(dir, name + "-", ".tmp");
            List<String> cmd = new ArrayList<>();
            cmd.add(gcc.toString());
            cmd.addAll(flags);
            cmd.addAll(List.of("-o", tmp.toString(), src.toString()));
            cmd.addAll(linkFlags);
            Run r = execute(cmd, dir, COMPILE_TIMEOUT_S);
            if (r.exit() != 0) {
                throw new Unavailable("compiling " + name + " failed (gcc exit " + r.exit() + "): " + tail(r.stderr()));
            }
            move(src, dir.resolve(name + ".c")); // kept next to the binary for reference
            move(tmp, exe);
            return exe;
        } catch (IOException e) {
            throw new Unavailable("compiling " + name + " into " + dir + ": " + e);
        } finally {
            deleteQuietly(src);
            deleteQuietly(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a left-over temp file in the cache directory is harmless
            }
        }
    }

    // ---------------------------------------------------------------- running

    /** A finished process: exit code and its whole stdout/stderr. */
    private record Run(String program, int exit, String stdout, String stderr) {
        /** The {@code key=value} fields of the last stdout line starting with {@code tag}. */
        Map<String, String> fields(String tag) throws Unavailable {
            String line = stdout.lines().filter(l -> l.startsWith(tag + " ")).reduce((a, b) -> b)
                    .orElseThrow(() -> new Unavailable(program + " printed no '" + tag + "' line; stdout: "
                            + tail(stdout) + "; stderr: " + tail(stderr)));
            return KeyValues.parse(line, tag).asMap();
        }
    }

    /** Runs a compiled program for a window of {@code busySeconds} and checks that it exited 0. */
    private static Run run(Path exe, List<String> args, double busySeconds) throws Unavailable {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(args);
        Run r = execute(cmd, exe.getParent(), (long) Math.ceil(busySeconds + RUN_SLACK_S));
        if (r.exit() != 0) {
            throw new Unavailable(r.program() + " failed (exit " + r.exit() + "): " + tail(r.stderr()));
        }
        return r;
    }

    /** Runs {@code cmd} in {@code workDir} (the cache directory: any stray file a program writes lands there). */
    private static Run execute(List<String> cmd, Path workDir, long timeoutSeconds) throws Unavailable {
        String program = Path.of(cmd.get(0)).getFileName().toString();
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            // Files rather than pipes: nothing can block on a full pipe, and no reader threads are needed.
            out = Files.createTempFile("pqdtls-bench-" + program + "-", ".out");
            err = Files.createTempFile("pqdtls-bench-" + program + "-", ".err");
            p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new Unavailable(program + " did not finish within " + timeoutSeconds + " s; stderr: "
                        + tail(Files.readString(err)));
            }
            return new Run(program, p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new Unavailable("running " + program + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while running " + program);
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** The end of a program's output on one line (for a table cell or a message). */
    static String tail(String s) {
        String t = s.strip();
        if (t.length() > TAIL_CHARS) {
            t = "…" + t.substring(t.length() - TAIL_CHARS);
        }
        return t.isEmpty() ? "(empty)" : t.replaceAll("\\s*\\R\\s*", " / ");
    }
}
