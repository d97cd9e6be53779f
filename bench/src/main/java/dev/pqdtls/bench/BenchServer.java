package dev.pqdtls.bench;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.PreSharedKey;
import dev.pqdtls.SessionInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pqdtls server of the handshake and connection benchmarks, in a JVM of its own so that its CPU time
 * and memory can be read from outside ({@code /proc/PID/stat}, {@code jcmd}). Binds 127.0.0.1, accepts
 * every client (dropping the connection object unless {@code --echo}: the server keeps the connection
 * until the client closes it or it idles out), and answers its runner on stdin/stdout:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.pqdtls.bench.BenchServer --cert PEM --key PEM
 *      [--backend ffm|fallback] [--loops N] [--port 0] [--echo] [--max-connections N] [--idle-seconds S]
 *      [--psk IDENTITY:HEXKEY]
 * stdout: listening port=P backend=B loops=N crypto=&lt;libcrypto version or -&gt; pid=PID
 * stdin "stats" → stats accepted=N psk_used=N retransmissions=N connections=N malloc=BYTES
 * end of stdin → closes the server and exits 0
 * </pre>
 *
 * The server sends a session ticket after each handshake (the default) and, with {@code --psk}, accepts that
 * external PSK (SHA-256) besides its certificate; {@code psk_used} counts the accepted connections that
 * resumed or used the PSK. {@code retransmissions} sums {@link dev.pqdtls.ConnectionStats#retransmissions()} of the accepted
 * connections, read when each is accepted (the handshake's are final by then; those of handshakes that never
 * completed are not visible: the library has no server-wide counter). {@code malloc} is glibc's
 * {@code mallinfo2()} in-use bytes (uordblks + hblkhd) of the whole process: the JVM's own mallocs, OpenSSL's
 * and pqdtls' native library's. With {@code --echo} each connection gets a virtual thread that echoes every
 * datagram until the client closes.
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        DtlsConfig.Builder b = DtlsConfig.builder()
                .certificate(Path.of(required(o, "--cert")), Path.of(required(o, "--key")))
                .eventLoops(Integer.parseInt(o.getOrDefault("--loops", "1")))
                .maxConnections(Integer.parseInt(o.getOrDefault("--max-connections", "100000")))
                .idleTimeout(Duration.ofSeconds(Long.parseLong(o.getOrDefault("--idle-seconds", "300"))))
                // 4 MiB socket buffers, as wolfssl_server's and the end-to-end rows' (net.core.rmem_max caps them)
                .socketReceiveBufferSize(DtlsConfig.SERVER_RECEIVE_BUFFER)
                .socketSendBufferSize(DtlsConfig.SERVER_RECEIVE_BUFFER)
                // The load comes from a few loopback addresses: the per-source admission limits (meant
                // for the open Internet) would measure themselves, not the server.
                .maxConnectionsPerSource(10_000_000).handshakesPerSecondPerSource(0)
                .maxHandshakes(Integer.parseInt(o.getOrDefault("--max-connections", "100000")));
        if (o.containsKey("--backend")) {
            b.backend(o.get("--backend"));
        }
        if (o.containsKey("--psk")) {
            b.preSharedKeys(psk(o.get("--psk")));
        }
        boolean echo = o.containsKey("--echo");
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        AtomicLong accepted = new AtomicLong();
        AtomicLong pskUsed = new AtomicLong();
        AtomicLong retransmissions = new AtomicLong();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(o.getOrDefault("--port", "0"))), b.build())) {
            Thread acceptor = Thread.ofPlatform().name("bench-acceptor").daemon().start(() -> {
                try {
                    while (true) {
                        Optional<DtlsConnection> c = server.accept(Duration.ofSeconds(1));
                        if (c.isEmpty()) {
                            continue;
                        }
                        accepted.incrementAndGet();
                        if (c.get().session().authentication() != SessionInfo.Authentication.CERTIFICATE) {
                            pskUsed.incrementAndGet();
                        }
                        retransmissions.addAndGet(c.get().stats().retransmissions());
                        if (echo) {
                            Thread.ofVirtual().start(() -> echo(c.get()));
                        }
                    }
                } catch (IOException e) {
                    // the server closed
                }
            });
            out.println("listening port=" + server.localAddress().getPort() + " backend=" + server.backend()
                    + " loops=" + o.getOrDefault("--loops", "1") + " crypto=" + cryptoLibrary(server.backend())
                    + " pid=" + ProcessHandle.current().pid());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.strip().equals("stats")) {
                    out.println("stats accepted=" + accepted.get() + " psk_used=" + pskUsed.get()
                            + " retransmissions=" + retransmissions.get()
                            + " connections=" + server.connectionCount() + " malloc=" + mallocInUse());
                }
            }
            acceptor.interrupt();
        }
        System.exit(0);
    }

    /** Echoes every datagram until the client closes (the load clients send one; the echo probe many). */
    private static void echo(DtlsConnection c) {
        try (c) {
            while (true) {
                c.send(c.receive());
            }
        } catch (IOException e) {
            // the client closed: done
        }
    }

    /** "--name value" pairs; "--echo" stands alone. */
    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--echo")) {
                o.put("--echo", "");
            } else if (i + 1 < args.length && args[i].startsWith("--")) {
                o.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("BenchServer: unexpected argument " + args[i]);
            }
        }
        return o;
    }

    /** {@code IDENTITY:HEXKEY} → a SHA-256 PSK. */
    static PreSharedKey psk(String v) {
        int colon = v.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("BenchServer: --psk must be IDENTITY:HEXKEY, got " + v);
        }
        return PreSharedKey.of(v.substring(0, colon), HexFormat.of().parseHex(v.substring(colon + 1)));
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException("BenchServer: " + name + " is required");
        }
        return v;
    }

    /** "3.5.7" for the ffm backend's libcrypto, "-" for the fallback. */
    private static String cryptoLibrary(String backend) {
        if (!backend.equals("ffm")) {
            return "-";
        }
        try {
            return dev.pqdtls.ffm.Libcrypto.version().replace(' ', '_');
        } catch (RuntimeException | LinkageError e) {
            return "unknown";
        }
    }

    /** glibc's struct mallinfo2: ten size_t fields. */
    private static final MemoryLayout MALLINFO2_LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("arena"), ValueLayout.JAVA_LONG.withName("ordblks"),
            ValueLayout.JAVA_LONG.withName("smblks"), ValueLayout.JAVA_LONG.withName("hblks"),
            ValueLayout.JAVA_LONG.withName("hblkhd"), ValueLayout.JAVA_LONG.withName("usmblks"),
            ValueLayout.JAVA_LONG.withName("fsmblks"), ValueLayout.JAVA_LONG.withName("uordblks"),
            ValueLayout.JAVA_LONG.withName("fordblks"), ValueLayout.JAVA_LONG.withName("keepcost"));
    private static final MethodHandle MALLINFO2 = mallinfo2();

    private static MethodHandle mallinfo2() {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("mallinfo2")
                .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(MALLINFO2_LAYOUT)))
                .orElse(null);
    }

    /** glibc's bytes in use by malloc (uordblks + hblkhd over all arenas); -1 where there is no mallinfo2. */
    static long mallocInUse() {
        if (MALLINFO2 == null) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) MALLINFO2.invokeExact((SegmentAllocator) arena);
            return info.get(ValueLayout.JAVA_LONG, MALLINFO2_LAYOUT.byteOffset(PathElement.groupElement("uordblks")))
                    + info.get(ValueLayout.JAVA_LONG, MALLINFO2_LAYOUT.byteOffset(PathElement.groupElement("hblkhd")));
        } catch (Throwable e) {
            return -1;
        }
    }
}
