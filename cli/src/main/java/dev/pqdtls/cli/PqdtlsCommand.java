package dev.pqdtls.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code pqdtls} command. Each subcommand is its own class listed here.
 */
@Command(name = "pqdtls",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "DTLS 1.3 with hybrid post-quantum key exchange (X25519MLKEM768 by default). "
                + "Start with 'pqdtls demo'. Errors print one line 'pqdtls: REASON'; exit 0 on success, "
                + "1 when a command fails, 2 for a wrong command line.",
        subcommands = {DemoCommand.class, ServerCommand.class, ClientCommand.class, PinCommand.class, ProbeCommand.class, BenchCommand.class})
final class PqdtlsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a command is needed, one of "
                + Main.commands(spec.commandLine()) + "; start with 'pqdtls demo'");
    }
}
