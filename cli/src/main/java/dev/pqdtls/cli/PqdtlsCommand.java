package dev.pqdtls.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code pqdtls} command (DESIGN.md §7). Each subcommand is its own class listed here; {@code demo},
 * {@code server}, {@code client} and {@code bench} join {@link ProbeCommand} once the protocol
 * engine exists.
 */
@Command(name = "pqdtls",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "DTLS 1.3 with hybrid post-quantum key exchange.",
        subcommands = {ProbeCommand.class})
final class PqdtlsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand");
    }
}
