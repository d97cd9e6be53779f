package dev.pqdtls.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs wolfSSL's example {@code server} / {@code client} programs as processes: the real DTLS 1.3 peer
 * for interop tests (DESIGN.md §8). Java 17 API only; lives in the pqdtls-api test-jar so every module's
 * tests can use it.
 *
 * <h2>Where wolfSSL comes from</h2>
 * {@code ci/build-wolfssl.sh} builds wolfSSL 5.9.x from Debian sid's source package into
 * {@code ~/.cache/pqdtls/wolfssl-<version>/} and prints the kept <em>build tree</em>
 * ({@code ~/.cache/pqdtls/wolfssl/build}); {@code ci/test.sh} passes it to Maven as
 * {@code -Dpqdtls.wolfssl.dir=<build tree>} (Maven user properties reach the surefire JVM as system
 * properties). The programs are started with that directory as working directory, because their
 * defaults ({@code ./certs/server-cert.pem} …) are relative to it. When the property is unset or the
 * build is missing, {@link #unavailableReason()} says why and {@link #assumeAvailable()} skips the test.
 *
 * <h2>Output buffering</h2>
 * The examples write with {@code printf} to a pipe, i.e. block-buffered: a looping server
 * ({@code -i}) would show nothing until 4 KiB accumulate, and a killed one loses its output. The
 * harness therefore starts them under {@code stdbuf -oL -eL} (coreutils) when available; stdout and
 * stderr are captured into one buffer in arrival order ({@link #output()}).
 *
 * <h2>Command lines (wolfSSL 5.9.2; all ports on 127.0.0.1, the server binds 127.0.0.1 only unless
 * {@code -b})</h2>
 * <pre>
 * server  examples/server/server -u -v 4 -p PORT       one DTLS 1.3 connection, then exit 0
 *         ... -i -x                                    loop: accept clients until killed, do not exit on errors
 *         ... -C N                                     accept N connections, then exit
 *         ... --pqc X25519MLKEM768                     key share X25519MLKEM768 only (others: ML_KEM_768,
 *                                                      SecP256r1MLKEM768, SecP384r1MLKEM1024, ...)
 *         ... -l TLS13-AES128-GCM-SHA256               suites (':'-separated): TLS13-AES128-GCM-SHA256,
 *                                                      TLS13-AES256-GCM-SHA384, TLS13-CHACHA20-POLY1305-SHA256,
 *                                                      TLS13-AES128-CCM-SHA256, TLS13-AES128-CCM8-SHA256
 *                                                      (the CCM ones with --enable-aesccm)
 *         ... --cid [ID]                               negotiate DTLS 1.3 connection IDs ([ID] = the CID this
 *                                                      side wants to receive, ASCII; without ID: empty CID)
 *         ... -U                                       KeyUpdate before sending its reply
 *         ... -r                                       allow one resumption (a client -r reconnects)
 *         ... -c CERT -k KEY                           server certificate (default certs/server-cert.pem,
 *                                                      RSA-2048 → rsa_pss_rsae_* signatures); ECC:
 *                                                      -c certs/server-ecc.pem -k certs/ecc-key.pem
 *         ... -A CA                                    CA (or the certificate itself) to verify CLIENT certs
 *                                                      with; default certs/client-cert.pem (self-signed).
 *                                                      The server REQUIRES a client certificate by default
 *                                                      (a client without one fails: "SSL_accept error -345,
 *                                                      peer did not return a certificate"); -d turns the
 *                                                      client-certificate check off. -F is a no-op here.
 *         ... -e                                       echo mode (returns raw bytes received)
 * client  examples/client/client -u -v 4 -p PORT       connects to 127.0.0.1 (-h HOST), sends
 *                                                      "hello wolfssl!", reads the reply, exits 0
 *         ... -d                                       do not verify the server certificate
 *         ... -A CA                                    verify the server with CA (default certs/ca-cert.pem;
 *                                                      ECC: certs/ca-ecc-cert.pem)
 *         ... -c CERT -k KEY                           client certificate (default certs/client-cert.pem /
 *                                                      certs/client-key.pem, always sent if requested);
 *                                                      -x: no client certificate at all. ECC client:
 *                                                      -c certs/client-ecc-cert.pem -k certs/ecc-client-key.pem
 *                                                      (server then needs -A certs/client-ecc-cert.pem)
 *         ... --pqc X25519MLKEM768 / -l SUITE / --cid [ID] as for the server
 *         ... -I                                       KeyUpdate before sending data
 *         ... -r                                       connect twice, resuming the first session
 *         ... --waitTicket                             wait for a NewSessionTicket first
 * </pre>
 *
 * <h2>What they print</h2>
 * After the handshake both sides print {@code SSL version is DTLSv1.3},
 * {@code SSL cipher suite is TLS_AES_256_GCM_SHA384} (IANA name), {@code SSL curve name is SECP256R1}
 * (or {@code X25519MLKEM768}) — and, because of the keylog-export build, {@code Session timeout set
 * to 500 seconds} and {@code Client Random : <hex>}; with {@code --pqc} also, earlier, {@code Using Post-Quantum KEM:
 * X25519MLKEM768}; with {@code --cid} {@code CID extension was negotiated} and either
 * {@code Sending CID is <hex>} or {@code other peer provided empty CID}. The client then prints
 * {@code Session Ticket CB: ticketSz = 174, ctx = initial session} and the server's reply
 * <b>{@code I hear you fa shizzle!}</b> — the client's success marker ({@link #CLIENT_SUCCESS}), exit
 * code 0. With {@code -r}: {@code SSL reused session} / {@code reused session id} on the second
 * connection. KeyUpdate ({@code -U}/{@code -I}) prints nothing. The server prints the client's message
 * as {@code Client message: hello wolfssl!} — but in DTLS 1.3 wolfSSL 5.9.2's example server drops
 * that line in roughly 40 % of runs (its read loop re-reads after a peek); the reply is still sent, so
 * use the server's {@link #HANDSHAKE_DONE} lines plus the client's reply marker, not that line.
 * Failures: {@code wolfSSL_connect error -313, received alert fatal error} (client),
 * {@code SSL_accept error ...} (server), {@code wolfSSL error: ...} and a non-zero exit code.
 *
 * <h2>When is the server ready?</h2>
 * The server prints nothing until a client has completed a handshake, and its {@code -R} ready file is
 * written only on the TCP path (not for {@code -u}). Two things make this safe: (1) {@link
 * #awaitUdpBound(int, Duration)} watches {@code /proc/net/udp} until the port is bound — from then on
 * datagrams queue in the socket even before the server reads; (2) DTLS retransmits: a wolfSSL client
 * started before the server resends its ClientHello after 1 s and then succeeds (checked), and so does
 * any conforming DTLS client. {@link #startServer} does (1) when the arguments contain {@code -p PORT}.
 *
 * <h2>Wire behaviour worth knowing (measured on loopback, default MTU 1400)</h2>
 * The server answers every first ClientHello with a HelloRetryRequest carrying a cookie (stateless).
 * A client with {@code --pqc X25519MLKEM768} sends CH1 with an <em>empty</em> key_share (166-byte
 * ClientHello in a 191-byte datagram: wolfSSL never fragments a cookieless CH1), gets the HRR
 * (143 B, selects X25519MLKEM768, cookie), then CH2 = 1477-byte ClientHello in two fragments
 * (1375 + 102 bytes; datagrams of 1400 and 127 bytes). ServerHello with the hybrid share is 1174 bytes
 * (one datagram). Classic: CH1 511 B with a P-256 share, HRR, CH2 600 B. Conversely (from the
 * source, src/dtls13.c Dtls13HandshakeRecv + src/dtls.c DoClientHelloStateless) the wolfSSL server
 * accepts a fragmented ClientHello only if its first fragment carries a valid cookie; the fragments of
 * a cookieless CH1 are ignored without any reply (no HRR) — so a client must send a CH1 that fits one
 * datagram (e.g. an empty key_share, as wolfSSL does, or a classic share only) and put the 1216-byte
 * X25519MLKEM768 share into the fragmented CH2.
 *
 * <p>Usage:
 * <pre>{@code
 * WolfSslPeer.assumeAvailable();
 * int port = WolfSslPeer.freeUdpPort();
 * try (WolfSslPeer server = WolfSslPeer.startServer("-u", "-v", "4", "-p", "" + port);
 *      WolfSslPeer client = WolfSslPeer.startClient("-u", "-v", "4", "-p", "" + port, "-d")) {
 *     client.awaitOutput(WolfSslPeer.CLIENT_SUCCESS, Duration.ofSeconds(20));
 *     assertEquals(0, client.waitFor(Duration.ofSeconds(10)));
 * }
 * }</pre>
 * Register {@link DumpOnFailure} ({@code @ExtendWith(WolfSslPeer.DumpOnFailure.class)}) to print every
 * peer's output when a test fails; {@link #awaitOutput} and {@link #waitFor} include it in their
 * failure messages anyway.
 */
public final class WolfSslPeer implements AutoCloseable {

    /** System property holding the wolfSSL build tree. */
    public static final String DIR_PROPERTY = "pqdtls.wolfssl.dir";
    /** Relative paths of the example programs inside the build tree. */
    public static final String SERVER_PROGRAM = "examples/server/server";
    public static final String CLIENT_PROGRAM = "examples/client/client";
    /** The server's reply as printed by the client: the client's success marker. */
    public static final Pattern CLIENT_SUCCESS = Pattern.compile(Pattern.quote("I hear you fa shizzle!"));
    /** Printed by both sides once a DTLS 1.3 handshake completed. */
    public static final Pattern HANDSHAKE_DONE = Pattern.compile("(?m)^SSL version is DTLSv1\\.3$");
    /** Negotiated suite, group (e.g. "TLS_AES_128_GCM_SHA256", "X25519MLKEM768"): group(1). */
    public static final Pattern CIPHER_SUITE = Pattern.compile("(?m)^SSL cipher suite is (\\S+)$");
    public static final Pattern GROUP = Pattern.compile("(?m)^SSL curve name is (\\S+)$");
    /** Printed by the server for the client's application data (unreliable in DTLS 1.3, see above). */
    public static final Pattern SERVER_GOT_MESSAGE = Pattern.compile("(?m)^Client message: (.*)$");

    public enum Role {
        SERVER(SERVER_PROGRAM), CLIENT(CLIENT_PROGRAM);
        final String program;
        Role(String program) { this.program = program; }
    }

    /** Peers started since {@link DumpOnFailure} last ran (it clears the list; kept small otherwise). */
    private static final List<WolfSslPeer> STARTED = Collections.synchronizedList(new ArrayList<>());

    private final Role role;
    private final List<String> command;
    private final Process process;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final StringBuilder out = new StringBuilder();
    private int openStreams = 2;
    private final List<Thread> pumps = new ArrayList<>();

    private WolfSslPeer(Role role, List<String> command, Path dir) throws IOException {
        this.role = role;
        this.command = List.copyOf(command);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        this.process = pb.start();
        process.getOutputStream().close();   // the examples never read stdin
        pumps.add(pump(process.getInputStream(), "out"));
        pumps.add(pump(process.getErrorStream(), "err"));
        synchronized (STARTED) {
            if (STARTED.size() >= 64) {   // no DumpOnFailure in use: do not keep outputs forever
                STARTED.remove(0);
            }
            STARTED.add(this);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Locating wolfSSL
    // ------------------------------------------------------------------------------------------

    /** The build tree from {@value #DIR_PROPERTY}, if set and usable. */
    public static Optional<Path> buildDir() {
        return unavailableReason().isPresent()
                ? Optional.empty()
                : Optional.of(Paths.get(System.getProperty(DIR_PROPERTY).trim()).toAbsolutePath());
    }

    /** Why the wolfSSL peer cannot be used, or empty when it can. */
    public static Optional<String> unavailableReason() {
        String prop = System.getProperty(DIR_PROPERTY);
        if (prop == null || prop.isBlank()) {
            return Optional.of("wolfSSL not built: run ci/build-wolfssl.sh (system property "
                    + DIR_PROPERTY + " is "
                    + (prop == null ? "not set" : "empty: ci/test.sh passes it empty when the build failed")
                    + "; pass -D" + DIR_PROPERTY + "=<build tree>)");
        }
        Path dir = Paths.get(prop.trim());
        for (Role r : Role.values()) {
            Path p = dir.resolve(r.program);
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                return Optional.of("wolfSSL not built: run ci/build-wolfssl.sh (" + p + " missing or not executable)");
            }
        }
        if (!Files.isDirectory(dir.resolve("certs"))) {
            return Optional.of("wolfSSL not built: run ci/build-wolfssl.sh (" + dir.resolve("certs") + " missing)");
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.of("wolfSSL interop runs on Linux only");
        }
        return Optional.empty();
    }

    private static volatile boolean skipReported;

    /**
     * The NSS key log the examples append to ({@code <build tree>/sslkeylog.log}, written because the
     * build uses {@code --enable-keylog-export}): with it, {@code tcpdump -i lo -w x.pcap udp port P}
     * captures decrypt in Wireshark. It grows with every connection; delete it freely.
     */
    public static Optional<Path> keyLogFile() {
        return buildDir().map(d -> d.resolve("sslkeylog.log"));
    }

    /** JUnit assumption: skips the calling test (printing the reason) when wolfSSL is unavailable. */
    public static void assumeAvailable() {
        Optional<String> why = unavailableReason();
        if (why.isPresent() && !skipReported) {   // once per JVM
            skipReported = true;
            System.out.println("[wolfssl] SKIPPED: " + why.get());
        }
        Assumptions.assumeTrue(why.isEmpty(), () -> why.orElse(""));
    }

    /**
     * JUnit assumption: skips the calling test unless the wolfSSL build has {@code feature} (a macro its
     * {@code wolfssl/options.h} defines, e.g. {@code HAVE_AESCCM}); a build from an older
     * ci/build-wolfssl.sh may lack what {@code configureFlag} turns on.
     */
    public static void assumeFeature(String feature, String configureFlag) {
        assumeAvailable();
        Path options = buildDir().orElseThrow().resolve("wolfssl/options.h");
        boolean present;
        try {
            present = Files.readAllLines(options).stream().anyMatch(l -> l.trim().equals("#define " + feature)
                    || l.trim().startsWith("#define " + feature + " "));
        } catch (IOException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, () -> "this wolfSSL build lacks " + feature + " (" + options
                + "): rebuild it with ci/build-wolfssl.sh, which configures " + configureFlag);
    }

    // ------------------------------------------------------------------------------------------
    // Starting
    // ------------------------------------------------------------------------------------------

    /**
     * Starts {@code examples/server/server} with {@code args}; if they contain {@code -p PORT} (non-zero),
     * waits (≤ 10 s) until that UDP port is bound, so a client started afterwards is answered at once.
     */
    public static WolfSslPeer startServer(String... args) {
        WolfSslPeer p = start(Role.SERVER, List.of(args));
        int port = portArgument(List.of(args));
        if (port > 0 && !p.awaitUdpBound(port, Duration.ofSeconds(10))) {
            p.close();
            throw new IllegalStateException("the wolfSSL server did not bind UDP port " + port + " within 10 s: "
                    + String.join(" ", p.command) + "\n" + p.output());
        }
        return p;
    }

    /** Starts {@code examples/client/client} with {@code args}. */
    public static WolfSslPeer startClient(String... args) {
        return start(Role.CLIENT, List.of(args));
    }

    /** Starts the program for {@code role} in the build tree (under {@code stdbuf -oL -eL} if present). */
    public static WolfSslPeer start(Role role, List<String> args) {
        Path dir = buildDir().orElseThrow(() -> new IllegalStateException(unavailableReason().orElseThrow()));
        return start(role, dir.resolve(role.program), args);
    }

    /** Starts {@code program} (e.g. a {@link #driver}) in the build tree, as {@link #start(Role, List)} does. */
    public static WolfSslPeer start(Role role, Path program, List<String> args) {
        Path dir = buildDir().orElseThrow(() -> new IllegalStateException(unavailableReason().orElseThrow()));
        List<String> cmd = new ArrayList<>();
        Path stdbuf = Paths.get("/usr/bin/stdbuf");
        if (Files.isExecutable(stdbuf)) {
            cmd.addAll(List.of(stdbuf.toString(), "-oL", "-eL"));
        }
        cmd.add(program.toString());
        cmd.addAll(args);
        try {
            return new WolfSslPeer(role, cmd, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
        }
    }

    /**
     * A C driver of the test tree (the resource {@code source} next to {@code anchor}) for what
     * wolfSSL's example programs cannot do, compiled with gcc against the wolfSSL build tree once per
     * source and tree (under java.io.tmpdir). Skipped, saying why, without gcc.
     */
    public static Path driver(Class<?> anchor, String source) {
        assumeAvailable();
        Path gcc = Paths.get("/usr/bin/gcc");
        Assumptions.assumeTrue(Files.isExecutable(gcc), "no /usr/bin/gcc to build the wolfSSL driver " + source);
        Path dir = buildDir().orElseThrow();
        try (InputStream in = anchor.getResourceAsStream(source)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + source + " is missing next to " + anchor.getName());
            }
            byte[] code = in.readAllBytes();
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(code);
            sha.update(dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
            String hash = java.util.HexFormat.of().formatHex(sha.digest(), 0, 8);
            String name = source.replaceFirst("\\.c$", "");
            Path out = Paths.get(System.getProperty("java.io.tmpdir"), "pqdtls-wolfssl-drivers", hash, name);
            if (Files.isExecutable(out)) {
                return out;
            }
            Files.createDirectories(out.getParent());
            Path src = out.getParent().resolve(source);
            Files.write(src, code);
            Path libs = dir.resolve("src/.libs");
            Process cc = new ProcessBuilder(gcc.toString(), "-std=c11", "-O2", "-Wall", "-Wextra", "-I" + dir, src.toString(),
                    "-L" + libs, "-lwolfssl", "-Wl,-rpath," + libs, "-o", out + ".tmp").redirectErrorStream(true).start();
            String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!cc.waitFor(120, TimeUnit.SECONDS) || cc.exitValue() != 0) {
                throw new IllegalStateException("gcc could not build " + source + " against " + dir + ":\n" + log);
            }
            Files.move(Paths.get(out + ".tmp"), out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A UDP port that was free on 127.0.0.1 a moment ago, below the kernel's ephemeral range, so no
     * socket bound to port 0 meanwhile (ours, or a load generator's) can take it before the peer
     * binds it.
     */
    public static int freeUdpPort() {
        int below = 32_768;
        try {
            below = Integer.parseInt(Files.readString(Paths.get("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux: the usual default
        }
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200 && below > 10_001; attempt++) {
            int port = random.nextInt(10_000, below);
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free UDP port on 127.0.0.1", e);
        }
    }

    private static int portArgument(List<String> args) {
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("-p")) {
                try {
                    return Integer.parseInt(args.get(i + 1));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private Thread pump(InputStream in, String name) {
        Thread t = new Thread(() -> {
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buf = new char[4096];
                int n;
                while ((n = r.read(buf)) > 0) {
                    lock.lock();
                    try {
                        out.append(buf, 0, n);
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException ignored) {
                // stream closed by close(): nothing more to read
            } finally {
                lock.lock();
                try {
                    openStreams--;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }, "wolfssl-" + role.name().toLowerCase(Locale.ROOT) + "-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ------------------------------------------------------------------------------------------
    // Observing
    // ------------------------------------------------------------------------------------------

    /** Everything the process wrote so far (stdout and stderr interleaved in arrival order). */
    public String output() {
        lock.lock();
        try {
            return out.toString();
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #awaitOutput(Pattern, Duration, int)} from the beginning of the output. */
    public MatchResult awaitOutput(Pattern pattern, Duration timeout) {
        return awaitOutput(pattern, timeout, 0);
    }

    /**
     * Waits until {@code pattern} occurs in the output at or after offset {@code from} (pass a previous
     * match's {@code end()} to wait for the next occurrence, e.g. per client of a looping server).
     * Blocks on the output stream (no polling). Fails with an {@link AssertionError} carrying the output
     * when the timeout passes or the process's output ends without a match.
     */
    public MatchResult awaitOutput(Pattern pattern, Duration timeout, int from) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                Matcher m = pattern.matcher(out);
                if (from <= out.length() && m.find(from)) {
                    return m.toMatchResult();
                }
                if (openStreams == 0) {
                    process.waitFor(2, TimeUnit.SECONDS);   // so the message can give the exit code
                    throw failure("output ended (process " + exitDescription() + ") without /" + pattern + "/");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw failure("no /" + pattern + "/ in the output within " + timeout);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for /" + pattern + "/");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a UDP socket is bound to {@code port} (any local address) according to
     * {@code /proc/net/udp} and {@code /proc/net/udp6}; the server has then created its socket and
     * datagrams sent to it queue until it reads. There is no event to wait on, so this re-reads the
     * tables every 2 ms. Returns false (after the timeout, or at once when {@code /proc} is unreadable
     * or the process exited) — callers may then rely on DTLS retransmission instead.
     */
    public boolean awaitUdpBound(int port, Duration timeout) {
        return awaitUdpSocket(port, false, timeout);
    }

    /**
     * Waits until a socket bound to {@code port} is not connected to a peer: a wolfSSL example server
     * connects its socket to its client, and for its next client (-C) binds a fresh one; datagrams sent
     * in between are lost.
     */
    public boolean awaitUdpListening(int port, Duration timeout) {
        return awaitUdpSocket(port, true, timeout);
    }

    private boolean awaitUdpSocket(int port, boolean unconnected, Duration timeout) {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean readable = false;
            for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
                try {
                    for (String line : Files.readAllLines(Paths.get(table), StandardCharsets.US_ASCII)) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 2 && f[1].endsWith(hexPort) && (!unconnected || f[2].matches("0+:0000"))) {
                            return true;
                        }
                    }
                    readable = true;
                } catch (IOException e) {
                    // table absent (e.g. no IPv6): try the other one
                }
            }
            if (!readable || !process.isAlive() || System.nanoTime() >= deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /**
     * Waits for the process to exit and returns its exit code; on timeout, destroys the process tree
     * and fails with an {@link AssertionError} carrying the output.
     */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                close();
                throw failure("did not exit within " + timeout + " (killed)");
            }
            for (Thread t : pumps) {
                t.join(TimeUnit.SECONDS.toMillis(5));   // collect the last output
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for exit");
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Role role() {
        return role;
    }

    /** The command line as started (for messages). */
    public String commandLine() {
        return String.join(" ", command);
    }

    /** Destroys the process and its descendants (forcibly) and waits briefly for them to go. */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        process.descendants().forEach(all::add);
        all.add(process.toHandle());
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** Prints this peer's command line and output to stdout (the test report). */
    public void dump(String why) {
        System.out.println("---- wolfSSL " + role.name().toLowerCase(Locale.ROOT) + " (" + why + "): "
                + commandLine() + " [" + exitDescription() + "]");
        System.out.println(output().stripTrailing());
        System.out.println("---- end of wolfSSL " + role.name().toLowerCase(Locale.ROOT) + " output");
    }

    private String exitDescription() {
        return process.isAlive() ? "running, pid " + process.pid() : "exit code " + process.exitValue();
    }

    private AssertionError failure(String what) {
        String text = "wolfSSL " + role.name().toLowerCase(Locale.ROOT) + " " + what
                + "\n  command: " + commandLine()
                + "\n  output:\n" + output().stripTrailing().indent(4);
        System.out.println(text);
        return new AssertionError(text);
    }

    /**
     * JUnit 5 extension ({@code @ExtendWith(WolfSslPeer.DumpOnFailure.class)}): after each test, prints
     * the command line and output of every peer started since the previous test if the test failed
     * (closed peers included), then closes them all.
     */
    public static final class DumpOnFailure implements AfterTestExecutionCallback {
        @Override
        public void afterTestExecution(ExtensionContext context) {
            List<WolfSslPeer> peers;
            synchronized (STARTED) {
                peers = new ArrayList<>(STARTED);
                STARTED.clear();
            }
            if (context.getExecutionException().isPresent()) {
                for (WolfSslPeer p : peers) {
                    p.dump("test " + context.getDisplayName() + " failed");
                }
            }
            for (WolfSslPeer p : peers) {
                p.close();
            }
        }
    }
}
