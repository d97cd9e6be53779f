package dev.pqdtls.bench.robustness;

import dev.pqdtls.ServerMetrics;
import dev.pqdtls.bench.Machine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Markdown report of a robustness run ({@code robustness.md}): one section per part with its figures,
 * then the targets, each computed from this run and marked met or missed. Nothing is asserted here: the
 * tests of the test command assert behaviour; this records the figures, on a machine that may be shared.
 */
public final class RobustnessReport {
    /** How far memory may end above where it started and still count as back (JIT, pools, caches). */
    static final long MEMORY_TOLERANCE_BYTES = 5_000_000;

    /** A target and how this run did. */
    public record Target(String name, String thisRun, String goal, boolean met) {
    }

    private final Robustness.Options options;
    private final Robustness.Results results;
    private final Instant when;
    private final String invocation;

    public RobustnessReport(Robustness.Options options, Robustness.Results results, Instant when, String invocation) {
        this.options = options;
        this.results = results;
        this.when = when.truncatedTo(ChronoUnit.SECONDS);
        this.invocation = invocation;
    }

    public Path write(Path markdown) throws IOException {
        Files.createDirectories(markdown.toAbsolutePath().getParent());
        Files.writeString(markdown, markdown(), StandardCharsets.UTF_8);
        return markdown;
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# Robustness under loss and attack\n\n");
        sb.append(when).append("; ").append(Machine.describe()).append("; ").append(options.full() ? "full" : "short")
                .append(" run (`").append(invocation).append("`).\n\n");
        loss(sb);
        flood(sb);
        soak(sb);
        replay(sb);
        List<Target> targets = targets();
        sb.append("## Targets\n\nComputed from this run and recorded, never asserted here (the test command asserts the "
                + "behaviour).\n\n| target | this run | goal | |\n|---|---|---|---|\n");
        for (Target t : targets) {
            sb.append("| ").append(t.name()).append(" | ").append(t.thisRun()).append(" | ").append(t.goal()).append(" | ")
                    .append(t.met() ? "met" : "missed").append(" |\n");
        }
        if (!results.notRun().isEmpty() || !results.lossNotRun().isEmpty()) {
            sb.append("\nNot run:\n\n");
            results.lossNotRun().forEach(s -> sb.append("- loss, ").append(s).append('\n'));
            results.notRun().forEach(s -> sb.append("- ").append(s).append('\n'));
        }
        return sb.toString();
    }

    private void loss(StringBuilder sb) {
        if (results.loss().isEmpty()) {
            return;
        }
        LossyHandshakes.Options o = options.loss();
        sb.append("## Handshakes under loss\n\n").append(String.format(Locale.ROOT, "%d handshakes per direction through a "
                + "userspace relay with %s both ways (`ImpairmentRelay`, a fresh seed per handshake), %d at a time; "
                + "X25519MLKEM768, pqdtls on ffm with its defaults (initial retransmission timer 1 s), wolfSSL %s's example "
                + "programs. Completed = the client reports the handshake done within %d s and knows the server completed "
                + "too; time = the client's, from its start.\n\n", o.handshakes(), o.impairment(), o.lanes(),
                wolfSslVersion(), o.deadline().toSeconds()));
        sb.append("| direction | completed | median | p90 | median ÷ wolfSSL → wolfSSL |\n|---|---:|---:|---:|---:|\n");
        Optional<LossyHandshakes.Result> reference = reference();
        for (LossyHandshakes.Result r : results.loss()) {
            String ratio = reference.isPresent() && r != reference.get()
                    ? String.format(Locale.ROOT, "%.2f", r.medianSeconds() / reference.get().medianSeconds()) : "–";
            sb.append(String.format(Locale.ROOT, "| %s | %d / %d (%.0f %%) | %.2f s | %.2f s | %s |\n", r.direction().label(),
                    r.completed(), r.attempts().size(), 100.0 * r.completed() / r.attempts().size(), r.medianSeconds(),
                    r.p90Seconds(), ratio));
        }
        List<String> failures = new ArrayList<>();
        for (LossyHandshakes.Result r : results.loss()) {
            r.failures().forEach(f -> failures.add(r.direction().label() + " #" + f.index() + ": " + f.failure()));
        }
        if (!failures.isEmpty()) {
            sb.append("\nFailed handshakes:\n\n");
            failures.forEach(f -> sb.append("- ").append(f).append('\n'));
        }
        sb.append('\n');
    }

    private Optional<LossyHandshakes.Result> reference() {
        return results.loss().stream().filter(r -> r.direction() == LossyHandshakes.Direction.WOLFSSL_TO_WOLFSSL).findFirst();
    }

    /** The version in the wolfSSL build tree's {@code wolfssl/version.h}, or "5.9". */
    private String wolfSslVersion() {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("LIBWOLFSSL_VERSION_STRING \"([^\"]+)\"")
                    .matcher(Files.readString(options.wolfsslBuild().resolve("wolfssl/version.h")));
            return m.find() ? m.group(1) : "5.9";
        } catch (IOException e) {
            return "5.9";
        }
    }

    private void flood(StringBuilder sb) {
        HelloFlood.Result f = results.flood();
        if (f == null) {
            return;
        }
        HelloFlood.Options o = f.options();
        sb.append("## Spoofed ClientHello flood\n\n").append(String.format(Locale.ROOT, "A pqdtls server (ffm, default "
                + "configuration: a cookie for every first ClientHello) gets %d s of the smallest ClientHellos it answers with a "
                + "HelloRetryRequest, from %d sockets bound to 127.77.x.y (`SpoofedClientHellos`), target %,d/s, while %d "
                + "legitimate clients each connect and exchange a datagram. Bytes are counted at the spoofed sockets.\n\n",
                o.duration().toSeconds(), o.addresses(), o.hellosPerSecond(), o.legitimateClients()));
        sb.append("| flood | sent | answered | bytes sent | bytes received | received ÷ sent | max for one address |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        sb.append(String.format(Locale.ROOT, "| %.1f s at %,.0f/s | %,d | %,d | %,d | %,d | %.2f | %.2f |\n\n", f.seconds(),
                f.achievedRate(), f.flood().sent(), f.flood().received(), f.flood().bytesSent(), f.flood().bytesReceived(),
                f.flood().amplification(), f.flood().maxAddressRatio()));
        sb.append(String.format(Locale.ROOT, "Legitimate clients: %d of %d completed and got their echo%s. The server created "
                        + "%d connections during the flood (at most %d at once) and sent %,d cookies. Memory after a full "
                        + "collection, the baseline after a warm-up (a client and 2 s of flood).\n\n", f.legitimateCompleted(),
                o.legitimateClients(), f.legitimateFailures().isEmpty() ? "" : " (failures: " + f.legitimateFailures() + ")",
                f.handshakesStarted(), f.peakConnections(), f.cookiesIssued()));
        sb.append("| memory | handshaking | established | heap | malloc | RSS | native contexts |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        row(sb, "before the flood", -1, -1, f.before());
        row(sb, "at its end, legitimate clients connected", -1, -1, f.during());
        row(sb, "after", -1, -1, f.after());
        sb.append('\n');
    }

    private void soak(StringBuilder sb) {
        ChurnSoak.Result s = results.soak();
        if (s == null) {
            return;
        }
        ChurnSoak.Options o = s.options();
        sb.append("## Half-open and churn soak\n\n").append(String.format(Locale.ROOT, "%d s of three clients at once against "
                + "a pqdtls server (ffm, handshake timeout %d s): handshakes completed, echoed and closed (%,d); handshakes "
                + "abandoned after returning the cookie, so the server did its key exchange and signature (%,d); second "
                + "ClientHellos with one bit flipped (%,d). Memory after a full collection; \"malloc\" is glibc's bytes in "
                + "use; native contexts are the backend's live count.\n\n", o.duration().toSeconds(),
                o.handshakeTimeout().toSeconds(), s.completed(), s.abandoned(), s.mutated()));
        sb.append("| when | handshaking | established | heap | malloc | RSS | native contexts |\n|---|---:|---:|---:|---:|---:|---:|\n");
        row(sb, "before", -1, -1, s.before());
        for (ChurnSoak.Sample x : s.samples()) {
            row(sb, String.format(Locale.ROOT, "%.0f s", x.seconds()), x.handshaking(), x.established(), x.memory());
        }
        row(sb, "a handshake timeout later", s.metrics().handshaking(), s.metrics().established(), s.after());
        ServerMetrics m = s.metrics();
        sb.append(String.format(Locale.ROOT, "\nServer: %,d handshakes started, %,d completed, %,d failed %s; %,d admissions "
                        + "refused by the caps; %,d cookies rejected.%s\n\n", m.handshakesStarted(), m.handshakesCompleted(),
                m.handshakesFailedTotal(), m.handshakesFailed(), m.admissionRejectionsTotal(), m.cookiesRejected(),
                s.failures().isEmpty() ? "" : " Completing clients that failed (first few): " + s.failures() + "."));
    }

    private static void row(StringBuilder sb, String when, int handshaking, int established, MemorySample m) {
        sb.append("| ").append(when).append(" | ").append(handshaking < 0 ? "–" : Integer.toString(handshaking)).append(" | ")
                .append(established < 0 ? "–" : Integer.toString(established)).append(" | ").append(MemorySample.mb(m.heapAfterGc()))
                .append(" | ").append(MemorySample.mb(m.mallocInUse())).append(" | ").append(MemorySample.mb(m.resident()))
                .append(" | ").append(m.nativeContextsTotal()).append(" |\n");
    }

    private void replay(StringBuilder sb) {
        if (results.replay().isEmpty()) {
            return;
        }
        sb.append("## Replay and forgery through the socket path\n\nA client sends numbered datagrams through a relay that "
                + "holds them back; for each, the server gets a copy with one tag bit flipped, the genuine datagram, and the "
                + "genuine one again; then every protected datagram of the handshake again. Counters are the server's "
                + "metrics (dropped: replay, authentication failure).\n\n"
                + "| server backend | sent | delivered | delivered twice | replayed | forged | counted replays | counted "
                + "authentication failures |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ReplayCheck.Result r : results.replay()) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d |\n", r.backend(), r.datagrams(),
                    r.delivered(), r.duplicates(), r.replayed(), r.forged(), r.replayCounter(), r.authenticationFailures()));
        }
        sb.append('\n');
    }

    /** Every target this run can judge. */
    public List<Target> targets() {
        List<Target> out = new ArrayList<>();
        for (LossyHandshakes.Result r : results.loss()) {
            if (r.direction() == LossyHandshakes.Direction.WOLFSSL_TO_WOLFSSL) {
                continue; // the reference
            }
            double rate = (double) r.completed() / r.attempts().size();
            out.add(new Target("handshakes under loss, " + r.direction().label(),
                    r.completed() + " / " + r.attempts().size(), "≥ 99 %", rate >= 0.99));
        }
        HelloFlood.Result f = results.flood();
        if (f != null) {
            out.add(new Target("flood: legitimate clients completed", f.legitimateCompleted() + " / " + f.options().legitimateClients(),
                    "≥ 90 %", f.legitimateRate() >= 0.9));
            out.add(new Target("flood: bytes to spoofed addresses ÷ bytes from them", String.format(Locale.ROOT,
                    "%.2f (max %.2f per address)", f.flood().amplification(), f.flood().maxAddressRatio()), "≤ 3",
                    f.flood().maxAddressRatio() <= 3));
            out.add(new Target("flood: connections created", f.handshakesStarted() + " for " + f.options().legitimateClients()
                    + " legitimate clients", "none for spoofed addresses", f.handshakesStarted() <= f.options().legitimateClients()));
            out.add(memoryTarget("flood: memory once it is over", f.before(), f.after()));
        }
        ChurnSoak.Result s = results.soak();
        if (s != null) {
            out.add(memoryTarget("soak: memory a handshake timeout after the load", s.before(), s.after()));
        }
        for (ReplayCheck.Result r : results.replay()) {
            out.add(new Target("replay (" + r.backend() + "): nothing delivered twice, no forgery, both counted",
                    r.delivered() + " / " + r.datagrams() + " delivered, " + r.duplicates() + " twice; " + r.replayCounter()
                            + " replays, " + r.authenticationFailures() + " forgeries counted", "exactly once; counted",
                    r.passed()));
        }
        return out;
    }

    static Target memoryTarget(String name, MemorySample before, MemorySample after) {
        boolean heap = after.heapAfterGc() <= before.heapAfterGc() + MEMORY_TOLERANCE_BYTES;
        // Outside the JVM's own where NMT says what that is: the JIT's arenas grow as it compiles.
        boolean malloc = after.outsideJvm() <= before.outsideJvm() + MEMORY_TOLERANCE_BYTES;
        boolean contexts = after.nativeContextsTotal() <= before.nativeContextsTotal();
        boolean nmt = before.jvmMalloc() >= 0 && after.jvmMalloc() >= 0;
        return new Target(name, String.format(Locale.ROOT, "heap %s → %s, malloc%s %s → %s, native contexts %d → %d",
                MemorySample.mb(before.heapAfterGc()), MemorySample.mb(after.heapAfterGc()),
                nmt ? " outside the JVM's own (NMT)" : "", MemorySample.mb(before.outsideJvm()),
                MemorySample.mb(after.outsideJvm()), before.nativeContextsTotal(), after.nativeContextsTotal()),
                "back to the start (± 5 MB; contexts exactly)", heap && malloc && contexts);
    }
}
