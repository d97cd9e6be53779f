package dev.pqdtls.ffm;

import dev.pqdtls.nativeabi.MlKemSources;
import dev.pqdtls.nativeabi.PublicKeyOperationsBase;
import java.util.Optional;

/**
 * The public-key half of the ffm backend: ECDH (X25519, secp256r1), ML-KEM-768 and signatures, one
 * FFM downcall into {@code libpqdtls_native} (pk.c) per step ({@link FfmHandshakeCalls}), with ML-KEM
 * taken from the best source present (DESIGN.md §3): libcrypto ≥ 3.5, then liboqs, then the fallback
 * backend's pure-Java implementation.
 * The checks and the probe's view are shared with the jna backend ({@link PublicKeyOperationsBase}).
 *
 * <p>Construction is cheap and never fails; libraries are touched on first use and the ML-KEM source
 * is chosen once per process. Thread-safe; the key shares it hands out are not.
 */
public final class PublicKeyOperations extends PublicKeyOperationsBase {
    private static final MlKemSources.Once ML_KEM = new MlKemSources.Once(() -> MlKemSources.choose(() -> {
        LibcryptoMlKem.Probe p = LibcryptoMlKem.probe();
        return MlKemSources.libcrypto(FfmHandshakeCalls.INSTANCE, p.kem(), p.reason());
    }, () -> {
        OqsMlKem.Probe p = OqsMlKem.probe();
        return p.kem().map(k -> MlKemSources.Candidate.of(k, k.implementation(), k.knownAnswer()))
                .orElseGet(() -> MlKemSources.Candidate.unavailable(p.reason()));
    }));

    public PublicKeyOperations() {
    }

    @Override
    public Optional<String> unavailableReason() {
        try {
            return PublicKeyLibcrypto.unavailableReason();
        } catch (Throwable t) {
            return Optional.of("libcrypto bindings failed to initialise: " + t);
        }
    }

    @Override
    protected String libcryptoVersion() {
        return Libcrypto.version();
    }

    @Override
    protected String backendName() {
        return "ffm";
    }

    @Override
    protected FfmHandshakeCalls calls() {
        return FfmHandshakeCalls.INSTANCE;
    }

    @Override
    protected MlKemSources.Choice mlKem() {
        return ML_KEM.get();
    }

    @Override
    protected String liboqsDescription() {
        return OqsLibrary.get().describe();
    }
}
