package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.testing.WolfSslInteropSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link WolfSslInteropSuite} on the jna backend. */
class WolfSslInteropTest extends WolfSslInteropSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new JnaBackend();
    }
}
