package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code openssl speed} as a reference rate: the {@code openssl} command on the PATH, run in machine-readable
 * mode ({@code -mr}) and parsed. Shared by {@link AeadReport} and {@link EndToEnd}.
 *
 * <p>{@code -evp} alone times a bare {@code EVP_EncryptUpdate} loop over one buffer (no per-record nonce, AAD
 * or tag): an upper bound for a record layer. {@code -aead} runs the TLS-like sequence per record. The time
 * openssl reports is the process's user CPU time, so the rate is one core's.
 */
final class OpensslSpeed {
    /** What one {@code openssl speed} run reported: {@code records} buffers of {@code bytes} in {@code seconds}. */
    record Result(long records, int bytes, double seconds, double bytesPerSecond) {
    }

    private OpensslSpeed() {
    }

    /** openssl's name for the suite's AEAD. */
    static String cipher(CipherSuite suite) {
        return switch (suite) {
            case TLS_AES_128_GCM_SHA256 -> "aes-128-gcm";
            case TLS_AES_256_GCM_SHA384 -> "aes-256-gcm";
            case TLS_CHACHA20_POLY1305_SHA256 -> "chacha20-poly1305";
            case TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256 -> "aes-128-ccm";
        };
    }

    /** {@code openssl version}, e.g. "OpenSSL 3.0.19 27 Jan 2026 (Library: ...)"; empty if there is no openssl. */
    static Optional<String> version() throws InterruptedException {
        return output(List.of("openssl", "version")).map(String::strip);
    }

    /** "OpenSSL 3.0.19" out of "OpenSSL 3.0.19 27 Jan 2026 (Library: ...)". */
    static String label(Optional<String> version) {
        if (version.isEmpty()) {
            return "openssl";
        }
        String[] words = version.get().split("\\s+");
        return words.length >= 2 ? words[0] + " " + words[1] : version.get();
    }

    static List<String> command(String cipher, int bytes, int seconds, boolean aead) {
        List<String> command = new ArrayList<>(List.of("openssl", "speed", "-mr"));
        if (aead) {
            command.add("-aead");
        }
        command.addAll(List.of("-evp", cipher, "-bytes", String.valueOf(bytes), "-seconds", String.valueOf(seconds)));
        return command;
    }

    /** Runs {@code command} (from {@link #command}); empty if openssl cannot start, fails or prints no result. */
    static Optional<Result> measure(List<String> command) throws InterruptedException {
        return output(command).flatMap(OpensslSpeed::parse);
    }

    /**
     * The result lines of {@code -mr}: {@code +R:<count>:<name>:<seconds>} and {@code +F:<n>:<name>:<bytes/s>}
     * (the latter is count × bytes / seconds), after {@code +DT:<name>:<seconds>:<bytes>}.
     */
    static Optional<Result> parse(String output) {
        long count = -1;
        double seconds = -1;
        int bytes = -1;
        double rate = -1;
        try {
            for (String line : output.split("\n")) {
                String[] f = line.strip().split(":");
                if (line.startsWith("+DT:") && f.length >= 4) {
                    bytes = Integer.parseInt(f[3]);
                } else if (line.startsWith("+R:") && f.length >= 4 && count < 0) {
                    count = Long.parseLong(f[1]);
                    seconds = Double.parseDouble(f[3]);
                } else if (line.startsWith("+F:") && rate < 0) {
                    rate = Double.parseDouble(f[f.length - 1]);
                }
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (rate <= 0) {
            return Optional.empty();
        }
        if (count < 0 || seconds <= 0 || bytes <= 0) { // an older format: the rate alone
            return Optional.of(new Result(0, Math.max(bytes, 0), 0, rate));
        }
        return Optional.of(new Result(count, bytes, seconds, rate));
    }

    /** Standard output of a finished process, or empty if it cannot start or fails. */
    private static Optional<String> output(List<String> command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text;
            try (InputStream in = process.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? Optional.of(text) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
