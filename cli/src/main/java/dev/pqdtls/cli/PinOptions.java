package dev.pqdtls.cli;

import dev.pqdtls.DtlsConfig;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --pin} and {@code --pin-only}, shared by {@code client} (the server's key) and {@code server}
 * (client keys, with {@code --client-auth}). Pins are checked by {@link DtlsConfig.Builder#build()},
 * whose message names the bad entry.
 */
final class PinOptions {
    @Option(names = "--pin", paramLabel = "PIN", split = ",",
            description = {"Accept the peer only if its public key has one of these SHA-256 pins (sha256/BASE64 or "
                    + "64 hex digits; repeat or separate with commas). 'pqdtls pin FILE' prints a certificate's pin.",
                "Checked in addition to the certificate chain, unless --pin-only."})
    List<String> pins;

    @Option(names = "--pin-only",
            description = "Check only the peer's key against --pin, not its certificate chain, dates or names: for "
                    + "self-signed peers, and needed to accept a raw public key (RFC 7250).")
    boolean pinOnly;

    /** Contradictions with the command's {@code --ca} (given or not). */
    void check(CommandLine cl, boolean caGiven) {
        if (pinOnly && !any()) {
            throw new ParameterException(cl, "--pin-only needs at least one --pin PIN (the keys to accept)");
        }
        if (pinOnly && caGiven) {
            throw new ParameterException(cl, "--pin-only and --ca contradict each other: with --pin-only no chain is "
                    + "checked; drop --pin-only to require both");
        }
    }

    boolean pinOnly() {
        return pinOnly;
    }

    boolean any() {
        return pins != null && !pins.isEmpty();
    }

    void applyTo(DtlsConfig.Builder b) {
        if (any()) {
            b.pinnedPublicKeys(pins, pinOnly ? DtlsConfig.PinMode.INSTEAD_OF_CHAIN : DtlsConfig.PinMode.WITH_CHAIN);
        }
    }
}
