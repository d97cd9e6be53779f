package dev.pqdtls.conformance.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps of one section of RFC 8448 ("Example Handshake Traces for TLS 1.3"), parsed from the
 * RFC text at run time. A step is a line such as {@code {server}  derive secret "tls13 c hs traffic":}
 * followed by fields such as {@code PRK (32 octets):  f2 c6 ...}; a field's hex may run over several
 * lines and across page breaks, and ends when it holds the declared number of octets.
 */
public final class Rfc8448Trace {
    private static final Pattern SECTION = Pattern.compile("^(\\d+)\\.\\s+(\\S.*?)\\s*$");
    private static final Pattern STEP = Pattern.compile("^\\s{1,8}\\{(client|server)\\}\\s+(.*)$");
    private static final Pattern FIELD = Pattern.compile("^\\s+(\\S.*?) \\((\\d+) octets?\\):\\s*(.*)$");
    private static final Pattern HEX_LINE = Pattern.compile("^\\s*(?:[0-9a-fA-F]{2}\\s*)+$");
    private static final Pattern PAGE_BREAK = Pattern.compile("^(?:\\f|\\S.*\\[Page \\d+\\]\\s*$|Internet-Draft\\s.*|RFC \\d+\\s.*)");

    /** One {@code {client}} or {@code {server}} step with its fields in order. */
    public static final class Step {
        private final String title;
        private final Map<String, byte[]> fields = new LinkedHashMap<>();

        Step(String title) {
            this.title = title;
        }

        /** Normalised title, e.g. {@code server derive secret "tls13 c hs traffic"}. */
        public String title() {
            return title;
        }

        /** The field's bytes; fails if the step has no such field. */
        public byte[] field(String name) {
            byte[] v = fields.get(name);
            if (v == null) {
                throw new IllegalStateException("RFC 8448 step '" + title + "' has no field '" + name
                        + "'; it has " + fields.keySet());
            }
            return v.clone();
        }

        @Override
        public String toString() {
            return title + " " + fields.keySet();
        }
    }

    private final List<Step> steps;

    private Rfc8448Trace(List<Step> steps) {
        this.steps = steps;
    }

    /** Section 3, "Simple 1-RTT Handshake", of {@code specs/rfc8448-tls13-vectors.txt}. */
    public static Rfc8448Trace simple1Rtt() {
        return load(SharedFiles.spec("rfc8448-tls13-vectors.txt"), 3);
    }

    /** Parses section {@code section} of an RFC 8448 text. */
    public static Rfc8448Trace load(Path file, int section) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Step> steps = new ArrayList<>();
        boolean inSection = false;
        Step step = null;
        String fieldName = null;
        int fieldLength = 0;
        ByteArrayOutputStream fieldBytes = null;
        boolean titleOpen = false;
        for (String raw : lines) {
            String line = raw.replace("\f", "");
            Matcher sec = SECTION.matcher(line);
            if (sec.matches()) {
                int n = Integer.parseInt(sec.group(1));
                if (inSection && n != section) {
                    break;
                }
                inSection = n == section;
                continue;
            }
            if (!inSection || PAGE_BREAK.matcher(raw).find()) {
                continue;
            }
            if (fieldBytes != null) {
                // Continuation of a multi-line hex value; blank lines come from page breaks.
                if (line.isBlank()) {
                    continue;
                }
                if (!HEX_LINE.matcher(line).matches()) {
                    throw new IllegalStateException("RFC 8448 field '" + fieldName + "' of '" + step.title
                            + "' ends after " + fieldBytes.size() + " of " + fieldLength + " octets at: " + line);
                }
                appendHex(fieldBytes, line);
                if (fieldBytes.size() >= fieldLength) {
                    finishField(step, fieldName, fieldLength, fieldBytes);
                    fieldBytes = null;
                }
                continue;
            }
            Matcher st = STEP.matcher(line);
            if (st.matches()) {
                step = new Step(normalise(st.group(1) + " " + st.group(2)));
                steps.add(step);
                titleOpen = !line.trim().endsWith(":");
                continue;
            }
            if (line.isBlank()) {
                titleOpen = false;
                continue;
            }
            Matcher f = FIELD.matcher(line);
            if (step != null && f.matches()) {
                titleOpen = false;
                fieldName = f.group(1).trim();
                fieldLength = Integer.parseInt(f.group(2));
                fieldBytes = new ByteArrayOutputStream();
                String rest = f.group(3).trim();
                if (!rest.isEmpty() && HEX_LINE.matcher(rest).matches()) {
                    appendHex(fieldBytes, rest);
                }
                if (fieldBytes.size() >= fieldLength) {
                    finishField(step, fieldName, fieldLength, fieldBytes);
                    fieldBytes = null;
                }
                continue;
            }
            if (step != null && titleOpen) {
                // A step title wrapped onto the next line.
                step = replaceTitle(steps, step, normalise(step.title + " " + line.trim()));
                titleOpen = !line.trim().endsWith(":");
            }
        }
        if (fieldBytes != null) {
            throw new IllegalStateException("RFC 8448 field '" + fieldName + "' is truncated");
        }
        if (steps.isEmpty()) {
            throw new IllegalStateException("no RFC 8448 steps found in section " + section + " of " + file);
        }
        return new Rfc8448Trace(steps);
    }

    private static Step replaceTitle(List<Step> steps, Step step, String title) {
        Step renamed = new Step(title);
        renamed.fields.putAll(step.fields);
        steps.set(steps.size() - 1, renamed);
        return renamed;
    }

    private static void finishField(Step step, String name, int length, ByteArrayOutputStream bytes) {
        byte[] value = bytes.toByteArray();
        if (value.length != length) {
            throw new IllegalStateException("RFC 8448 field '" + name + "' of '" + step.title + "' has "
                    + value.length + " octets; declared " + length);
        }
        step.fields.put(name, value);
    }

    private static void appendHex(ByteArrayOutputStream out, String line) {
        for (String pair : line.trim().split("\\s+")) {
            out.write(Integer.parseInt(pair, 16));
        }
    }

    private static String normalise(String title) {
        String t = title.trim().replaceAll("\\s+", " ");
        if (t.endsWith(":")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }

    /**
     * The {@code occurrence}-th (from 0) step whose title starts with {@code titlePrefix}, compared
     * case-insensitively with whitespace collapsed.
     */
    public Step step(String titlePrefix, int occurrence) {
        String want = normalise(titlePrefix).toLowerCase(Locale.ROOT);
        int seen = 0;
        for (Step s : steps) {
            if (s.title.toLowerCase(Locale.ROOT).startsWith(want) && !s.fields.isEmpty()) {
                if (seen++ == occurrence) {
                    return s;
                }
            }
        }
        throw new IllegalStateException("RFC 8448 step '" + titlePrefix + "' #" + occurrence
                + " with fields not found; steps are " + titles());
    }

    /** The first step with fields whose title starts with {@code titlePrefix}. */
    public Step step(String titlePrefix) {
        return step(titlePrefix, 0);
    }

    private List<String> titles() {
        List<String> t = new ArrayList<>();
        steps.forEach(s -> t.add(s.title));
        return t;
    }
}
