package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.testing.WolfSslInteropSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link WolfSslInteropSuite} on the ffm backend. */
class WolfSslInteropTest extends WolfSslInteropSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new FfmBackend();
    }
}
