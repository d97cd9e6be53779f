/**
 * pqdtls pure-Java crypto backend: the JDK's own providers where they are faster (AES-GCM,
 * ChaCha20-Poly1305, SHA-2/HMAC, signatures, ML-KEM on JDK 24+), Bouncy Castle's lightweight API
 * elsewhere (X25519, secp256r1 ECDH, ML-KEM on JDK 17..23). Nothing is registered globally.
 */
module dev.pqdtls.fallback {
    requires dev.pqdtls;
    requires org.bouncycastle.provider;

    // The ffm backend uses FallbackBackend as its last-resort ML-KEM.
    exports dev.pqdtls.fallback;

    provides dev.pqdtls.spi.CryptoBackend with dev.pqdtls.fallback.FallbackBackend;
    provides dev.pqdtls.spi.CertificateIssuer with dev.pqdtls.fallback.BcCertificateIssuer;
}
