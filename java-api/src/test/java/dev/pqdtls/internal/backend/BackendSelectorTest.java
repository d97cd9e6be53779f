package dev.pqdtls.internal.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Test;

class BackendSelectorTest {
    /** What a Java 17 runtime's ServiceLoader throws for the ffm backend (Java 22 class files). */
    private static final ServiceConfigurationError FFM_ON_JAVA_17 = new ServiceConfigurationError(
            "dev.pqdtls.spi.CryptoBackend: Provider dev.pqdtls.ffm.FfmBackend could not be instantiated",
            new UnsupportedClassVersionError("dev/pqdtls/ffm/FfmBackend has been compiled by a more recent version of "
                    + "the Java Runtime (class file version 66.0), this version of the Java Runtime only recognizes "
                    + "class file versions up to 61.0"));

    @Test
    void aBackendThatCannotLoadIsStillNamedAsItNamesItself() {
        assertEquals("ffm", BackendSelector.providerName(FFM_ON_JAVA_17));
        assertEquals("fallback", BackendSelector.backendName("dev.pqdtls.fallback.FallbackBackend"));
        assertEquals("?", BackendSelector.providerName(new ServiceConfigurationError("no class named")));
    }

    @Test
    void aClassTooNewSaysWhichJavaItNeeds() {
        assertEquals("needs Java 22+ (running Java " + Runtime.version().feature() + ")",
                BackendSelector.describe(FFM_ON_JAVA_17));
    }
}
