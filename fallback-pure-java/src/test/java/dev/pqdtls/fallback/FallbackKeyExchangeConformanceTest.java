package dev.pqdtls.fallback;

import dev.pqdtls.conformance.KeyExchangeConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/** {@link KeyExchangeConformanceTest} against the pure-Java backend. */
class FallbackKeyExchangeConformanceTest extends KeyExchangeConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.fallback.FallbackBackend();
    }
}
