package dev.pqdtls.ffm;

import dev.pqdtls.conformance.SignatureConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link SignatureConformanceTest} against the FFM backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class FfmSignatureConformanceTest extends SignatureConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.ffm.FfmBackend();
    }
}
