package dev.pqdtls.ffm;

import dev.pqdtls.conformance.AeadConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link AeadConformanceTest} against the FFM backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class FfmAeadConformanceTest extends AeadConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.ffm.FfmBackend();
    }
}
