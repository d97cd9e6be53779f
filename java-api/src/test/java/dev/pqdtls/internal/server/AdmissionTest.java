package dev.pqdtls.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.ServerMetrics.Limit;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each admission limit: the (N+1)-th is refused and counted, other sources are unaffected. */
@Timeout(10)
class AdmissionTest {
    private static final InetAddress A = address(10, 0, 0, 1);
    private static final InetAddress B = address(10, 0, 0, 2);

    private static InetAddress address(int... b) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) b[0], (byte) b[1], (byte) b[2], (byte) b[3]});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static DtlsConfig.Builder limits() {
        return DtlsConfig.builder().handshakesPerSecondPerSource(0);
    }

    @Test
    void handshakeRatePerSourceIsATokenBucket() {
        Admission a = new Admission(limits().handshakesPerSecondPerSource(2).handshakeBurstPerSource(3).build(), 42);
        for (int i = 0; i < 3; i++) {
            assertNull(a.tryStart(A, 1000), "burst " + i);
            a.handshakeCompleted();
        }
        assertEquals(Limit.HANDSHAKE_RATE_PER_SOURCE, a.tryStart(A, 1000), "the 4th within the window");
        assertNull(a.tryStart(B, 1000), "another source has its own bucket");
        assertEquals(Limit.HANDSHAKE_RATE_PER_SOURCE, a.tryStart(A, 1499), "half a token is not one");
        assertNull(a.tryStart(A, 1500), "2 per second: one token after 500 ms");
        assertEquals(2, a.rejections().get(Limit.HANDSHAKE_RATE_PER_SOURCE));
        assertEquals(5, a.connections(), "refusals hold nothing");
    }

    @Test
    void connectionsPerSource() {
        Admission a = new Admission(limits().maxConnectionsPerSource(2).build(), 1);
        assertNull(a.tryStart(A, 0));
        assertNull(a.tryStart(A, 0));
        assertEquals(Limit.CONNECTIONS_PER_SOURCE, a.tryStart(A, 0));
        assertNull(a.tryStart(B, 0));
        a.connectionEnded(A, false);
        assertNull(a.tryStart(A, 0), "room again once one ended");
        assertEquals(1, a.rejections().get(Limit.CONNECTIONS_PER_SOURCE));
    }

    @Test
    void handshakesInProgressAndConnectionsInTotal() {
        Admission a = new Admission(limits().maxHandshakes(2).maxConnections(3).build(), 1);
        assertNull(a.tryStart(A, 0));
        assertNull(a.tryStart(B, 0));
        assertEquals(Limit.HANDSHAKES, a.tryStart(address(10, 0, 0, 3), 0));
        assertEquals(Limit.HANDSHAKES, a.capReached());
        a.handshakeCompleted();
        assertNull(a.capReached());
        assertNull(a.tryStart(address(10, 0, 0, 3), 0));
        a.handshakeCompleted();
        a.handshakeCompleted();
        assertEquals(Limit.CONNECTIONS, a.tryStart(address(10, 0, 0, 4), 0));
        assertEquals(3, a.connections());
        assertEquals(0, a.handshakesInProgress());
        assertEquals(2, a.rejections().get(Limit.HANDSHAKES));
        assertEquals(1, a.rejections().get(Limit.CONNECTIONS));
    }

    @Test
    void theBucketTableIsFixedWhateverTheNumberOfSources() {
        HandshakeRate rate = new HandshakeRate(1, 1, 7);
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            if (!rate.tryAcquire(address(10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF), 0)) {
                refused++;
            }
        }
        // 100,000 sources share 4,096 buckets of one token each: all but 4,096 are refused, and no
        // memory grew (the table is two arrays allocated up front).
        assertEquals(100_000 - HandshakeRate.BUCKETS, refused);
    }

    @Test
    void limitsAreValidatedAtBuild() {
        for (Runnable bad : new Runnable[] {
                () -> DtlsConfig.builder().maxHandshakes(0).build(),
                () -> DtlsConfig.builder().maxConnectionsPerSource(0).build(),
                () -> DtlsConfig.builder().handshakesPerSecondPerSource(-1).build(),
                () -> DtlsConfig.builder().handshakeBurstPerSource(0).build()}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().matches("\\w+ must be in \\[\\d+, [\\d_,]+\\], was -?\\d+"), e.getMessage());
        }
    }
}
