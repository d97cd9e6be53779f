package dev.pqdtls.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** {@code pqdtls server ...} running in-process on a free port until {@link #close()}. */
final class RunningServer implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("^listening on (\\S+):(\\d+) .*");

    final LineCapture out = new LineCapture();
    final StringWriter err = new StringWriter();
    private final CommandLine cl = Main.commandLine();
    private final CompletableFuture<Integer> exit;
    /** The host as the 'listening on' line wrote it, e.g. 127.0.0.1 or [::1]. */
    final String host;
    final int port;

    /** Starts {@code server --port 0 ARGS} and waits for its 'listening on' line. */
    RunningServer(String... args) throws InterruptedException {
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = "server";
        all[1] = "--port";
        all[2] = "0";
        System.arraycopy(args, 0, all, 3, args.length);
        exit = CompletableFuture.supplyAsync(() -> cl.execute(all));
        String listening = out.await(l -> LISTENING.matcher(l).matches(), Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no 'listening on' line: " + out + err));
        Matcher m = LISTENING.matcher(listening);
        if (!m.matches()) {
            throw new AssertionError(listening);
        }
        host = m.group(1);
        port = Integer.parseInt(m.group(2));
    }

    /** {@code HOST:PORT} for a client. */
    String target() {
        return host + ":" + port;
    }

    /** Stops the server as Ctrl-C would and returns its exit code. */
    int stop() throws Exception {
        ((ServerCommand) cl.getSubcommands().get("server").getCommand()).stop();
        return exit.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (!exit.isDone()) {
            stop();
        }
    }
}
