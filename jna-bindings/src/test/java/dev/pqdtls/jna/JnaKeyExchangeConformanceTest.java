package dev.pqdtls.jna;

import dev.pqdtls.conformance.KeyExchangeConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/**
 * {@link KeyExchangeConformanceTest} against the JNA backend. If the backend is not usable here the suite
 * fails with the reason (see {@code BackendConformance}); it is never skipped.
 */
class JnaKeyExchangeConformanceTest extends KeyExchangeConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new JnaBackend();
    }
}
