package dev.pqdtls.bench;

import dev.pqdtls.NamedGroup;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The command line of a benchmark entry point ({@code --name value} pairs and a few bare flags), as the CLI
 * passes it on verbatim: picocli has checked the types, the ranges are checked here and by the options
 * records.
 */
final class BenchArgs {
    /** Options naming a path of this machine: left out of the command line the report quotes. */
    private static final Set<String> PATHS = Set.of("--out", "--wolfssl-dir", "--openssl35", "--libcrypto");
    private final Map<String, String> values = new HashMap<>();
    private final List<String> shown = new ArrayList<>();

    /** An entry point's parsed command line and the options built from it. */
    record Parsed<T>(BenchArgs args, T options) {
    }

    /**
     * Parses an entry point's {@code args} and builds its options with {@code build}; null after printing
     * {@code pqdtls: <why> (see 'pqdtls bench <command> --help')} on {@code err} when they are wrong. Also
     * switches AWT to headless before anything touches it (the charts).
     */
    static <T> Parsed<T> parse(String[] args, Set<String> flags, Set<String> options, Function<BenchArgs, T> build,
            String command, PrintWriter err) {
        System.setProperty("java.awt.headless", "true");
        try {
            BenchArgs a = new BenchArgs(args, flags, options);
            return new Parsed<>(a, build.apply(a));
        } catch (IllegalArgumentException e) {
            err.println("pqdtls: " + e.getMessage() + " (see 'pqdtls bench " + command + " --help')");
            err.flush();
            return null;
        }
    }

    /** Parses {@code args}; {@code flags} take no value, {@code options} one; anything else is an error. */
    BenchArgs(String[] args, Set<String> flags, Set<String> options) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (flags.contains(a)) {
                values.put(a, "");
                shown.add(a);
                continue;
            }
            if (!options.contains(a)) {
                throw new IllegalArgumentException("unknown option " + a);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            values.put(a, v);
            if (!PATHS.contains(a)) {
                shown.add(a);
                shown.add(v);
            }
        }
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    String text(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    double number(String name, double otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not a number: '" + v + "'");
        }
    }

    int integer(String name, int otherwise) {
        double d = number(name, otherwise);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": not a whole number: '" + values.get(name) + "'");
        }
        return (int) d;
    }

    /** "X25519,X25519MLKEM768" → the groups, in that order. */
    List<NamedGroup> groups(String name, List<NamedGroup> otherwise) {
        return list(name, NamedGroup::byName, otherwise);
    }

    /** "a,b" → each word parsed, in that order (the parser's exception names the valid words), or {@code otherwise}. */
    <T> List<T> list(String name, Function<String, T> parse, List<T> otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        List<T> parsed = new ArrayList<>();
        for (String word : v.split(",")) {
            if (!word.isBlank()) {
                parsed.add(parse.apply(word.strip()));
            }
        }
        return parsed;
    }

    /** The value of {@code name} as row numbers ({@link #parseRows}), or {@code all} when not given. */
    List<Integer> rows(String name, List<Integer> all) {
        String v = values.get(name);
        return v == null ? all : parseRows(v, all);
    }

    /** "1,3,4" → [1, 3, 4], each among {@code all}; anything else fails naming {@code all}. */
    static List<Integer> parseRows(String list, List<Integer> all) {
        List<Integer> rows = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                try {
                    rows.add(Integer.parseInt(s.strip()));
                } catch (NumberFormatException e) {
                    rows.add(-1);
                }
            }
        }
        if (rows.isEmpty() || !all.containsAll(rows)) {
            throw new IllegalArgumentException("rows must be among " + all + ", got '" + list + "'");
        }
        return rows;
    }

    /** How the run was started, for the report: "./pqdtls bench handshakes --full" without machine-specific paths. */
    String invocation(String command) {
        List<String> words = new ArrayList<>(List.of("./pqdtls", "bench", command));
        words.addAll(shown);
        return String.join(" ", words);
    }
}
