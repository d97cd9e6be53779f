/** pqdtls: DTLS 1.3 with hybrid post-quantum key exchange. */
module dev.pqdtls {
    requires java.management;
    requires org.slf4j;
    requires com.fasterxml.jackson.core;
    // Optional: only dev.pqdtls.metrics.DtlsServerMeterBinder uses it, when the application has Micrometer.
    requires static micrometer.core;

    exports dev.pqdtls;
    exports dev.pqdtls.spi;
    exports dev.pqdtls.metrics;
    // Internals are shared with the sibling modules only (backends reuse them; their tests drive them).
    exports dev.pqdtls.internal.auth to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.nativeabi, dev.pqdtls.cli, dev.pqdtls.bench;
    exports dev.pqdtls.internal.backend to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.jna, dev.pqdtls.hw, dev.pqdtls.cli, dev.pqdtls.bench;
    exports dev.pqdtls.internal.engine to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.jna, dev.pqdtls.bench;
    exports dev.pqdtls.internal.handshake to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.bench;
    exports dev.pqdtls.internal.psk to dev.pqdtls.fallback;
    exports dev.pqdtls.internal.recordlayer to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.jna, dev.pqdtls.nativeabi, dev.pqdtls.bench;
    exports dev.pqdtls.internal.reliability to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.bench;
    exports dev.pqdtls.internal.server to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.bench;
    exports dev.pqdtls.internal.text to dev.pqdtls.cli;
    exports dev.pqdtls.internal.wire to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.bench;

    uses dev.pqdtls.spi.CryptoBackend;
    // SelfSignedCertificate's X.509 encoder (pqdtls-fallback provides it; this module has no ASN.1 library).
    uses dev.pqdtls.spi.CertificateIssuer;
}
