package dev.pqdtls.cli;

import dev.pqdtls.hw.Probe;
import dev.pqdtls.hw.ProbeJson;
import dev.pqdtls.hw.ProbeReport;
import dev.pqdtls.hw.ProbeText;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pqdtls probe}: what this machine and JVM offer and which crypto backend would run. */
@Command(name = "probe",
        mixinStandardHelpOptions = true,
        description = {
            "Reports what this machine offers and which crypto backend would run, and why.",
            "",
            "CPU crypto features, the JVM, every crypto backend (usable or why not, which implementation "
                    + "serves each primitive), which backend would be selected and why, and an indicative AEAD "
                    + "seal rate per backend and suite (a few seconds; --no-speed skips it)."
        })
final class ProbeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print the report as JSON.")
    private boolean json;

    @Option(names = "--no-speed", description = "Skip the AEAD speed measurement.")
    private boolean noSpeed;

    @Override
    public Integer call() {
        ProbeReport report = new Probe(noSpeed ? Probe.Options.withoutSpeed() : Probe.Options.defaults()).run();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(ProbeJson.render(report));
        } else {
            out.print(ProbeText.render(report));
        }
        out.flush();
        return 0;
    }
}
