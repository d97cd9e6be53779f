package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.testing.RuntimeRoutingSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link RuntimeRoutingSuite} on the jna backend. */
class RuntimeRoutingTest extends RuntimeRoutingSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new JnaBackend();
    }
}
