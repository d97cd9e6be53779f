/**
 * pqdtls native backend for JDK 17+: libpqdtls_native and libcrypto (and optionally liboqs) through
 * JNA direct mapping.
 */
module dev.pqdtls.jna {
    requires dev.pqdtls;
    requires dev.pqdtls.fallback;
    requires dev.pqdtls.nativeabi;
    requires com.sun.jna;

    provides dev.pqdtls.spi.CryptoBackend with dev.pqdtls.jna.JnaBackend;
}
