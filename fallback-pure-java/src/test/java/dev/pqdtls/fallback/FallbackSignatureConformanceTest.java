package dev.pqdtls.fallback;

import dev.pqdtls.conformance.SignatureConformanceTest;
import dev.pqdtls.spi.CryptoBackend;

/** {@link SignatureConformanceTest} against the pure-Java backend. */
class FallbackSignatureConformanceTest extends SignatureConformanceTest {
    @Override
    protected CryptoBackend backend() {
        return new dev.pqdtls.fallback.FallbackBackend();
    }
}
