/**
 * The contract of {@code libpqdtls_native} shared by the native backends (ffm on JDK 22+, jna on
 * JDK 17+): the packaged library and its one loader, libcrypto selection, ABI constants, UDP struct
 * layouts and error mapping. Exported only to those backends.
 */
module dev.pqdtls.nativeabi {
    requires transitive dev.pqdtls;
    requires dev.pqdtls.fallback;

    exports dev.pqdtls.nativeabi to dev.pqdtls.ffm, dev.pqdtls.jna, dev.pqdtls.bench;
}
