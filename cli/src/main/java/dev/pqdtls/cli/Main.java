package dev.pqdtls.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Entry point of {@code pqdtls.jar}: exit 0 on success, non-zero with a one-line reason otherwise. */
public final class Main {
    /** A command failed while running. */
    static final int EXIT_FAILURE = 1;
    /** The command line was wrong. */
    static final int EXIT_USAGE = 2;
    private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

    private Main() {
    }

    public static void main(String[] args) {
        // The library logs through SLF4J, here on java.util.logging (slf4j-jdk14): its warnings (e.g. the
        // insecure-trust one) and audit lines as one line each,
        // unless the user configured logging.
        if (System.getProperty(LOG_FORMAT) == null && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty(LOG_FORMAT, "pqdtls: %4$s: %5$s%6$s%n");
        }
        int exit;
        try {
            exit = commandLine().execute(args);
        } catch (LinkageError e) {
            // picocli hands Errors on; a class that cannot load (wrong Java, missing jar) still
            // deserves the one-line reason.
            System.err.println("pqdtls: " + oneLine(e));
            exit = EXIT_FAILURE;
        }
        System.exit(exit);
    }

    /**
     * The {@code pqdtls} command with its error handling: any failure prints one line,
     * {@code pqdtls: <reason>}, on standard error. Tests call this and {@code execute} in-process.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PqdtlsCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("pqdtls: " + oneLine(e));
            commandLine.getErr().flush();
            return EXIT_FAILURE;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("pqdtls: " + usageError(e));
            err.flush();
            return EXIT_USAGE;
        });
        return cl;
    }

    /**
     * The one line for a wrong command line. A word picocli cannot place at the top level is an
     * unknown command, so say that and list the commands instead of "Unmatched argument at index 0".
     */
    static String usageError(ParameterException e) {
        CommandLine at = e.getCommandLine();
        String see = " (see 'pqdtls " + (at.getParent() == null ? "" : at.getCommandName() + " ") + "--help')";
        if (at.getParent() == null && e instanceof UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            return "unknown command '" + u.getUnmatched().get(0) + "'; commands: " + commands(at);
        }
        return oneLine(e) + see;
    }

    /** {@code demo, server, client, probe, bench}. */
    static String commands(CommandLine top) {
        return String.join(", ", top.getSubcommands().keySet());
    }

    private static String oneLine(Throwable e) {
        String message = e instanceof Error ? e.toString() : e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
