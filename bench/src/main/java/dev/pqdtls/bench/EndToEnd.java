package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.bench.stream.DtlsStream;
import dev.pqdtls.ffm.NativeDatagramEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end throughput over loopback: one connection, a sender thread and a receiver thread, 1200-byte
 * UDP payloads, each row for a fixed time. Rows: pqdtls ffm (GSO/GRO), pqdtls ffm without offload,
 * pqdtls fallback, raw UDP with the same batching and GSO/GRO and no crypto (the C program udp_blast),
 * wolfSSL DTLS 1.3 streaming the same way (the C program wolfssl_stream against ci/build-wolfssl.sh's
 * libwolfssl; see {@link CPrograms}), and {@code openssl speed -evp} for the suite's AEAD at 1200 B (one
 * core, no network) as the crypto ceiling. See bench/README.md.
 *
 * <p>Driven by {@link #run(Progress)} with {@link Options} ({@link BenchEntry}, the CLI's {@code bench}), or
 * by {@link #main} with system properties: {@code -Dseconds=3} (measured time per row),
 * {@code -Dwarmup=} (seconds sent before the window opens, default min(1, seconds/3)),
 * {@code -Dsuite=TLS_AES_128_GCM_SHA256}, {@code -Dgroup=X25519MLKEM768},
 * {@code -Dout=bench/results/end-to-end.md} ({@code -Dout=} to skip the files; the PNG chart goes next to it),
 * {@code -Dwolfssl.dir=~/.cache/pqdtls/wolfssl}, {@code -Drows=1,2,3,4,5,6}.
 */
public final class EndToEnd {
    static final int PAYLOAD = DtlsStream.PAYLOAD;
    static final int BATCH = DtlsStream.BATCH;
    /** A JDK 17-21 home for rows 7 and 8; default: the newest such JDK under /usr/lib/jvm. */
    static final String JDK17_PROPERTY = "pqdtls.bench.jdk17";

    /** Row numbers, as in the table and in {@link Options#rows()}. */
    public static final int FFM = 1;
    public static final int FFM_NO_OFFLOAD = 2;
    public static final int FALLBACK = 3;
    public static final int RAW_UDP = 4;
    public static final int WOLFSSL = 5;
    public static final int OPENSSL_SPEED = 6;
    /** pqdtls jna in a JDK 17 child JVM: the native data plane for JDK 17-21 users. */
    public static final int JNA_JDK17 = 7;
    /** pqdtls fallback in a JDK 17 child JVM: what JDK 17 users got before jna. */
    public static final int FALLBACK_JDK17 = 8;
    /** Row 1 receiving one {@code byte[]} per datagram (rows 1-3, 7-8, 10-12 receive in batches into reused buffers). */
    public static final int FFM_ARRAY_RECEIVE = 9;
    /** One connection per processor, the server with as many event loops: aggregate goodput. */
    public static final int FFM_CONNECTIONS = 10;
    /** Row 1 with the other two suites, and one core's openssl speed for their AEADs. */
    public static final int FFM_AES256 = 11;
    public static final int FFM_CHACHA20 = 12;
    public static final int OPENSSL_SPEED_AES256 = 13;
    public static final int OPENSSL_SPEED_CHACHA20 = 14;
    static final List<Integer> ALL_ROWS = List.of(FFM, FFM_NO_OFFLOAD, FALLBACK, RAW_UDP, WOLFSSL, OPENSSL_SPEED,
            JNA_JDK17, FALLBACK_JDK17, FFM_ARRAY_RECEIVE, FFM_CONNECTIONS, FFM_AES256, FFM_CHACHA20,
            OPENSSL_SPEED_AES256, OPENSSL_SPEED_CHACHA20);
    private static final int CONNECTIONS = Math.max(2, Runtime.getRuntime().availableProcessors());

    /**
     * What to run.
     *
     * @param seconds  measured window per row, in (0, 600] seconds
     * @param warmup   sending before the window opens, in [0, 60] seconds (absorbs the handshake's JIT)
     * @param suite    the DTLS rows' and wolfSSL's cipher suite; also the AEAD of the openssl row
     * @param group    the key-exchange group of the DTLS rows and wolfSSL
     * @param rows     row numbers to run, each 1..14 ({@link #ALL_ROWS}), run in ascending order
     * @param markdown the Markdown report to write (the PNG chart goes next to it, same base name); null: none
     * @param wolfsslDir wolfSSL's install prefix from ci/build-wolfssl.sh (include/, lib/, build/certs/)
     */
    public record Options(double seconds, double warmup, CipherSuite suite, NamedGroup group, List<Integer> rows,
            Path markdown, Path wolfsslDir) {
        public Options {
            if (!(seconds > 0 && seconds <= 600)) {
                throw new IllegalArgumentException("seconds must be in (0, 600], got " + seconds);
            }
            if (!(warmup >= 0 && warmup <= 60)) {
                throw new IllegalArgumentException("warm-up must be in [0, 60] seconds, got " + warmup);
            }
            Objects.requireNonNull(suite, "suite");
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(wolfsslDir, "wolfsslDir");
            rows = new TreeSet<>(rows).stream().toList();
            if (rows.isEmpty() || !ALL_ROWS.containsAll(rows)) {
                throw new IllegalArgumentException("rows must be among " + ALL_ROWS + ", got " + rows);
            }
        }

        /** wolfSSL where ci/build-wolfssl.sh leaves it. */
        public static Path defaultWolfsslDir() {
            return Path.of(System.getProperty("user.home"), ".cache", "pqdtls", "wolfssl");
        }

        /** "1,2,4" → [1, 2, 4]. */
        public static List<Integer> parseRows(String list) {
            return BenchArgs.parseRows(list, ALL_ROWS);
        }
    }

    /** Told about each row as it runs ({@code index} counts from 1 up to {@code count}, the rows selected). */
    public interface Progress {
        void started(int index, int count, String row);

        void finished(int index, int count, Row row);

        /** "[2/6] pqdtls ffm, udpOffload(false) … 104.2 MB/s" on {@code err}, one line per row. */
        static Progress lines(PrintWriter err) {
            return new Progress() {
                @Override
                public void started(int index, int count, String row) {
                    err.print("[" + index + "/" + count + "] " + row.replaceFirst("^\\d+\\. ", "") + " … ");
                    err.flush();
                }

                @Override
                public void finished(int index, int count, Row row) {
                    err.println(row.reason() != null ? "not measured: " + row.reason()
                            : String.format(Locale.ROOT, "%.1f MB/s", row.mbPerSecond()));
                    err.flush();
                }
            };
        }
    }

    /** One row of the table; {@code reason} non-null means not measured. */
    public record Row(String name, long sent, long delivered, long windowRecords, long windowBytes, double seconds,
            String note, String reason) {
        static Row notMeasured(String name, String reason) {
            return new Row(name, 0, 0, 0, 0, 0, null, reason);
        }

        /** The row number, the digits before the first '.' of the name (0 if there are none). */
        public int number() {
            Matcher m = Pattern.compile("^(\\d+)\\.").matcher(name);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }

        public boolean measured() {
            return reason == null;
        }

        /** Whether datagrams travelled (false for the openssl speed row: no network, no loss to speak of). */
        public boolean transfers() {
            return sent > 0 || delivered > 0;
        }

        public double mbPerSecond() {
            return seconds > 0 ? windowBytes / seconds / 1e6 : 0;
        }

        public double recordsPerSecond() {
            return seconds > 0 ? windowRecords / seconds : 0;
        }

        public double lossPercent() {
            return sent > 0 ? Math.max(0, 100.0 * (sent - delivered) / sent) : 0;
        }
    }

    private final Options options;
    private final double seconds;
    private final double warmup;
    private final CipherSuite suite;
    private final NamedGroup group;

    public EndToEnd(Options options) {
        this.options = options;
        this.seconds = options.seconds();
        this.warmup = options.warmup();
        this.suite = options.suite();
        this.group = options.group();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        double seconds = Double.parseDouble(System.getProperty("seconds", "3"));
        double warmup = Double.parseDouble(System.getProperty("warmup", Double.toString(Math.min(1.0, seconds / 3))));
        String out = System.getProperty("out", "bench/results/end-to-end.md");
        Options options = new Options(seconds, warmup,
                CipherSuite.byName(System.getProperty("suite", "TLS_AES_128_GCM_SHA256")),
                NamedGroup.byName(System.getProperty("group", "X25519MLKEM768")),
                Options.parseRows(System.getProperty("rows", "1,2,3,4,5,6")),
                out.isEmpty() ? null : Path.of(out),
                Path.of(System.getProperty("wolfssl.dir", Options.defaultWolfsslDir().toString())));
        PrintWriter err = new PrintWriter(System.err, true);
        List<Row> rows = new EndToEnd(options).run(Progress.lines(err));
        EndToEndReport report = new EndToEndReport(options, rows, Instant.now(),
                String.format(Locale.ROOT, "`-Dseconds=%s -Dwarmup=%s`", EndToEndReport.number(seconds),
                        EndToEndReport.number(warmup)));
        System.out.print(report.markdown(null));
        if (options.markdown() != null) {
            EndToEndReport.Written w = report.write(options.markdown());
            System.out.println("\nwritten to " + w.markdown().toAbsolutePath()
                    + w.chart().map(p -> " and " + p.toAbsolutePath()).orElse("") + w.chartProblem().map(p -> " (" + p + ")").orElse(""));
        }
        System.exit(0); // stray daemon threads of a failed row must not keep the JVM alive
    }

    /** Runs the selected rows one after the other (never two at once); a failing row is "not measured". */
    public List<Row> run(Progress progress) {
        List<Row> result = new ArrayList<>();
        int count = options.rows().size();
        int index = 0;
        for (int number : options.rows()) {
            String name = name(number);
            progress.started(++index, count, name);
            Row row = guard(name, () -> switch (number) {
                case FFM -> dtls(name, settings("ffm", true));
                case FFM_NO_OFFLOAD -> dtls(name, settings("ffm", false));
                case FALLBACK -> dtls(name, settings("fallback", true));
                case RAW_UDP -> rawUdp(name);
                case WOLFSSL -> wolfSsl(name, options.wolfsslDir());
                case OPENSSL_SPEED -> opensslSpeed(name, suite);
                case JNA_JDK17 -> dtlsOnJdk17(name, "jna");
                case FALLBACK_JDK17 -> dtlsOnJdk17(name, "fallback");
                case FFM_ARRAY_RECEIVE -> dtls(name, new DtlsStream.Settings("ffm", true, suite, group, seconds, warmup,
                        false, 1));
                case FFM_CONNECTIONS -> dtls(name, new DtlsStream.Settings("ffm", true, suite, group, seconds, warmup,
                        true, CONNECTIONS));
                case FFM_AES256 -> dtls(name, new DtlsStream.Settings("ffm", true, CipherSuite.TLS_AES_256_GCM_SHA384,
                        group, seconds, warmup, true, 1));
                case FFM_CHACHA20 -> dtls(name, new DtlsStream.Settings("ffm", true,
                        CipherSuite.TLS_CHACHA20_POLY1305_SHA256, group, seconds, warmup, true, 1));
                case OPENSSL_SPEED_AES256 -> opensslSpeed(name, CipherSuite.TLS_AES_256_GCM_SHA384);
                case OPENSSL_SPEED_CHACHA20 -> opensslSpeed(name, CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
                default -> throw new IllegalArgumentException("no row " + number);
            });
            progress.finished(index, count, row);
            result.add(row);
        }
        return result;
    }

    private String name(int number) {
        return number + ". " + switch (number) {
            case FFM -> "pqdtls ffm (GSO/GRO)";
            case FFM_NO_OFFLOAD -> "pqdtls ffm, udpOffload(false)";
            case FALLBACK -> "pqdtls fallback (JDK socket)";
            case RAW_UDP -> "raw UDP, C udp_blast (GSO/GRO)";
            case WOLFSSL -> "wolfSSL " + CPrograms.wolfSslVersion(options.wolfsslDir()).orElse("5.9") + " DTLS 1.3 (C driver)";
            case OPENSSL_SPEED -> opensslSpeedName(suite);
            case JNA_JDK17 -> "pqdtls jna on JDK 17 (GSO/GRO)";
            case FALLBACK_JDK17 -> "pqdtls fallback on JDK 17";
            case FFM_ARRAY_RECEIVE -> "pqdtls ffm (GSO/GRO), one byte[] per receive";
            case FFM_CONNECTIONS -> "pqdtls ffm (GSO/GRO), " + CONNECTIONS + " connections on " + CONNECTIONS
                    + " server loops, aggregate";
            case FFM_AES256 -> "pqdtls ffm (GSO/GRO), " + CipherSuite.TLS_AES_256_GCM_SHA384;
            case FFM_CHACHA20 -> "pqdtls ffm (GSO/GRO), " + CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
            case OPENSSL_SPEED_AES256 -> opensslSpeedName(CipherSuite.TLS_AES_256_GCM_SHA384);
            case OPENSSL_SPEED_CHACHA20 -> opensslSpeedName(CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
            default -> throw new IllegalArgumentException("no row " + number);
        };
    }

    /** A short name for the chart's axis. */
    static String shortName(Row row) {
        return switch (row.number()) {
            case FFM -> "ffm GSO/GRO";
            case FFM_NO_OFFLOAD -> "ffm no offload";
            case FALLBACK -> "fallback";
            case RAW_UDP -> "raw UDP";
            case WOLFSSL -> "wolfSSL";
            case OPENSSL_SPEED -> "openssl speed";
            case JNA_JDK17 -> "jna (JDK 17)";
            case FALLBACK_JDK17 -> "fallback (JDK 17)";
            case FFM_ARRAY_RECEIVE -> "ffm byte[] receive";
            case FFM_CONNECTIONS -> "ffm " + CONNECTIONS + " connections";
            case FFM_AES256 -> "ffm AES-256-GCM";
            case FFM_CHACHA20 -> "ffm ChaCha20";
            case OPENSSL_SPEED_AES256 -> "openssl AES-256-GCM";
            case OPENSSL_SPEED_CHACHA20 -> "openssl ChaCha20";
            default -> row.name();
        };
    }

    interface RowTask {
        Row run() throws Exception;
    }

    private static Row guard(String name, RowTask task) {
        try {
            return task.run();
        } catch (Exception | Error ex) {
            String msg = ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "");
            return Row.notMeasured(name, "failed: " + msg.replace('\n', ' ').replace('|', '/'));
        }
    }

    // ---------------------------------------------------------------- pqdtls

    Row dtls(String name, DtlsStream.Settings settings) throws Exception {
        if (settings.backend().equals("ffm") && NativeDatagramEngine.unavailableReason().isPresent()) {
            return Row.notMeasured(name, "native library unusable: " + NativeDatagramEngine.unavailableReason().get());
        }
        return row(name, DtlsStream.run(settings));
    }

    /** One connection of {@code --suite}, batch receive. */
    private DtlsStream.Settings settings(String backend, boolean offload) {
        return new DtlsStream.Settings(backend, offload, suite, group, seconds, warmup, true, 1);
    }

    private static String opensslSpeedName(CipherSuite s) {
        return "openssl speed -evp " + OpensslSpeed.cipher(s) + ", " + PAYLOAD + " B, one core";
    }

    private static Row row(String name, DtlsStream.Result r) {
        return r.notMeasured() != null ? Row.notMeasured(name, r.notMeasured())
                : new Row(name, r.sent(), r.delivered(), r.windowRecords(), r.windowBytes(), r.seconds(), r.note(), null);
    }

    /**
     * The same stream in a child JVM on JDK 17 (this process runs on 22+), with this process's class path:
     * what a JDK 17-21 user gets. The child prints one line ({@link DtlsStream.Result#line()}).
     */
    Row dtlsOnJdk17(String name, String backend) throws Exception {
        Optional<Path> java = jdk17();
        if (java.isEmpty()) {
            return Row.notMeasured(name, "no JDK 17-21 found (set -D" + JDK17_PROPERTY + "=<JDK home>)");
        }
        List<String> command = new ArrayList<>(List.of(java.get().toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), DtlsStream.class.getName()));
        command.addAll(DtlsStream.arguments(settings(backend, true)));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> out;
        try (var reader = p.inputReader()) {
            out = reader.lines().toList();
        }
        if (!p.waitFor((long) (warmup + seconds) + 60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return Row.notMeasured(name, "the JDK 17 child did not finish");
        }
        return DtlsStream.Result.parse(out).map(r -> row(name, r))
                .orElseGet(() -> Row.notMeasured(name, "the JDK 17 child printed no result (exit " + p.exitValue() + ")"));
    }

    /** {@code -Dpqdtls.bench.jdk17}'s java, else the newest JDK 17-21 under /usr/lib/jvm. */
    static Optional<Path> jdk17() {
        String explicit = System.getProperty(JDK17_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path java = Path.of(explicit, "bin", "java");
            return Files.isExecutable(java) ? Optional.of(java) : Optional.empty();
        }
        Path best = null;
        int bestVersion = 0;
        try (var homes = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : homes.toList()) {
                Path release = home.resolve("release");
                if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isReadable(release)) {
                    continue;
                }
                Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
                int v = m.find() ? Integer.parseInt(m.group(1)) : 0;
                if (v >= 17 && v <= 21 && v > bestVersion) {
                    best = home.resolve("bin/java");
                    bestVersion = v;
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(best);
    }

    // ---------------------------------------------------------------- raw UDP

    /** Raw UDP with row 1's batching and GSO/GRO and no crypto: the C program udp_blast (see {@link CPrograms}). */
    Row rawUdp(String name) {
        return row(name, CPrograms.rawUdp(PAYLOAD, BATCH, true, seconds, warmup));
    }

    private Row row(String name, CPrograms.Outcome outcome) {
        return switch (outcome) {
            case CPrograms.Measured m -> new Row(name, m.sent(), m.delivered(), m.windowDatagrams(), m.windowBytes(),
                    m.windowSeconds(), m.note() + String.format(Locale.ROOT, "; %.2f s measured after %.2f s warm-up",
                            m.windowSeconds(), warmup), null);
            case CPrograms.NotMeasured n -> Row.notMeasured(name, n.reason());
        };
    }

    // ---------------------------------------------------------------- wolfSSL

    private static String wolfSuite(CipherSuite s) {
        return switch (s) {
            case TLS_AES_128_GCM_SHA256 -> "TLS13-AES128-GCM-SHA256";
            case TLS_AES_256_GCM_SHA384 -> "TLS13-AES256-GCM-SHA384";
            case TLS_CHACHA20_POLY1305_SHA256 -> "TLS13-CHACHA20-POLY1305-SHA256";
            case TLS_AES_128_CCM_SHA256 -> "TLS13-AES128-CCM-SHA256";
            case TLS_AES_128_CCM_8_SHA256 -> "TLS13-AES128-CCM8-SHA256";
        };
    }

    /** wolfssl_stream's group names (MLKEM768 alone is not in the ci build: that row says so). */
    static String wolfGroup(NamedGroup g) {
        return switch (g) {
            case X25519_MLKEM768 -> "X25519MLKEM768";
            case SECP256R1_MLKEM768 -> "SECP256R1MLKEM768";
            case MLKEM768 -> "MLKEM768";
            case X25519 -> "X25519";
            case SECP256R1 -> "SECP256R1";
        };
    }

    /**
     * wolfSSL DTLS 1.3 streaming one way, as rows 1–3 do: the C program wolfssl_stream against the
     * libwolfssl of ci/build-wolfssl.sh (see {@link CPrograms}), same suite, group and datagram size.
     */
    Row wolfSsl(String name, Path prefix) {
        int appBytes = PAYLOAD - (1 + 2 + 2) - 1 - CipherSuite.TAG_LENGTH; // unified header, type, tag: as ours
        return row(name, CPrograms.wolfSsl(prefix, wolfSuite(suite), wolfGroup(group), appBytes, seconds, warmup));
    }

    // ---------------------------------------------------------------- openssl speed

    /**
     * One core's {@code openssl speed -evp <cipher>} at 1200 B, in this run: the crypto ceiling for the DTLS rows
     * (a bare encrypt loop over one buffer, no per-record nonce/AAD/tag, no network). The openssl on the PATH.
     */
    Row opensslSpeed(String name, CipherSuite suite) throws Exception {
        Optional<String> version = OpensslSpeed.version();
        if (version.isEmpty()) {
            return Row.notMeasured(name, "no working openssl on the PATH");
        }
        List<String> command = OpensslSpeed.command(OpensslSpeed.cipher(suite), PAYLOAD,
                (int) Math.max(1, Math.round(seconds)), false);
        Optional<OpensslSpeed.Result> r = OpensslSpeed.measure(command);
        if (r.isEmpty() || r.get().records() <= 0) {
            return Row.notMeasured(name, "could not run or parse `" + String.join(" ", command) + "`");
        }
        OpensslSpeed.Result speed = r.get();
        String note = String.format(Locale.ROOT, "`%s` (%s, the CLI's own libcrypto): %,d buffers in %.2f s of user "
                        + "CPU time, one process; a bare EVP encrypt loop over one buffer (no per-record nonce, AAD or tag), "
                        + "no network",
                String.join(" ", command), OpensslSpeed.label(version), speed.records(), speed.seconds());
        return new Row(name, 0, 0, speed.records(), speed.records() * speed.bytes(), speed.seconds(), note, null);
    }
}
