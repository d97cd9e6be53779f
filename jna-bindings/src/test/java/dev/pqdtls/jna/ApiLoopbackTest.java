package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.testing.ApiLoopbackSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link ApiLoopbackSuite} on the jna backend. */
class ApiLoopbackTest extends ApiLoopbackSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new JnaBackend();
    }
}
