package dev.pqdtls.fallback;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A raw secret key handed to JCA ciphers and MACs whose bytes we own and can wipe. Unlike
 * {@code SecretKeySpec} it accepts an empty key, which HMAC (RFC 2104) allows.
 *
 * <p>Providers copy the bytes from {@link #getEncoded()} into their own state at {@code init}; that
 * copy lives as long as the provider's cipher object, which we drop on close.
 */
final class WipeableKey implements SecretKey {
    private static final long serialVersionUID = 1L;

    private final String algorithm;
    private final byte[] key;
    private volatile boolean destroyed;

    /** Takes a copy of {@code key}. */
    WipeableKey(String algorithm, byte[] key) {
        this.algorithm = algorithm;
        this.key = key.clone();
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("key has been destroyed");
        }
        return key.clone();
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }
}
