package dev.pqdtls.ffm;

import dev.pqdtls.conformance.RandomConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link RandomConformanceTest} against the FFM backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class FfmRandomConformanceTest extends RandomConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.ffm.FfmBackend();
    }
}
