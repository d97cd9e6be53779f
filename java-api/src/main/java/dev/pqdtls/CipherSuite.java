package dev.pqdtls;

import dev.pqdtls.spi.HashAlgorithm;

/** The TLS 1.3 cipher suites pqdtls speaks (RFC 8446 §B.4), named as IANA names them. */
public enum CipherSuite {
    TLS_AES_128_GCM_SHA256(0x1301, 16, HashAlgorithm.SHA256),
    TLS_AES_256_GCM_SHA384(0x1302, 32, HashAlgorithm.SHA384),
    TLS_CHACHA20_POLY1305_SHA256(0x1303, 32, HashAlgorithm.SHA256);

    /** Every suite's AEAD takes a 12-byte nonce (RFC 8446 §5.3). */
    public static final int IV_LENGTH = 12;
    /** Every suite's AEAD appends a 16-byte tag. */
    public static final int TAG_LENGTH = 16;

    private final int codepoint;
    private final int keyLength;
    private final HashAlgorithm hash;

    CipherSuite(int codepoint, int keyLength, HashAlgorithm hash) {
        this.codepoint = codepoint;
        this.keyLength = keyLength;
        this.hash = hash;
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

    /** True for the AES-GCM suites, whose record-number mask is AES-ECB; ChaCha20 otherwise. */
    public boolean isAes() {
        return this != TLS_CHACHA20_POLY1305_SHA256;
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
