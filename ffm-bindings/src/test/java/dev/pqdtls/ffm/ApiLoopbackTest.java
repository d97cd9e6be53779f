package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.testing.ApiLoopbackSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link ApiLoopbackSuite} on the ffm backend. */
class ApiLoopbackTest extends ApiLoopbackSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new FfmBackend();
    }
}
