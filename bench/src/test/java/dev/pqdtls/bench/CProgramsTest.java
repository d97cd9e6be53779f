package dev.pqdtls.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The C peers compile, run and report counts that add up. Short windows and no timing assertions: this
 * proves the plumbing, not the figures.
 */
class CProgramsTest {
    private static final Path WOLFSSL = Path.of(System.getProperty("user.home"), ".cache", "pqdtls", "wolfssl");

    /** Fails with the reason, except that a machine without gcc skips. */
    private static CPrograms.Measured measuredOrSkip(CPrograms.Outcome outcome) {
        if (outcome instanceof CPrograms.NotMeasured(String reason)) {
            Assumptions.assumeFalse(reason.startsWith("gcc not found"), reason);
        }
        return assertInstanceOf(CPrograms.Measured.class, outcome, outcome::toString);
    }

    @ParameterizedTest(name = "offload {0}")
    @ValueSource(booleans = {true, false})
    @Timeout(value = 90, unit = TimeUnit.SECONDS) // includes the first compile
    void rawUdpDeliversWholeDatagrams(boolean offload) {
        CPrograms.Measured m = measuredOrSkip(CPrograms.rawUdp(1200, 32, offload, 0.5, 0.2));
        assertTrue(m.delivered() > 0, m::toString);
        assertTrue(m.sent() >= m.delivered(), m::toString);
        assertTrue(m.windowDatagrams() > 0 && m.windowDatagrams() <= m.delivered(), m::toString);
        assertEquals(m.windowDatagrams() * 1200, m.windowBytes(), m::toString);
        assertTrue(m.note().contains(offload ? "GSO on" : "GSO off"), m.note());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void wolfSslStreamsOverTheHybridGroup() {
        Path lib = WOLFSSL.resolve("lib/libwolfssl.so");
        Assumptions.assumeTrue(Files.exists(lib), "no wolfSSL build: " + lib + " is missing (ci/build-wolfssl.sh)");
        CPrograms.Measured m = measuredOrSkip(
                CPrograms.wolfSsl(WOLFSSL, "TLS13-AES128-GCM-SHA256", "X25519MLKEM768", 1178, 0.5, 0.2));
        assertTrue(m.note().contains("group X25519MLKEM768"), m.note());
        assertTrue(m.note().contains("DTLSv1.3"), m.note());
        assertTrue(m.delivered() > 0, m::toString);
        assertTrue(m.sent() >= m.delivered(), m::toString);
        assertEquals(m.windowDatagrams() * 1178, m.windowBytes(), m::toString);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFailingProgramIsNotMeasuredWithItsStderr() {
        Path lib = WOLFSSL.resolve("lib/libwolfssl.so");
        Assumptions.assumeTrue(Files.exists(lib), "no wolfSSL build: " + lib + " is missing (ci/build-wolfssl.sh)");
        CPrograms.Outcome o = CPrograms.wolfSsl(WOLFSSL, "TLS13-AES128-GCM-SHA256", "NO_SUCH_GROUP", 1178, 0.5, 0.2);
        Assumptions.assumeFalse(o instanceof CPrograms.NotMeasured(String r) && r.startsWith("gcc not found"));
        CPrograms.NotMeasured n = assertInstanceOf(CPrograms.NotMeasured.class, o);
        assertTrue(n.reason().contains("exit 2") && n.reason().contains("unknown --group NO_SUCH_GROUP"), n.reason());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void missingWolfSslIsNotMeasuredWithThePath(@org.junit.jupiter.api.io.TempDir Path empty) {
        CPrograms.Outcome o = CPrograms.wolfSsl(empty, "TLS13-AES128-GCM-SHA256", "X25519MLKEM768", 1178, 0.5, 0.2);
        CPrograms.NotMeasured n = assertInstanceOf(CPrograms.NotMeasured.class, o);
        assertTrue(n.reason().contains(empty.resolve("lib/libwolfssl.so").toString()), n.reason());
    }
}
