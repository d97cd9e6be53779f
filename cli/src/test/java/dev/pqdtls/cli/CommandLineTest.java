package dev.pqdtls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.internal.backend.BackendSelector;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Wrong command lines: one line naming what the user typed, exit 2, and no work done first. Help texts. */
class CommandLineTest {

    @Test
    void unknownCommandSaysSoAndListsTheCommands() {
        CliRun r = CliRun.run("frobnicate");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertEquals("pqdtls: unknown command 'frobnicate'; commands: demo, server, client, pin, probe, bench\n",
                r.err().replace("\r", ""));

        CliRun none = CliRun.run();
        assertEquals(Main.EXIT_USAGE, none.exit());
        assertTrue(none.err().contains("demo, server, client, pin, probe, bench"), none.err());

        CliRun option = CliRun.run("server", "--port", "0", "--colour");
        assertEquals(Main.EXIT_USAGE, option.exit());
        assertTrue(option.err().contains("'--colour'") && option.err().contains("see 'pqdtls server --help'"), option.err());
    }

    @Test
    @Timeout(30)
    void optionsAreCheckedBeforeAnyWork() {
        // Each would otherwise fail only after the ephemeral key was made (and its line printed).
        for (List<String> args : List.of(List.of("--port", "70000"), List.of("--port", "-1"),
                List.of("--port", "0", "--cid", "21"), List.of("--port", "0", "--mtu", "100"),
                List.of("--port", "0", "--bind", "no-such-host.invalid"),
                List.of("--port", "0", "--groups", "X25519,X25519"), List.of("--port", "0", "--backend", "quantum"))) {
            CliRun r = CliRun.run(Stream.concat(Stream.of("server"), args.stream()).toArray(String[]::new));
            assertEquals(Main.EXIT_USAGE, r.exit(), args + ": " + r.out() + r.err());
            assertEquals("", r.out(), args + ": no work before the options are checked");
            assertEquals(1, r.err().lines().count(), r.err());
        }
        CliRun port = CliRun.run("server", "--port", "70000");
        assertTrue(port.err().startsWith("pqdtls: --port must be 0..65535"), port.err());
        // A file that cannot be read fails (exit 1) before the ephemeral key is made too.
        CliRun ca = CliRun.run("server", "--port", "0", "--client-auth", "required", "--ca", "/nonexistent/ca.pem");
        assertEquals(Main.EXIT_FAILURE, ca.exit(), ca.out() + ca.err());
        assertEquals("", ca.out());
        assertTrue(ca.err().contains("/nonexistent/ca.pem"), ca.err());
    }

    @Test
    void errorsNameTheCommandLineOptionNotTheApiOne() {
        CliRun cid = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--cid", "21");
        assertEquals(Main.EXIT_USAGE, cid.exit(), cid.err());
        assertTrue(cid.err().startsWith("pqdtls: --cid must be in [0, 20], was 21"), cid.err());

        CliRun mtu = CliRun.run("demo", "--mtu", "10");
        assertEquals(Main.EXIT_USAGE, mtu.exit(), mtu.err());
        assertTrue(mtu.err().startsWith("pqdtls: --mtu must be in [256, 65507], was 10"), mtu.err());

        CliRun twice = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--suites",
                "TLS_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256");
        assertTrue(twice.err().startsWith("pqdtls: --suites: "), twice.err());

        assertEquals("invalid option value: cookieThreshold must be in [0, 1000000], was -1",
                ProtocolOptions.cliMessage("cookieThreshold must be in [0, 1000000], was -1"));
    }

    @Test
    void groupsIsSpelledTheSameEverywhere() {
        for (String command : List.of("demo", "server", "client", "bench")) {
            CommandLine sub = Main.commandLine().getSubcommands().get(command);
            assertTrue(sub.getCommandSpec().findOption("--groups") != null, command + " takes --groups");
            assertTrue(sub.getCommandSpec().findOption("--suites") != null, command + " takes --suites");
        }
        CliRun two = CliRun.run("bench", "--groups", "X25519,secp256r1");
        assertEquals(Main.EXIT_USAGE, two.exit(), two.out() + two.err());
        assertTrue(two.err().startsWith("pqdtls: --groups: bench measures one group per run"), two.err());
    }

    @Test
    void ffmOnAnOldJavaSaysWhichJavaItNeedsAndWhichRuns() {
        // What a Java 17 runtime finds: the fallback, and the ffm backend whose classes it cannot load.
        List<BackendSelector.Candidate> onJava17 = List.of(
                new BackendSelector.Candidate("fallback", 10, null, Optional.empty()),
                new BackendSelector.Candidate("ffm", Integer.MIN_VALUE, null, Optional.of("needs Java 22+ (running Java 17)")));
        CommandLine cl = Main.commandLine();
        IllegalStateException ffm = assertThrows(IllegalStateException.class,
                () -> Backends.requireUsable(cl, "ffm", "--backend", onJava17, 17));
        assertTrue(ffm.getMessage().startsWith("the ffm backend (--backend ffm) needs Java 22+; this is Java "
                + Runtime.version() + " (" + System.getProperty("java.home") + "): set JAVA_HOME or PQDTLS_JAVA_HOME"),
                ffm.getMessage());
        assertTrue(ffm.getMessage().endsWith("or use the fallback backend"), ffm.getMessage());

        ParameterException unknown = assertThrows(ParameterException.class,
                () -> Backends.requireUsable(cl, "quantum", "--backend", onJava17, 17));
        assertEquals("unknown backend 'quantum' (--backend); expected one of fallback, ffm", unknown.getMessage());
        Backends.requireUsable(cl, "FALLBACK", "--backend", onJava17, 17);

        // On this JVM (Java 25 in CI) both are usable and named the same way.
        CliRun r = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--backend", "quantum");
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        String expected = r.err().substring(r.err().indexOf("expected one of ") + "expected one of ".length());
        for (String backend : List.of("ffm", "jna", "fallback")) {
            assertTrue(expected.contains(backend), "lists " + backend + ": " + r.err());
        }
    }

    @Test
    void topLevelHelpDescribesEveryCommandInWholeSentences() {
        CliRun help = CliRun.run("--help");
        assertEquals(0, help.exit());
        // picocli may wrap inside a word (e.g. "::1"), so compare without any white space.
        String flat = help.out().replaceAll("\\s+", "");
        for (CommandLine sub : Main.commandLine().getSubcommands().values()) {
            // The top-level list shows the first line of each description; it must read whole.
            String first = sub.getCommandSpec().usageMessage().description()[0];
            assertTrue(first.endsWith("."), sub.getCommandName() + ": '" + first + "'");
            assertEquals(first.chars().filter(c -> c == '(').count(), first.chars().filter(c -> c == ')').count(), first);
            assertTrue(flat.contains(first.replaceAll("\\s+", "")), first + " in " + help.out());
        }
    }

    @Test
    @Timeout(30)
    void unknownNamesAreUsageErrorsListingTheValidOnes() {
        CliRun g = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--groups", "X25519,Kyber512");
        assertEquals(Main.EXIT_USAGE, g.exit(), g.err());
        assertEquals(1, g.err().lines().count(), g.err());
        for (NamedGroup n : NamedGroup.values()) {
            assertTrue(g.err().contains(n.displayName()), g.err());
        }
        CliRun demo = CliRun.run("demo", "--group", "nope");
        assertEquals(Main.EXIT_USAGE, demo.exit(), demo.err());
        assertTrue(demo.err().contains("X25519MLKEM768"), demo.err());

        CliRun s = CliRun.run("server", "--port", "0", "--suites", "TLS_AES_256_CCM_SHA384");
        assertEquals(Main.EXIT_USAGE, s.exit(), s.err());
        assertTrue(s.err().contains("TLS_CHACHA20_POLY1305_SHA256"), s.err());

        CliRun cookie = CliRun.run("server", "--port", "0", "--cookie", "sometimes");
        assertEquals(Main.EXIT_USAGE, cookie.exit(), cookie.err());
        assertTrue(cookie.err().contains("under-load"), cookie.err());

        CliRun target = CliRun.run("client", "localhost");
        assertEquals(Main.EXIT_USAGE, target.exit(), target.err());

        CliRun backend = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--backend", "quantum");
        assertEquals(Main.EXIT_USAGE, backend.exit(), backend.err());
        assertTrue(backend.err().contains("fallback"), backend.err());

        CliRun mtu = CliRun.run("client", "127.0.0.1:4433", "--insecure", "--mtu", "10");
        assertEquals(Main.EXIT_USAGE, mtu.exit(), mtu.err());
        assertTrue(mtu.err().contains("--mtu"), mtu.err());
    }

    @Test
    void helpTextsListTheValidNames() {
        assertEquals(ProtocolOptions.GROUP_NAMES.length(), ProtocolOptions.GROUPS_HELP.length());
        for (String n : ProtocolOptions.GROUP_NAMES.split(", ")) {
            assertTrue(ProtocolOptions.GROUPS_HELP.contains(n), n);
        }
        for (String n : ProtocolOptions.SUITE_NAMES.split(", ")) {
            assertTrue(ProtocolOptions.SUITES_HELP.contains(n), n);
        }
        CliRun help = CliRun.run("--help");
        for (String cmd : List.of("demo", "server", "client", "probe")) {
            assertTrue(help.out().contains(cmd), help.out());
        }
        CliRun clientHelp = CliRun.run("client", "--help");
        assertEquals(0, clientHelp.exit());
        assertTrue(clientHelp.out().contains("SecP256r1MLKEM768"), clientHelp.out());
    }

    @Test
    void hostPortParsing() {
        assertEquals(new HostPort("::1", 4433), HostPort.parse("[::1]:4433"));
        assertEquals(new HostPort("localhost", 1), HostPort.parse("localhost:1"));
        for (String bad : List.of("localhost", "::1:4433", "host:0", "host:65536", ":4433", "[::1]4433", "h:x")) {
            try {
                HostPort.parse(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                // good
            }
        }
    }
}
