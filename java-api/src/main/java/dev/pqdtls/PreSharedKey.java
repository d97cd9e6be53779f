package dev.pqdtls;

import dev.pqdtls.spi.HashAlgorithm;
import java.nio.charset.StandardCharsets;

/**
 * An external pre-shared key (RFC 8446 §2.2, §4.2.11): an identity both sides know by name and a
 * secret both hold, provisioned out of band (IoT devices, peers without certificates). Configure it
 * with {@link DtlsConfig.Builder#preSharedKeys}: a client offers its keys, a server accepts any of
 * its keys that a client names. By default the handshake still runs the hybrid key exchange
 * ({@link DtlsConfig.PskMode#PSK_DHE_KE}), so a leaked key does not reveal past sessions.
 *
 * <p>A key is used with the cipher suites of its hash only (SHA-256 by default, RFC 8446 §4.2.11).
 */
public final class PreSharedKey {
    /** Shortest secret accepted: 128 bits, the security level of the weakest suite. */
    public static final int MIN_KEY_LENGTH = 16;

    private final byte[] identity;
    private final byte[] key;
    private final HashAlgorithm hash;

    private PreSharedKey(byte[] identity, byte[] key, HashAlgorithm hash) {
        if (identity.length == 0 || identity.length > 0xFFFF) {
            throw new IllegalArgumentException("preSharedKeys: an identity must be 1 to 65535 bytes, was " + identity.length);
        }
        if (key.length < MIN_KEY_LENGTH || key.length > 255) {
            throw new IllegalArgumentException("preSharedKeys: the key for identity '" + displayIdentity(identity)
                    + "' must be " + MIN_KEY_LENGTH + " to 255 bytes (at least 128 random bits), was " + key.length);
        }
        this.identity = identity.clone();
        this.key = key.clone();
        this.hash = hash;
    }

    /** A key for the SHA-256 suites (every default suite but TLS_AES_256_GCM_SHA384). */
    public static PreSharedKey of(String identity, byte[] key) {
        return new PreSharedKey(identity.getBytes(StandardCharsets.UTF_8), key, HashAlgorithm.SHA256);
    }

    /** A key for suites of the given hash (SHA-384: TLS_AES_256_GCM_SHA384). */
    public static PreSharedKey of(byte[] identity, byte[] key, HashAlgorithm hash) {
        return new PreSharedKey(identity, key, hash);
    }

    /** The identity as sent on the wire. */
    public byte[] identity() {
        return identity.clone();
    }

    public HashAlgorithm hash() {
        return hash;
    }

    /** The secret; the library's own copy stays inside. */
    public byte[] key() {
        return key.clone();
    }

    /** The identity for messages: UTF-8 text if it is printable, else hex. Never the key. */
    public String displayIdentity() {
        return displayIdentity(identity);
    }

    private static String displayIdentity(byte[] identity) {
        String s = new String(identity, StandardCharsets.UTF_8);
        if (s.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
            return s;
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : identity) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    @Override
    public String toString() {
        return "PreSharedKey[" + displayIdentity() + ", " + hash + "]";
    }
}
