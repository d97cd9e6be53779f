/**
 * The ffm backend's module as Java 17..21 read it (the base layer of the multi-release jar): the
 * same descriptor as src/main/java/module-info.java, compiled for release 17 so that the module path
 * of a Java 17 JVM can read it. Keep the two in step.
 */
module dev.pqdtls.ffm {
    requires dev.pqdtls;
    requires dev.pqdtls.fallback;
    requires dev.pqdtls.nativeabi;

    provides dev.pqdtls.spi.CryptoBackend with dev.pqdtls.ffm.FfmBackend;
}
