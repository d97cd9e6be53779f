package dev.pqdtls.cli;

import dev.pqdtls.internal.auth.Pem;
import dev.pqdtls.internal.auth.PublicKeyPins;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pqdtls pin FILE...}: the public-key pins of certificates and public keys, for {@code --pin}. */
@Command(name = "pin",
        mixinStandardHelpOptions = true,
        description = "Prints the SHA-256 public-key pin of each certificate and public key in PEM files, one "
                + "line each: 'sha256/BASE64 FILE: what'. Give it to the peer's --pin (or DtlsConfig "
                + "pinnedPublicKeys). Same value as: openssl x509 -in FILE -pubkey -noout | openssl pkey -pubin "
                + "-outform der | sha256sum (--hex prints that form).")
final class PinCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "PEM files with CERTIFICATE or PUBLIC KEY blocks (a DER certificate also works).")
    private List<Path> files;

    @Option(names = "--hex", description = "Print the pin as 64 hex digits (sha256sum's form) instead of sha256/BASE64.")
    private boolean hex;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (Path file : files) {
            List<Pem.PublicKeyInfo> keys;
            try {
                keys = Pem.publicKeys(file);
            } catch (NoSuchFileException e) {
                throw new IOException("cannot read " + file + ": no such file", e);
            }
            for (Pem.PublicKeyInfo k : keys) {
                String pin = hex ? PublicKeyPins.hex(k.spki()) : PublicKeyPins.pin(k.spki());
                out.println(pin + " " + file + ": " + k.source());
            }
        }
        out.flush();
        return 0;
    }
}
