package dev.pqdtls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What the api alone says; the certificates themselves are tested where an issuer exists (pqdtls-fallback). */
class SelfSignedCertificateTest {

    @Test
    void withoutAnIssuerTheMessageNamesTheArtifactToAdd() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SelfSignedCertificate.create("localhost"));
        assertTrue(e.getMessage().contains("depend on dev.pqdtls:pqdtls"), e.getMessage());
    }

    @Test
    void namesAreCheckedBeforeAnythingIsMade() {
        assertThrows(IllegalArgumentException.class, () -> SelfSignedCertificate.create(new String[0]), "no name");
        for (String bad : new String[] {"", " ", "a b", "-leading.example", "under_score", "1.2.3.256", "::g", "1:::2", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SelfSignedCertificate.create("localhost", bad), String.valueOf(bad));
            assertTrue(e.getMessage().startsWith("SelfSignedCertificate: '" + bad + "'"), e.getMessage());
        }
    }
}
