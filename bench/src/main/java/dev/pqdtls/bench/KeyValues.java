package dev.pqdtls.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code key=value} words of a line such as {@code result handshakes=12 p50_us=800}, as the C programs and
 * BenchServer print them.
 */
final class KeyValues {
    private final String line;
    private final Map<String, String> values;

    private KeyValues(String line, Map<String, String> values) {
        this.line = line;
        this.values = values;
    }

    /** The words after {@code tag} (the line's first word, which must match). */
    static KeyValues parse(String line, String tag) {
        String t = line.strip();
        if (!(t.equals(tag) || t.startsWith(tag + " "))) {
            throw new IllegalArgumentException("expected a '" + tag + "' line, got: " + line);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String word : t.substring(tag.length()).trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                m.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return new KeyValues(line, m);
    }

    Map<String, String> asMap() {
        return values;
    }

    String text(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key + "= in: " + line);
        }
        return v;
    }

    long integer(String key) {
        try {
            return Long.parseLong(text(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not an integer in: " + line, e);
        }
    }

    double decimal(String key) {
        try {
            return Double.parseDouble(text(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not a number in: " + line, e);
        }
    }
}
