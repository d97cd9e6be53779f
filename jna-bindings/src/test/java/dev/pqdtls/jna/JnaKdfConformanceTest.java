package dev.pqdtls.jna;

import dev.pqdtls.conformance.KdfConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link KdfConformanceTest} against the JNA backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class JnaKdfConformanceTest extends KdfConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new JnaBackend();
    }
}
