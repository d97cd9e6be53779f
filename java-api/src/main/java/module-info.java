/** pqdtls: DTLS 1.3 with hybrid post-quantum key exchange. */
module dev.pqdtls {
    requires java.logging;

    exports dev.pqdtls;
    exports dev.pqdtls.spi;
    exports dev.pqdtls.internal.backend to dev.pqdtls.fallback, dev.pqdtls.ffm, dev.pqdtls.hw, dev.pqdtls.cli, dev.pqdtls.bench;

    uses dev.pqdtls.spi.CryptoBackend;
}
