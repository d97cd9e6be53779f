package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.testing.RuntimeRoutingSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link RuntimeRoutingSuite} on the ffm backend. */
class RuntimeRoutingTest extends RuntimeRoutingSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new FfmBackend();
    }
}
