package dev.pqdtls.internal.server;

import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Stateless HelloRetryRequest cookies (RFC 8446 §4.2.2, RFC 9147 §5.1). The cookie carries
 * everything the server must remember across the round trip — the hash of ClientHello1, the chosen
 * suite and group, the issue time — under an HMAC bound to the client's address, so the server keeps
 * no per-client state and does no key-exchange work until a client proves it receives at its address.
 *
 * <p>Secrets rotate every {@code lifetime}; cookies made with the current or the previous secret are
 * accepted until they expire. Thread-safe.
 */
public final class CookieIssuer {
    private static final int FORMAT = 1;
    private static final HashAlgorithm MAC_HASH = HashAlgorithm.SHA256;

    private final CryptoBackend crypto;
    private final Clock clock;
    private final Duration lifetime;
    /**
     * The live secrets, replaced whole on rotation: issuing and checking read one snapshot and take
     * no lock, so every event loop of a server uses one issuer without contending.
     */
    private volatile Secrets secrets;
    /** The secrets retired at the last rotation, wiped at the next (a reader may still hold them now). */
    private byte[][] retired = new byte[0][];

    private record Secrets(byte[] current, byte[] previous, int generation, long rotatedAtMillis) {
    }

    /** What a valid cookie tells the server about the client's first flight. */
    public record CookieState(byte[] clientHello1Hash, int cipherSuite, int group) {
    }

    public CookieIssuer(CryptoBackend crypto, Clock clock, Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("cookie lifetime must be positive, was " + lifetime);
        }
        this.crypto = crypto;
        this.clock = clock;
        this.lifetime = lifetime;
        this.secrets = new Secrets(freshSecret(), freshSecret(), 0, clock.millis());
    }

    /** A cookie for this client address and first ClientHello. */
    public byte[] issue(InetSocketAddress client, CookieState state) {
        Secrets live = rotateIfDue();
        byte[] body = new WireWriter().uint8(FORMAT).uint8(live.generation() & 0xFF)
                .uint32(clock.millis() / 1000).uint16(state.cipherSuite()).uint16(state.group())
                .vector8(state.clientHello1Hash()).toByteArray();
        byte[] mac = mac(live.current(), client, body);
        byte[] cookie = Arrays.copyOf(body, body.length + mac.length);
        System.arraycopy(mac, 0, cookie, body.length, mac.length);
        return cookie;
    }

    /** Why a cookie was not accepted (for the metrics and the audit log). */
    public enum Rejection {
        /** Not a cookie of ours at all (wrong format or length). */
        MALFORMED,
        /** Its MAC does not verify: forged, altered, for another address, or made with a retired secret. */
        FORGED,
        /** Authentic but older than the cookie lifetime. */
        EXPIRED
    }

    /** The outcome of {@link #check}: the state of a valid cookie, or why it is not valid. */
    public record Verification(Optional<CookieState> state, Rejection rejection) {
        static Verification rejected(Rejection why) {
            return new Verification(Optional.empty(), why);
        }
    }

    /**
     * The state inside a cookie, if it is authentic for this address, made with a live secret and not
     * expired; empty otherwise. Never throws for hostile input.
     */
    public Optional<CookieState> verify(InetSocketAddress client, byte[] cookie) {
        return check(client, cookie).state();
    }

    /** As {@link #verify}, saying why a cookie is rejected. */
    public Verification check(InetSocketAddress client, byte[] cookie) {
        Secrets live = rotateIfDue();
        int macLength = MAC_HASH.length();
        if (cookie.length < macLength + 1) {
            return Verification.rejected(Rejection.MALFORMED);
        }
        byte[] body = Arrays.copyOf(cookie, cookie.length - macLength);
        byte[] mac = Arrays.copyOfRange(cookie, cookie.length - macLength, cookie.length);
        try {
            WireReader r = new WireReader(body);
            if (r.uint8("format") != FORMAT) {
                return Verification.rejected(Rejection.MALFORMED);
            }
            int gen = r.uint8("generation");
            byte[] secret = gen == (live.generation() & 0xFF) ? live.current()
                    : gen == ((live.generation() - 1) & 0xFF) ? live.previous() : null;
            if (secret == null || !MessageDigest.isEqual(mac, mac(secret, client, body))) {
                return Verification.rejected(Rejection.FORGED);
            }
            long issuedAt = r.uint32("issued at");
            int suite = r.uint16("suite");
            int group = r.uint16("group");
            byte[] hash = r.vector8(0, 64, "ClientHello1 hash");
            r.finish("cookie");
            long age = clock.millis() / 1000 - issuedAt;
            if (age < 0 || age > lifetime.toSeconds()) {
                return Verification.rejected(Rejection.EXPIRED);
            }
            return new Verification(Optional.of(new CookieState(hash, suite, group)), null);
        } catch (DecodeException e) {
            return Verification.rejected(Rejection.MALFORMED); // authentic but not ours to parse: cannot happen
        }
    }

    private byte[] mac(byte[] secret, InetSocketAddress client, byte[] body) {
        byte[] address = client.getAddress().getAddress();
        byte[] input = new WireWriter().vector8(address).uint16(client.getPort()).bytes(body).toByteArray();
        return crypto.hmac(MAC_HASH, secret, input);
    }

    /** The secrets to use now, rotated first when their lifetime is over (one thread rotates). */
    private Secrets rotateIfDue() {
        Secrets live = secrets;
        long now = clock.millis();
        if (now - live.rotatedAtMillis() < lifetime.toMillis()) {
            return live;
        }
        synchronized (this) {
            live = secrets;
            if (now - live.rotatedAtMillis() < lifetime.toMillis()) {
                return live;
            }
            for (byte[] r : retired) {
                Arrays.fill(r, (byte) 0);
            }
            // A secret older than two lifetimes can only sign expired cookies: replace both.
            boolean stale = now - live.rotatedAtMillis() >= 2 * lifetime.toMillis();
            retired = stale ? new byte[][] {live.previous(), live.current()} : new byte[][] {live.previous()};
            secrets = new Secrets(freshSecret(), stale ? freshSecret() : live.current(), live.generation() + 1, now);
            return secrets;
        }
    }

    private byte[] freshSecret() {
        byte[] s = new byte[32];
        crypto.randomBytes(s);
        return s;
    }
}
