/** pqdtls native backend: FFM downcalls to libpqdtls_native, libcrypto and (optionally) liboqs. */
module dev.pqdtls.ffm {
    requires dev.pqdtls;
    requires dev.pqdtls.fallback;
    requires dev.pqdtls.nativeabi;

    provides dev.pqdtls.spi.CryptoBackend with dev.pqdtls.ffm.FfmBackend;
}
