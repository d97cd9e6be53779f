package dev.pqdtls.spi;

/** The hashes TLS 1.3 cipher suites use for HKDF, HMAC and the transcript. */
public enum HashAlgorithm {
    SHA256("SHA-256", 32),
    SHA384("SHA-384", 48);

    private final String jcaName;
    private final int length;

    HashAlgorithm(String jcaName, int length) {
        this.jcaName = jcaName;
        this.length = length;
    }

    /** The JCA standard name, e.g. {@code SHA-256}. */
    public String jcaName() {
        return jcaName;
    }

    /** Digest length in bytes. */
    public int length() {
        return length;
    }
}
