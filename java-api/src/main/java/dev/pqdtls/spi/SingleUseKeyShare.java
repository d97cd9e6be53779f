package dev.pqdtls.spi;

import java.util.Objects;

/**
 * A client key share whose ephemeral private key is used once and then released: forward secrecy
 * rests on that key not outliving the handshake that needed it.
 * A backend supplies only the group's arithmetic, {@link #complete}, and how its key is wiped or
 * freed, {@link #release}; this class owns the lifecycle: {@link #finish} runs at most once and
 * always releases the key, whether it succeeds or throws, and {@link #close} releases it exactly
 * once however often it is called.
 *
 * <p>Not thread-safe: one handshake owns the share.
 *
 * @param <K> the backend's handle on the private key (an array, a library key object, a native
 *     segment); never null while the share is open
 */
public abstract class SingleUseKeyShare<K> implements KeyExchange.ClientKeyShare {
    private final String groupName;
    private final byte[] publicShare;
    private K key;

    /**
     * Takes ownership of {@code key} and {@code publicShare} (neither is copied).
     *
     * @param groupName the group as the "already used or closed" message names it
     * @param key the private key; {@link #release} is called with it exactly once
     * @param publicShare the key_exchange bytes for the ClientHello
     */
    protected SingleUseKeyShare(String groupName, K key, byte[] publicShare) {
        this.groupName = Objects.requireNonNull(groupName, "groupName");
        this.key = Objects.requireNonNull(key, "key");
        this.publicShare = Objects.requireNonNull(publicShare, "publicShare");
    }

    /** A copy, so a caller cannot alter the share this object holds. Still answers after close. */
    @Override
    public final byte[] publicShare() {
        return publicShare.clone();
    }

    /**
     * Completes the exchange with {@link #complete} and then closes this share, even if
     * {@code complete} throws.
     *
     * @throws IllegalStateException if this share was already finished or closed
     * @throws InvalidKeyShareException if the server's share is malformed
     */
    @Override
    public final byte[] finish(byte[] serverShare) throws InvalidKeyShareException {
        K k = key;
        if (k == null) {
            throw new IllegalStateException(groupName + " key share already used or closed");
        }
        try {
            return complete(k, serverShare);
        } finally {
            close();
        }
    }

    /**
     * The shared secret from the private key and the server's share (or KEM ciphertext). Checks the
     * server's share itself; called at most once, and {@link #release} follows whatever happens.
     *
     * @throws InvalidKeyShareException if the server's share is malformed
     */
    protected abstract byte[] complete(K key, byte[] serverShare) throws InvalidKeyShareException;

    /**
     * Wipes or frees the private key; called exactly once, by the first {@link #close}. The default
     * does nothing, for keys held in objects that cannot be wiped: this class drops its reference
     * either way.
     */
    protected void release(K key) {
    }

    /** Releases the private key the first time; later calls do nothing. */
    @Override
    public final void close() {
        K k = key;
        if (k != null) {
            key = null;
            release(k);
        }
    }
}
