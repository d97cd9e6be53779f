package dev.pqdtls;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The keys a server seals its session tickets with (RFC 8446 §4.6.1): the ticket is the server's
 * own session state, encrypted and authenticated with AES-256-GCM under one of these keys, so the
 * server keeps nothing per ticket. A ticket sealed under a key that is no longer {@link #find
 * found} is refused and the client makes a full handshake.
 *
 * <p>Servers that should resume each other's sessions share one source: {@link #of} with the same
 * keys on every server, rotated by the deployment. The default, {@link #rotating}, lives in one
 * server's memory. Implementations must be thread-safe.
 */
public interface TicketKeys {
    /** Bytes of a ticket key (AES-256). */
    int KEY_LENGTH = 32;

    /** A ticket key and the id that tickets sealed under it carry. */
    record Key(int id, byte[] secret) {
        public Key {
            if (secret.length != KEY_LENGTH) {
                throw new IllegalArgumentException("ticketKeys: a key must be " + KEY_LENGTH + " bytes, was " + secret.length);
            }
            secret = secret.clone();
        }

        @Override
        public byte[] secret() {
            return secret.clone();
        }

        @Override
        public String toString() {
            return "TicketKeys.Key[id=" + id + "]"; // never the secret
        }
    }

    /** The key new tickets are sealed with. */
    Key current(long nowMillis);

    /** The key with this id, if tickets sealed under it are still accepted. */
    Optional<Key> find(int id, long nowMillis);

    /**
     * Fixed keys, e.g. shared by a fleet of servers: the first seals, all of them open. Ids are the
     * keys' positions counted from the last, so a deployment that prepends a new key and later drops
     * the oldest keeps the ids of the keys in between.
     */
    static TicketKeys of(List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("ticketKeys: at least one key is needed");
        }
        List<Key> list = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            list.add(new Key(keys.size() - 1 - i, keys.get(i)));
        }
        return new TicketKeys() {
            @Override
            public Key current(long nowMillis) {
                return list.get(0);
            }

            @Override
            public Optional<Key> find(int id, long nowMillis) {
                return list.stream().filter(k -> k.id() == id).findFirst();
            }
        };
    }

    /**
     * Random keys in this process's memory, a new one every {@code period}; tickets sealed under the
     * previous key are still accepted, so a ticket stays usable for at least one period.
     */
    static TicketKeys rotating(Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("ticketKeys: the rotation period must be positive, was " + period);
        }
        return new Rotating(period.toMillis());
    }

    /** {@link #rotating}: a current and a previous key, replaced lazily when asked for after their period. */
    final class Rotating implements TicketKeys {
        private final SecureRandom random = new SecureRandom();
        private final long periodMillis;
        private Key current;
        private Key previous;
        private long currentSince = Long.MIN_VALUE;

        private Rotating(long periodMillis) {
            this.periodMillis = periodMillis;
        }

        @Override
        public synchronized Key current(long nowMillis) {
            rotate(nowMillis);
            return current;
        }

        @Override
        public synchronized Optional<Key> find(int id, long nowMillis) {
            rotate(nowMillis);
            if (current.id() == id) {
                return Optional.of(current);
            }
            return previous != null && previous.id() == id ? Optional.of(previous) : Optional.empty();
        }

        private void rotate(long nowMillis) {
            if (current != null && nowMillis - currentSince < periodMillis) {
                return;
            }
            // After two periods of silence the previous key is as stale as the current one.
            previous = current != null && nowMillis - currentSince < 2 * periodMillis ? current : null;
            byte[] secret = new byte[KEY_LENGTH];
            random.nextBytes(secret);
            current = new Key(current == null ? random.nextInt() : current.id() + 1, secret);
            Arrays.fill(secret, (byte) 0);
            currentSince = nowMillis;
        }
    }
}
