package dev.pqdtls.cli;

import java.io.Writer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A Writer that keeps everything written and hands out complete lines as they appear, for waiting on. */
final class LineCapture extends Writer {
    private final StringBuilder all = new StringBuilder();
    private final StringBuilder line = new StringBuilder();
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    @Override
    public synchronized void write(char[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            char c = buf[i];
            all.append(c);
            if (c == '\n') {
                lines.add(line.toString().replace("\r", ""));
                line.setLength(0);
            } else {
                line.append(c);
            }
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** The first line from now on that matches, or empty if none comes within {@code timeout}. */
    Optional<String> await(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String l = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (l == null) {
                return Optional.empty();
            }
            if (wanted.test(l)) {
                return Optional.of(l);
            }
        }
    }

    @Override
    public synchronized String toString() {
        return all.toString();
    }
}
