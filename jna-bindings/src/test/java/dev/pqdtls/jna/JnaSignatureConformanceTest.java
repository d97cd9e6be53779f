package dev.pqdtls.jna;

import dev.pqdtls.conformance.SignatureConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link SignatureConformanceTest} against the JNA backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class JnaSignatureConformanceTest extends SignatureConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new JnaBackend();
    }
}
