package dev.pqdtls.bench;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.NamedGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * An established connection that keeps talking while a server is under handshake load: it sends a
 * 16-byte ping every {@link #INTERVAL} and times its echo, so the handshake benchmark can say whether
 * data already flowing stays fast while the server's loops are busy with handshakes (issue "Handshakes
 * at server scale": p99 within a few milliseconds).
 */
final class EchoProbe implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofMillis(5);
    private static final int MAX_SAMPLES = 1 << 20;

    private final DtlsConnection connection;
    private final Thread thread;
    private final long[] rtts = new long[MAX_SAMPLES];
    private volatile boolean recording;
    private volatile boolean stop;
    private int samples;
    private long lost;

    private EchoProbe(DtlsConnection connection) {
        this.connection = connection;
        this.thread = new Thread(this::run, "echo-probe");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Connects to a pqdtls server that echoes (BenchServer --echo) and starts pinging. */
    static EchoProbe start(int port, Path trustedPem) throws Exception {
        DtlsConfig config = DtlsConfig.builder().trustedCertificates(trustedPem).serverName("localhost")
                .groups(NamedGroup.X25519).idleTimeout(Duration.ofHours(1)).build();
        return new EchoProbe(DtlsClient.connect(new InetSocketAddress("127.0.0.1", port), config));
    }

    private void run() {
        byte[] ping = new byte[16];
        try {
            while (!stop) {
                long t0 = System.nanoTime();
                connection.send(ping);
                Optional<byte[]> pong = connection.receive(Duration.ofSeconds(1));
                long rtt = System.nanoTime() - t0;
                synchronized (this) {
                    if (recording) {
                        if (pong.isEmpty()) {
                            lost++;
                        } else if (samples < MAX_SAMPLES) {
                            rtts[samples++] = rtt;
                        }
                    }
                }
                long left = INTERVAL.toNanos() - (System.nanoTime() - t0);
                if (left > 0) {
                    Thread.sleep(left / 1_000_000, (int) (left % 1_000_000)); // pacing, not synchronisation
                }
            }
        } catch (Exception e) {
            // closed at the end of the row
        }
    }

    /** Starts counting (the measured window opened). */
    void windowOpened() {
        recording = true;
    }

    /** Stops counting and says what the window saw: pings, lost (no echo within 1 s), p50 and p99. */
    synchronized String windowClosed() {
        recording = false;
        if (samples == 0) {
            return "echo probe: no echo in the window (" + lost + " lost)";
        }
        long[] sorted = Arrays.copyOf(rtts, samples);
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "an established connection's echo during the window: p50 %.2f ms, p99 %.2f ms, "
                + "max %.2f ms (%d pings every %d ms, %d without an echo within 1 s)", sorted[samples / 2] / 1e6,
                sorted[Math.min(samples - 1, (int) (samples * 0.99))] / 1e6, sorted[samples - 1] / 1e6, samples,
                INTERVAL.toMillis(), lost);
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }
}
