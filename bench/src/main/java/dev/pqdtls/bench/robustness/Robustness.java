package dev.pqdtls.bench.robustness;

import dev.pqdtls.interop.WolfSslPeer;
import dev.pqdtls.testing.ImpairmentRelay;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code pqdtls bench robustness} runs, part by part: handshakes through an impaired path in every
 * direction against wolfSSL and pqdtls ({@link LossyHandshakes}), a spoofed ClientHello flood
 * ({@link HelloFlood}), a half-open and churn soak ({@link ChurnSoak}) and replay and forgery through the
 * socket path ({@link ReplayCheck}). A part that cannot run (wolfSSL not built, a failure) is reported
 * as not run, with the reason, and the others still run.
 */
public final class Robustness {
    /** The parts, in the order they run. */
    public enum Part { LOSS, FLOOD, SOAK, REPLAY }

    /** The impairment of the loss part, both ways: 30 % loss, 10 % duplication, 20 % reordering. */
    public static final ImpairmentRelay.Impairment IMPAIRMENT = ImpairmentRelay.Impairment.of(0.3, 0.1, 0.2);
    /** A handshake not completed by then has failed. */
    public static final Duration DEADLINE = Duration.ofSeconds(60);

    /**
     * @param full the long run (the short one is the default)
     * @param parts what to run
     * @param handshakes handshakes per direction in the loss part
     * @param soak how long the soak's load runs
     * @param wolfsslBuild wolfSSL's build tree (examples/, certs/)
     * @param out where the report goes
     */
    public record Options(boolean full, Set<Part> parts, int handshakes, Duration soak, Path wolfsslBuild, Path out) {
        public Options {
            parts = parts.isEmpty() ? EnumSet.noneOf(Part.class) : EnumSet.copyOf(parts);
            if (handshakes < 1 || handshakes > 10_000) {
                throw new IllegalArgumentException("--handshakes must be in [1, 10000], was " + handshakes);
            }
            if (soak.isNegative() || soak.isZero() || soak.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException("--soak-seconds must be in (0, 86400], was " + soak.toSeconds());
            }
        }

        /** Short: 20 handshakes per direction, a 10 s flood, a 60 s soak; full: 100, 60 s, 10 minutes. */
        public static Options defaults(boolean full, Path wolfsslBuild, Path out) {
            return new Options(full, EnumSet.allOf(Part.class), full ? 100 : 20, Duration.ofSeconds(full ? 600 : 60),
                    wolfsslBuild, out);
        }

        LossyHandshakes.Options loss() {
            return new LossyHandshakes.Options(handshakes, 8, IMPAIRMENT, DEADLINE, 1, "ffm", null);
        }

        HelloFlood.Options flood() {
            return new HelloFlood.Options(Duration.ofSeconds(full ? 60 : 10), full ? 1000 : 500, 8000, full ? 100 : 20, "ffm");
        }

        ChurnSoak.Options churn() {
            // Short: a 10 s handshake timeout, so the run waits 10 s, not the default 30 s, for it to pass.
            return new ChurnSoak.Options(soak, Duration.ofSeconds(full ? 30 : 10), Duration.ofSeconds(full ? 60 : 10), "ffm");
        }

        int replayDatagrams() {
            return full ? 1000 : 100;
        }
    }

    /** Everything one run found; a part's list or value is empty (null) when it did not run. */
    public record Results(List<LossyHandshakes.Result> loss, List<String> lossNotRun, HelloFlood.Result flood,
            ChurnSoak.Result soak, List<ReplayCheck.Result> replay, List<String> notRun) {
    }

    private final Options options;

    public Robustness(Options options) {
        this.options = options;
    }

    /** Runs the parts asked for, with progress lines on {@code err}. */
    public Results run(PrintWriter err) {
        System.setProperty(WolfSslPeer.DIR_PROPERTY, options.wolfsslBuild().toString());
        List<LossyHandshakes.Result> loss = new ArrayList<>();
        List<String> lossNotRun = new ArrayList<>();
        List<String> notRun = new ArrayList<>();
        HelloFlood.Result flood = null;
        ChurnSoak.Result soak = null;
        List<ReplayCheck.Result> replay = new ArrayList<>();
        if (options.parts().contains(Part.LOSS)) {
            runLoss(err, loss, lossNotRun);
        }
        if (options.parts().contains(Part.FLOOD)) {
            HelloFlood.Options o = options.flood();
            line(err, String.format(Locale.ROOT, "[flood] %d s, %,d ClientHellos/s from %d spoofed addresses, %d legitimate "
                    + "clients …", o.duration().toSeconds(), o.hellosPerSecond(), o.addresses(), o.legitimateClients()));
            try {
                flood = new HelloFlood(o).run();
                line(err, String.format(Locale.ROOT, "[flood] %,.0f/s sent; legitimate %d/%d; amplification %.2f (max %.2f per "
                                + "address); %s", flood.achievedRate(), flood.legitimateCompleted(), o.legitimateClients(),
                        flood.flood().amplification(), flood.flood().maxAddressRatio(), flood.after().summary()));
            } catch (Exception | Error e) {
                notRun.add("flood: " + e);
                line(err, "[flood] not run: " + e);
            }
        }
        if (options.parts().contains(Part.SOAK)) {
            ChurnSoak.Options o = options.churn();
            line(err, String.format(Locale.ROOT, "[soak] %d s of churn, handshake timeout %d s …", o.duration().toSeconds(),
                    o.handshakeTimeout().toSeconds()));
            try {
                soak = new ChurnSoak(o).run(s -> line(err, "[soak] " + s));
            } catch (Exception | Error e) {
                notRun.add("soak: " + e);
                line(err, "[soak] not run: " + e);
            }
        }
        if (options.parts().contains(Part.REPLAY)) {
            for (String backend : List.of("ffm", "fallback")) {
                try {
                    ReplayCheck.Result r = ReplayCheck.run(backend, options.replayDatagrams());
                    replay.add(r);
                    line(err, String.format(Locale.ROOT, "[replay] %s: %d/%d delivered, %d duplicates; %d replayed, %d forged; "
                                    + "counted %d replays, %d authentication failures", backend, r.delivered(), r.datagrams(),
                            r.duplicates(), r.replayed(), r.forged(), r.replayCounter(), r.authenticationFailures()));
                } catch (Exception | Error e) {
                    notRun.add("replay on " + backend + ": " + e);
                    line(err, "[replay] " + backend + " not run: " + e);
                }
            }
        }
        return new Results(loss, lossNotRun, flood, soak, replay, notRun);
    }

    private void runLoss(PrintWriter err, List<LossyHandshakes.Result> results, List<String> notRun) {
        LossyHandshakes runner = new LossyHandshakes(options.loss());
        LossyHandshakes.Direction[] directions = LossyHandshakes.Direction.values();
        for (int i = 0; i < directions.length; i++) {
            LossyHandshakes.Direction d = directions[i];
            String head = String.format(Locale.ROOT, "[loss %d/%d] %s, %d handshakes, %s", i + 1, directions.length, d.label(),
                    options.handshakes(), IMPAIRMENT);
            if (d.needsWolfSsl() && WolfSslPeer.unavailableReason().isPresent()) {
                notRun.add(d.label() + ": " + WolfSslPeer.unavailableReason().get());
                line(err, head + ": not run: " + WolfSslPeer.unavailableReason().get());
                continue;
            }
            line(err, head + " …");
            try {
                LossyHandshakes.Result r = runner.run(d, a -> { });
                results.add(r);
                line(err, String.format(Locale.ROOT, "[loss %d/%d] %s: %d/%d completed, median %.2f s", i + 1, directions.length,
                        d.label(), r.completed(), r.attempts().size(), r.medianSeconds()));
            } catch (Exception | Error e) {
                notRun.add(d.label() + ": " + e);
                line(err, head + ": not run: " + e);
            }
        }
    }

    private static void line(PrintWriter err, String s) {
        err.println(s);
        err.flush();
    }
}
