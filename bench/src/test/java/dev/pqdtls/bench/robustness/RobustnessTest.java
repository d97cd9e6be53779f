package dev.pqdtls.bench.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.interop.WolfSslPeer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The robustness bench's parts in short form, asserting behaviour, not timing: handshakes through a
 * relay with 30 % loss each way complete; a spoofed ClientHello flood leaves legitimate clients
 * completing, creates no connection for the spoofed addresses, stays within the 3× amplification bound
 * and leaves memory where it was; after half-open and mutated handshakes memory and live native
 * contexts come back once the handshake timeout has passed; replayed records are not delivered twice,
 * forged ones not at all. {@code pqdtls bench robustness} runs them longer and reports the figures.
 */
@ExtendWith(WolfSslPeer.DumpOnFailure.class)
class RobustnessTest {
    /**
     * 12 handshakes through 30 % loss each way (plus duplication and reordering), at most two may miss
     * the 60 s deadline: a miss is a datagram lost round after round while the timer backs off (about
     * 1 in 100 per handshake, in both implementations), so more would mean retransmission is broken.
     */
    @ParameterizedTest
    @EnumSource(value = LossyHandshakes.Direction.class, names = {"PQDTLS_TO_PQDTLS", "PQDTLS_TO_WOLFSSL", "WOLFSSL_TO_PQDTLS"})
    @Timeout(400)
    void handshakesThroughThirtyPercentLossComplete(LossyHandshakes.Direction direction) throws Exception {
        if (direction.needsWolfSsl()) {
            WolfSslPeer.assumeAvailable();
        }
        LossyHandshakes.Options options = new LossyHandshakes.Options(12, 6, Robustness.IMPAIRMENT, Robustness.DEADLINE, 100,
                "ffm", Duration.ofSeconds(30));
        LossyHandshakes.Result r = new LossyHandshakes(options).run(direction, a -> { });
        System.out.printf("[robustness] %s: %d/%d completed, median %.2f s%n", direction.label(), r.completed(),
                r.attempts().size(), r.medianSeconds());
        r.failures().forEach(f -> System.out.println("[robustness] failed: " + f.failure() + "\n" + f.trace()));
        assertTrue(r.completed() >= 10, direction.label() + ": " + r.completed() + " of 12 completed; " + r.failures());
    }

    @Test
    @Timeout(180)
    void aSpoofedFloodLeavesLegitimateClientsAndMemoryAlone() throws Exception {
        HelloFlood.Options options = new HelloFlood.Options(Duration.ofSeconds(5), 200, 4000, 10, "ffm");
        // A whole unmeasured run first: on a fresh JVM the JIT compiles the legitimate clients' and the
        // server's handshake paths during the measured flood, and its malloc'ed working memory (5-6 MB
        // seen on a fresh CI machine) would be counted as the flood's. The bench's own report runs the
        // flood after the loss part, which warms the same paths.
        new HelloFlood(options).run();
        HelloFlood.Result r = new HelloFlood(options).run();
        System.out.printf("[robustness] flood: %d sent, %d answered, amplification %.2f (max %.2f); legitimate %d/10; %s → %s%n",
                r.flood().sent(), r.flood().received(), r.flood().amplification(), r.flood().maxAddressRatio(),
                r.legitimateCompleted(), r.before().summary(), r.after().summary());
        assertTrue(r.flood().received() > r.flood().sent() / 2, "the server answered the flood: " + r.flood());
        assertTrue(r.legitimateCompleted() >= 9, "legitimate clients: " + r.legitimateCompleted() + "/10; " + r.legitimateFailures());
        assertTrue(r.flood().maxAddressRatio() <= 3.0, "RFC 9147 §5.1: at most 3× to an unverified address: " + r.flood());
        assertTrue(r.handshakesStarted() <= 10, "connections only for the legitimate clients: " + r.handshakesStarted());
        RobustnessReport.Target memory = RobustnessReport.memoryTarget("flood", r.before(), r.after());
        assertTrue(memory.met(), memory.thisRun());
    }

    @Test
    @Timeout(180)
    void memoryComesBackAfterHalfOpenAndMutatedHandshakes() throws Exception {
        ChurnSoak.Result r = new ChurnSoak(new ChurnSoak.Options(Duration.ofSeconds(20), Duration.ofSeconds(3),
                Duration.ofSeconds(10), "ffm")).run(s -> System.out.println("[robustness] soak " + s));
        assertTrue(r.completed() > 0 && r.abandoned() > 0 && r.mutated() > 0, "every kind of client ran: " + r);
        assertTrue(r.peakHandshaking() > 0, "half-open connections were held");
        assertEquals(0, r.metrics().handshaking(), "every half-open connection timed out");
        assertTrue(r.failures().size() <= r.completed() / 100, "completing clients failed: " + r.failures());
        RobustnessReport.Target memory = RobustnessReport.memoryTarget("soak", r.before(), r.after());
        assertTrue(memory.met(), memory.thisRun());
        assertEquals(r.before().nativeContexts(), r.after().nativeContexts(), "live native contexts by kind");
    }

    @ParameterizedTest
    @EnumSource(names = {"ffm", "fallback"}, value = Backend.class)
    @Timeout(60)
    void replayedAndForgedRecordsAreNeverDelivered(Backend backend) throws Exception {
        ReplayCheck.Result r = ReplayCheck.run(backend.name(), 50);
        System.out.println("[robustness] " + r);
        assertEquals(50, r.delivered());
        assertEquals(0, r.duplicates());
        assertTrue(r.replayCounter() >= r.replayed(), "every replay counted: " + r);
        assertTrue(r.authenticationFailures() >= r.forged(), "every forgery counted: " + r);
        assertTrue(r.passed());
    }

    /** The backends, by the names DtlsConfig.backend takes. */
    enum Backend { ffm, fallback }
}
