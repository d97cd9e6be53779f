package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.testing.SessionRuntimeSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link SessionRuntimeSuite} on the jna backend. */
class SessionRuntimeTest extends SessionRuntimeSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new JnaBackend();
    }
}
