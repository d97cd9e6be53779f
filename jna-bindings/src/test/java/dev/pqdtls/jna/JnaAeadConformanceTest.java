package dev.pqdtls.jna;

import dev.pqdtls.conformance.AeadConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link AeadConformanceTest} against the JNA backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class JnaAeadConformanceTest extends AeadConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new JnaBackend();
    }
}
