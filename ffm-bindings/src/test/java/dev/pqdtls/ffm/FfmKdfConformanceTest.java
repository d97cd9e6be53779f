package dev.pqdtls.ffm;

import dev.pqdtls.conformance.KdfConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link KdfConformanceTest} against the FFM backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class FfmKdfConformanceTest extends KdfConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.ffm.FfmBackend();
    }
}
