package dev.pqdtls.ffm;

import dev.pqdtls.conformance.KeyExchangeConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link KeyExchangeConformanceTest} against the FFM backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class FfmKeyExchangeConformanceTest extends KeyExchangeConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.ffm.FfmBackend();
    }
}
