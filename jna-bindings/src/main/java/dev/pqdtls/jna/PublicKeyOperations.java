package dev.pqdtls.jna;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.nativeabi.MlKemSources;
import dev.pqdtls.nativeabi.PublicKeyOperationsBase;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Optional;

/** The jna backend's public-key operations: libcrypto's EVP API through JNA direct mapping. */
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
    protected KeyExchange ecdhExchange(NamedGroup group) {
        return EcdhKeyExchange.of(group);
    }

    @Override
    protected byte[] staticEcdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        return EcdhKeyExchange.of(group).ecdh(privateKey, peerPublic);
    }

    @Override
    protected MlKemSources.Choice mlKem() {
        return ML_KEM.get();
    }

    @Override
    protected String liboqsDescription() {
        return OqsMlKem.describe();
    }

    @Override
    protected byte[] signChecked(SignatureScheme scheme, PrivateKey key, byte[] message) {
        return EvpSignature.sign(scheme, key, message);
    }

    @Override
    protected boolean verifyChecked(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        return EvpSignature.verify(scheme, key, message, signature);
    }
}
