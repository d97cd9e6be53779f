package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.testing.EngineMatrixSuite;
import dev.pqdtls.spi.CryptoBackend;

/** {@link EngineMatrixSuite} on the ffm backend. */
class EngineMatrixTest extends EngineMatrixSuite {
    @Override
    protected CryptoBackend nativeBackend() {
        return new FfmBackend();
    }
}
