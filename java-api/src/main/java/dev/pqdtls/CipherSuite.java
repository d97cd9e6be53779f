package dev.pqdtls;

import dev.pqdtls.spi.HashAlgorithm;

/**
 * The TLS 1.3 cipher suites pqdtls speaks (RFC 8446 §B.4), named as IANA names them. The AES-CCM
 * suites are for constrained peers (RFC 7925); {@link #TLS_AES_128_CCM_8_SHA256}'s 8-byte tag
 * allows only 2^7 forged records per key in DTLS (RFC 9147 §4.5.3), so it belongs on links with
 * other protection against forgery.
 */
public enum CipherSuite {
    TLS_AES_128_GCM_SHA256(0x1301, 16, HashAlgorithm.SHA256, 16),
    TLS_AES_256_GCM_SHA384(0x1302, 32, HashAlgorithm.SHA384, 16),
    TLS_CHACHA20_POLY1305_SHA256(0x1303, 32, HashAlgorithm.SHA256, 16),
    TLS_AES_128_CCM_SHA256(0x1304, 16, HashAlgorithm.SHA256, 16),
    TLS_AES_128_CCM_8_SHA256(0x1305, 16, HashAlgorithm.SHA256, 8);

    /** Every suite's AEAD takes a 12-byte nonce (RFC 8446 §5.3). */
    public static final int IV_LENGTH = 12;
    /**
     * The longest tag a suite appends (16 bytes; {@link #TLS_AES_128_CCM_8_SHA256}'s is 8, see
     * {@link #tagLength()}): the room to leave after a plaintext that any suite may seal.
     */
    public static final int TAG_LENGTH = 16;

    private final int codepoint;
    private final int keyLength;
    private final HashAlgorithm hash;
    private final int tagLength;

    CipherSuite(int codepoint, int keyLength, HashAlgorithm hash, int tagLength) {
        this.codepoint = codepoint;
        this.keyLength = keyLength;
        this.hash = hash;
        this.tagLength = tagLength;
    }

    /** Bytes of the AEAD tag each record carries: 16, or 8 for {@link #TLS_AES_128_CCM_8_SHA256}. */
    public int tagLength() {
        return tagLength;
    }

    /** True for the AES-CCM suites (RFC 8446 §B.4, RFC 6655). */
    public boolean isCcm() {
        return this == TLS_AES_128_CCM_SHA256 || this == TLS_AES_128_CCM_8_SHA256;
    }

    /** The two-byte IANA codepoint. */
    public int codepoint() {
        return codepoint;
    }

    /** AEAD key length in bytes; the record-number key has the same length (RFC 9147 §4.2.3). */
    public int keyLength() {
        return keyLength;
    }

    /** The hash of the suite's HKDF and transcript. */
    public HashAlgorithm hash() {
        return hash;
    }

    /** True for the AES suites (GCM and CCM), whose record-number mask is AES-ECB; ChaCha20 otherwise. */
    public boolean isAes() {
        return this != TLS_CHACHA20_POLY1305_SHA256;
    }

    /** The suite with this codepoint, if pqdtls implements it. */
    public static java.util.Optional<CipherSuite> byCodepoint(int codepoint) {
        for (CipherSuite s : values()) {
            if (s.codepoint == codepoint) {
                return java.util.Optional.of(s);
            }
        }
        return java.util.Optional.empty();
    }

    /** The suite with this IANA name, or an exception listing the valid names. */
    public static CipherSuite byName(String name) {
        for (CipherSuite s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown cipher suite '" + name + "'; expected one of "
                + java.util.Arrays.toString(values()));
    }
}
