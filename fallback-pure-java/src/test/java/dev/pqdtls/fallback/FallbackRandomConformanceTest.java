package dev.pqdtls.fallback;

import dev.pqdtls.conformance.RandomConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/** {@link RandomConformanceTest} against the pure-Java backend. */
class FallbackRandomConformanceTest extends RandomConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.fallback.FallbackBackend();
    }
}
