package dev.pqdtls.fallback;

import dev.pqdtls.conformance.AeadConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/** {@link AeadConformanceTest} against the pure-Java backend. */
class FallbackAeadConformanceTest extends AeadConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.fallback.FallbackBackend();
    }
}
