package dev.pqdtls.fallback.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.internal.server.CookieIssuer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CookieIssuerTest {
    /** A clock the test moves by hand, so expiry is tested without waiting. */
    private static final class ManualClock extends Clock {
        long millis = 1_700_000_000_000L;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final CookieIssuer issuer = new CookieIssuer(new FallbackBackend(), clock, Duration.ofSeconds(30));
    private final InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40000);
    private final CookieIssuer.CookieState state = new CookieIssuer.CookieState(new byte[32], 0x1301, 0x11EC);

    @Test
    void validCookieReturnsItsState() {
        CookieIssuer.CookieState back = issuer.verify(client, issuer.issue(client, state)).orElseThrow();
        assertArrayEquals(state.clientHello1Hash(), back.clientHello1Hash());
        assertEquals(0x1301, back.cipherSuite());
        assertEquals(0x11EC, back.group());
    }

    @Test
    void anotherAddressOrPortIsRefused() {
        byte[] cookie = issuer.issue(client, state);
        assertTrue(issuer.verify(new InetSocketAddress("127.0.0.2", 40000), cookie).isEmpty());
        assertTrue(issuer.verify(new InetSocketAddress("127.0.0.1", 40001), cookie).isEmpty());
    }

    @Test
    void everyFlippedBitAndTruncationIsRefused() {
        byte[] cookie = issuer.issue(client, state);
        for (int i = 0; i < cookie.length * 8; i++) {
            byte[] forged = cookie.clone();
            forged[i / 8] ^= (byte) (1 << (i % 8));
            assertTrue(issuer.verify(client, forged).isEmpty(), "bit " + i);
        }
        for (int n = 0; n < cookie.length; n++) {
            assertTrue(issuer.verify(client, Arrays.copyOf(cookie, n)).isEmpty(), "length " + n);
        }
    }

    @Test
    void expiresAndSurvivesOneRotationOnly() {
        byte[] cookie = issuer.issue(client, state);
        clock.millis += 29_000;
        assertTrue(issuer.verify(client, cookie).isPresent(), "within lifetime, after a rotation");
        clock.millis += 2_000;
        assertTrue(issuer.verify(client, cookie).isEmpty(), "expired");
        byte[] fresh = issuer.issue(client, state);
        clock.millis += 75_000;
        assertTrue(issuer.verify(client, fresh).isEmpty(), "secret rotated out");
    }

    @Test
    void anotherServerInstanceCannotVerify() {
        CookieIssuer other = new CookieIssuer(new FallbackBackend(), clock, Duration.ofSeconds(30));
        assertTrue(other.verify(client, issuer.issue(client, state)).isEmpty());
    }
}
