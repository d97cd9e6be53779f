package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.testing.SessionRuntimeSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link SessionRuntimeSuite} on the ffm backend. */
class SessionRuntimeTest extends SessionRuntimeSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new FfmBackend();
    }
}
