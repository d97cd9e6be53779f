package dev.pqdtls.ffm;

import dev.pqdtls.internal.backend.UnavailableBackend;

/**
 * The ffm backend as Java 17..21 see it: the base layer of this multi-release jar (the real
 * backend is in {@code META-INF/versions/22}). It only says why it cannot run, so selection
 * reports "ffm needs Java 22+; this is Java 17" and picks the next backend.
 */
public final class FfmBackend extends UnavailableBackend {
    /** Same name and priority as the real backend (src/main/java). */
    public FfmBackend() {
        super("ffm", 100, needsJava("ffm", 22));
    }
}
