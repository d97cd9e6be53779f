package dev.pqdtls.cli;

import dev.pqdtls.NamedGroup;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How the {@code bench} commands reach the bench module: it is Java 22 code and this module Java 17 (so that
 * {@code probe} and the fallback run on 17), so each runner is on the run-time class path only and is called
 * through one reflective entry point, {@code run(String[], PrintWriter, PrintWriter)}, after a Java version
 * check. Options are type-checked by picocli and passed on verbatim; the ranges are checked there.
 */
final class BenchRunner {
    static final int MIN_JAVA = 22;

    private BenchRunner() {
    }

    /** Calls {@code entry.run(args, out, err)}; its exit code, or 1 with one line on stderr when it cannot run here. */
    static int run(CommandSpec spec, String entry, List<String> args) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int java = Runtime.version().feature();
        if (java < MIN_JAVA) {
            err.println("pqdtls: " + spec.qualifiedName(" ").replaceFirst("^pqdtls ", "") + " needs Java " + MIN_JAVA
                    + "+ (its runner and the native data plane are Java " + MIN_JAVA + " code); this is Java " + java
                    + ": set JAVA_HOME or PQDTLS_JAVA_HOME to a JDK 22+ (e.g. 25)");
            err.flush();
            return Main.EXIT_FAILURE;
        }
        Method run;
        try {
            run = Class.forName(entry).getMethod("run", String[].class, PrintWriter.class, PrintWriter.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            err.println("pqdtls: bench is not part of this build (" + entry + ".run missing: " + e.getMessage() + ")");
            err.flush();
            return Main.EXIT_FAILURE;
        }
        try {
            return (Integer) run.invoke(null, args.toArray(String[]::new), out, err);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex; // one line via Main's handler
            }
            if (cause instanceof Error er) {
                throw er;
            }
            throw e;
        }
    }

    /**
     * Adds {@code name value} to {@code args} when {@code value} is set: numbers as {@link #number}, groups by
     * their display name, lists comma-separated, {@code true} as the bare flag.
     */
    static void add(List<String> args, String name, Object value) {
        if (value == null || Boolean.FALSE.equals(value)) {
            return;
        }
        if (Boolean.TRUE.equals(value)) {
            args.add(name);
            return;
        }
        args.add(name);
        args.add(text(value));
    }

    private static String text(Object value) {
        if (value instanceof Double d) {
            return number(d);
        }
        if (value instanceof NamedGroup g) {
            return g.displayName();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(BenchRunner::text).collect(Collectors.joining(","));
        }
        return value.toString();
    }

    /** 2.0 → "2", 0.5 → "0.5": the reports quote the command line. */
    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
