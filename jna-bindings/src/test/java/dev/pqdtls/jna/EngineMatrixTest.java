package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.testing.EngineMatrixSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link EngineMatrixSuite} on the jna backend. */
class EngineMatrixTest extends EngineMatrixSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new JnaBackend();
    }
}
