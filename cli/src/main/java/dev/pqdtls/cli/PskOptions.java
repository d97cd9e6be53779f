package dev.pqdtls.cli;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.PreSharedKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --psk} and {@code --psk-file}, shared by {@code client} and {@code server}: external
 * pre-shared keys (RFC 8446 §2.2) written {@code IDENTITY:HEXKEY}. Messages name the identity, the
 * option and the file line, never the key.
 */
final class PskOptions {
    @Option(names = "--psk", paramLabel = "IDENTITY:HEXKEY", converter = KeyConverter.class,
            description = {"An external pre-shared key: the identity (UTF-8 text) and at least 16 bytes of key in hex, "
                    + "e.g. device-17:000102...1f (repeat for more keys). The key is visible to other users in the "
                    + "process list: prefer --psk-file.",
                "Keys are for the SHA-256 suites; the hybrid key exchange still runs (psk_dhe_ke)."})
    List<PreSharedKey> keys;

    @Option(names = "--psk-identity", paramLabel = "ID",
            description = "With --psk-hex: one pre-shared key given as its identity (UTF-8 text) ...")
    String identity;

    @Option(names = "--psk-hex", paramLabel = "KEY",
            description = "... and its key in hex (at least 16 bytes); the same as --psk ID:KEY.")
    String hexKey;

    @Option(names = "--psk-file", paramLabel = "FILE",
            description = "Reads pre-shared keys from FILE, one IDENTITY:HEXKEY a line (blank lines and lines starting "
                    + "with # are skipped); keep it readable by this user only.")
    Path file;

    /** With --psk-file: the keys read by {@link #check}. */
    private List<PreSharedKey> fromFile = List.of();
    /** With --psk-identity and --psk-hex: the key made by {@link #check}. */
    private PreSharedKey pair;

    boolean any() {
        return keys != null && !keys.isEmpty() || file != null || identity != null || hexKey != null;
    }

    /**
     * Reads {@code --psk-file} (a missing or unreadable file is an {@link IOException}: exit 1, as for
     * {@code --ca}), and refuses malformed lines, identities given twice and keys no suite of
     * {@code protocol} can use as usage errors.
     */
    void check(CommandLine cl, ProtocolOptions protocol) throws IOException {
        if ((identity == null) != (hexKey == null)) {
            throw new ParameterException(cl, "--psk-identity and --psk-hex go together");
        }
        if (identity != null) {
            try {
                pair = parse(identity + ":" + hexKey);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--psk-identity/--psk-hex: " + e.getMessage());
            }
        }
        if (file != null) {
            fromFile = read(cl, file);
        }
        Set<String> seen = new HashSet<>();
        for (PreSharedKey k : all()) {
            if (!seen.add(HexFormat.of().formatHex(k.identity()))) {
                throw new ParameterException(cl, "--psk/--psk-file: identity '" + k.displayIdentity()
                        + "' is given twice; each identity names one key");
            }
        }
        if (any()) {
            DtlsConfig.Builder b = DtlsConfig.builder();
            protocol.applyTo(b);
            applyTo(b);
            ProtocolOptions.build(cl, b); // e.g. a SHA-256 key with only --suites TLS_AES_256_GCM_SHA384
        }
    }

    /** Every key: {@code --psk} in order, then {@code --psk-identity}'s, then the file's. */
    List<PreSharedKey> all() {
        List<PreSharedKey> all = new ArrayList<>(keys == null ? List.of() : keys);
        if (pair != null) {
            all.add(pair);
        }
        all.addAll(fromFile);
        return all;
    }

    void applyTo(DtlsConfig.Builder b) {
        if (any()) {
            b.preSharedKeys(all());
        }
    }

    private static List<PreSharedKey> read(CommandLine cl, Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read --psk-file " + file + ": no such file", e);
        } catch (IOException e) {
            throw new IOException("cannot read --psk-file " + file + ": " + e.getMessage(), e);
        }
        List<PreSharedKey> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                keys.add(parse(line));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--psk-file " + file + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (keys.isEmpty()) {
            throw new ParameterException(cl, "--psk-file " + file + " holds no IDENTITY:HEXKEY line");
        }
        return keys;
    }

    /**
     * {@code IDENTITY:HEXKEY}, split at the last colon (hex has none, an identity may). Messages never
     * contain the key.
     */
    static PreSharedKey parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("expected IDENTITY:HEXKEY, e.g. device-17:" + "00".repeat(16));
        }
        String identity = value.substring(0, colon);
        String hex = value.substring(colon + 1).strip();
        byte[] key;
        try {
            key = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key of identity '" + identity + "' is not hex (an even number of "
                    + "digits 0-9, a-f)");
        }
        try {
            return PreSharedKey.of(identity, key);
        } catch (IllegalArgumentException e) {
            // "preSharedKeys: the key for identity 'x' must be 16 to 255 bytes ..., was 8"
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^preSharedKeys: ", ""));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    static final class KeyConverter implements ITypeConverter<PreSharedKey> {
        @Override
        public PreSharedKey convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
