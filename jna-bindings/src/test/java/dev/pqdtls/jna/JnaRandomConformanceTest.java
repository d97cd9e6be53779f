package dev.pqdtls.jna;

import dev.pqdtls.conformance.RandomConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link RandomConformanceTest} against the JNA backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class JnaRandomConformanceTest extends RandomConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new JnaBackend();
    }
}
