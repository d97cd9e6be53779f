package dev.pqdtls.fallback;

import dev.pqdtls.conformance.KdfConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/** {@link KdfConformanceTest} against the pure-Java backend. */
class FallbackKdfConformanceTest extends KdfConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.fallback.FallbackBackend();
    }
}
