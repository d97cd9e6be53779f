package dev.pqdtls.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A long-running helper process of the handshake and connection benchmarks (a pqdtls server JVM, the
 * wolfSSL server, the wolfSSL clients) spoken to in lines: commands on its stdin, answers and markers
 * on its stdout (read by a daemon thread into a queue), stderr into a file for the error message. Every
 * wait has a deadline; {@link #close} ends stdin (each helper exits on end of input), waits briefly,
 * then kills.
 */
final class ChildProcess implements AutoCloseable {
    private static final String EOF = new String("end of output"); // identity marks the end

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Lines read but not asked for (for the error message). */
    private final List<String> skipped = new ArrayList<>();

    private ChildProcess(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            } finally {
                lines.add(EOF);
            }
        }, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} in {@code workDir}; {@code name} names it in messages. */
    static ChildProcess start(String name, List<String> command, Path workDir) throws IOException {
        Path err = Files.createTempFile("pqdtls-bench-" + name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-", ".err");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectError(err.toFile()).start();
        return new ChildProcess(name, p, err);
    }

    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends one line to the process's stdin. */
    void send(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /**
     * The next stdout line starting with {@code prefix} (lines before it are skipped and kept for the error
     * message); fails with the process's stderr when the output ends or {@code timeout} passes first.
     */
    String await(String prefix, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (l == null) {
                    throw new IOException(name + " printed no '" + prefix + "' line within " + timeout.toMillis()
                            + " ms" + details());
                }
                if (l == EOF) {
                    lines.add(EOF); // later calls see the end too
                    process.waitFor(2, TimeUnit.SECONDS);
                    throw new IOException(name + " ended" + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")")
                            + " before printing '" + prefix + "'" + details());
                }
                if (l.startsWith(prefix)) {
                    return l;
                }
                skipped.add(l);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + name);
        }
    }

    /** Sends {@code command} and returns the answer line starting with {@code prefix}. */
    String ask(String command, String prefix, Duration timeout) throws IOException {
        send(command);
        return await(prefix, timeout);
    }

    /** Its stdout so far (unasked lines) and the end of its stderr, for a message. */
    String details() {
        String out = skipped.isEmpty() ? "" : "; stdout: " + CPrograms.tail(String.join("\n", skipped));
        return out + "; stderr: " + stderrTail();
    }

    String stderrTail() {
        try {
            return CPrograms.tail(Files.readString(stderr));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Waits up to {@code timeout} for the process to exit by itself; its exit code, if it did. */
    Optional<Integer> waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(process.exitValue())
                    : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Ends stdin (the helpers exit on it), waits up to 10 s, then kills the process (and its children). */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (waitFor(Duration.ofSeconds(10)).isEmpty()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(5));
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // a left-over temp file is harmless
        }
    }
}
