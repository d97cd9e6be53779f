package dev.pqdtls.internal.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.internal.backend.BackendSelector.Candidate;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Test;

/** How a requested backend name is judged; the candidates stand for what discovery found. */
class BackendSelectorTest {
    /** What a Java 17 runtime's ServiceLoader throws for a provider compiled for Java 22. */
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

    private static final class Named extends UnavailableBackend {
        Named(String name, int priority, String reason) {
            super(name, priority, reason);
        }
    }

    private static final String TOO_OLD = UnavailableBackend.needsJava("ffm", 99);
    // Discovery as on Java 17..21: the ffm layer for old Javas loads but cannot run; fallback can.
    private static final List<Candidate> FOUND = List.of(
            new Candidate("ffm", 100, new Named("ffm", 100, TOO_OLD), Optional.of(TOO_OLD)),
            new Candidate("fallback", 10, new Named("fallback", 10, "unused"), Optional.empty()),
            // A provider that failed to load is named by its class; it is no valid value.
            new Candidate("com.example.Broken", Integer.MIN_VALUE, null, Optional.of("NoClassDefFoundError")));

    @Test
    void needsJavaSaysWhichJavaAndWhichThisIs() {
        assertEquals("ffm needs Java 22+; this is Java " + Runtime.version().feature(),
                UnavailableBackend.needsJava("ffm", 22));
    }

    @Test
    void anUnknownNameListsTheBackendsThatLoaded() {
        assertEquals(Optional.of("unknown backend 'nope'; valid values: ffm, fallback"),
                BackendSelector.requestProblem("nope", FOUND));
        assertTrue(BackendSelector.requestProblem("com.example.Broken", FOUND).orElseThrow().startsWith("unknown"));
    }

    @Test
    void aKnownBackendThatCannotRunGivesItsReasonAndTheAlternatives() {
        assertEquals(Optional.of("'ffm' cannot run here: " + TOO_OLD + "; usable here: fallback"),
                BackendSelector.requestProblem("FFM", FOUND));
    }

    @Test
    void aUsableBackendIsFineWhateverTheCaseAndSpacing() {
        assertEquals(Optional.empty(), BackendSelector.requestProblem(" Fallback ", FOUND));
    }

    @Test
    void anUnavailableBackendReportsItsReasonAndRefusesWork() {
        UnavailableBackend b = new Named("ffm", 100, TOO_OLD);
        assertEquals("ffm", b.name());
        assertEquals(100, b.priority());
        assertEquals(Optional.of(TOO_OLD), b.checkUsable());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.componentKeyExchange(NamedGroup.X25519));
        assertEquals("crypto backend 'ffm' cannot run: " + TOO_OLD, e.getMessage());
        assertThrows(IllegalStateException.class, () -> b.randomBytes(new byte[1]));
    }

    @Test
    void selectingAMissingBackendNamesTheOptionsAndTheValidValues() {
        // Nothing is on this module's test class path.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BackendSelector.select(Optional.of("ffm")));
        assertTrue(e.getMessage().startsWith("requested crypto backend: unknown backend 'ffm'; valid values: none"),
                e.getMessage());
    }

    @Test
    void theSystemPropertyIsNamedWhenItAsksForAnUnknownBackend() {
        String before = System.getProperty(BackendSelector.BACKEND_PROPERTY);
        System.setProperty(BackendSelector.BACKEND_PROPERTY, "nope");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, BackendSelector::select);
            assertTrue(e.getMessage().startsWith("-Dpqdtls.backend=nope: unknown backend 'nope'; valid values: "),
                    e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(BackendSelector.BACKEND_PROPERTY);
            } else {
                System.setProperty(BackendSelector.BACKEND_PROPERTY, before);
            }
        }
    }
}
