package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.MlKemSources;
import dev.pqdtls.nativeabi.PublicKeyOperationsBase;
import java.util.Optional;

/**
 * The jna backend's public-key operations: key exchange and signatures in {@code libpqdtls_native}
 * (pk.c) through JNA direct mapping ({@link JnaHandshakeCalls}), ML-KEM's known-answer operations
 * through libcrypto's EVP API.
 */
final class PublicKeyOperations extends PublicKeyOperationsBase {
    private static final MlKemSources.Once ML_KEM = new MlKemSources.Once(
            () -> MlKemSources.choose(LibcryptoMlKem::probe, OqsMlKem::probe));

    @Override
    public Optional<String> unavailableReason() {
        Optional<String> lib = JnaLibcrypto.unavailableReason();
        if (lib.isPresent()) {
            return lib;
        }
        try {
            LibcryptoNative.ERR_clear_error(); // binds every EVP function, or fails naming the missing one
            return Optional.empty();
        } catch (Throwable t) {
            return Optional.of("libcrypto " + JnaLibcrypto.version() + " bindings failed: " + t.getMessage());
        }
    }

    @Override
    protected String libcryptoVersion() {
        return JnaLibcrypto.version();
    }

    @Override
    protected String backendName() {
        return "jna";
    }

    @Override
    protected JnaHandshakeCalls calls() {
        return JnaHandshakeCalls.INSTANCE;
    }

    @Override
    protected MlKemSources.Choice mlKem() {
        return ML_KEM.get();
    }

    @Override
    protected String liboqsDescription() {
        return OqsMlKem.describe();
    }

}
