/** pqdtls: DTLS 1.3 with hybrid post-quantum key exchange. */
module dev.pqdtls {
    requires java.logging;

    exports dev.pqdtls;
    exports dev.pqdtls.spi;
    // Internals are shared with the sibling modules only (backends reuse them; their tests drive them).
    exports dev.pqdtls.internal.auth to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.cli, dev.pqdtls.bench;
    exports dev.pqdtls.internal.backend to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.jna, dev.pqdtls.hw, dev.pqdtls.cli, dev.pqdtls.bench;
    exports dev.pqdtls.internal.engine to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.jna, dev.pqdtls.bench;
    exports dev.pqdtls.internal.handshake to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.bench;
    exports dev.pqdtls.internal.recordlayer to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.jna, dev.pqdtls.nativeabi, dev.pqdtls.bench;
    exports dev.pqdtls.internal.reliability to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.bench;
    exports dev.pqdtls.internal.server to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.bench;
    exports dev.pqdtls.internal.wire to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.bench;

    uses dev.pqdtls.spi.CryptoBackend;
}
