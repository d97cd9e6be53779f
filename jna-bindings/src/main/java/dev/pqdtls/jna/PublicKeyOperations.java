package dev.pqdtls.jna;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.nativeabi.MlKemSources;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The public-key half of the jna backend, as the ffm backend's: ECDH (X25519, secp256r1), ML-KEM-768
 * and signatures through libcrypto's EVP API, with ML-KEM from the best source present (DESIGN.md §3,
 * {@link MlKemSources}): libcrypto ≥ 3.5, then liboqs, then pure Java. Construction is cheap and never
 * fails; the source is chosen once per process.
 */
final class PublicKeyOperations {
    private static volatile MlKemSources.Choice mlKem;

    /** Why these operations cannot run (libcrypto missing or lacking a function), or empty. */
    Optional<String> unavailableReason() {
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

    /** Which library serves each public-key primitive, in display order. */
    Map<String, String> implementations() {
        Map<String, String> out = new LinkedHashMap<>();
        if (unavailableReason().isPresent()) {
            return out;
        }
        String libcrypto = "libcrypto " + JnaLibcrypto.version();
        out.put("X25519", libcrypto);
        out.put("secp256r1", libcrypto);
        out.put("ML-KEM-768", mlKem().implementation());
        out.put("ECDSA P-256", libcrypto);
        out.put("Ed25519", libcrypto);
        out.put("RSA-PSS", libcrypto);
        out.put("RSA-PKCS1 (verify only)", libcrypto);
        return Collections.unmodifiableMap(out);
    }

    /** Facts for the capability probe: where ML-KEM comes from, why better sources were skipped, liboqs. */
    Map<String, String> details() {
        if (unavailableReason().isPresent()) {
            return Map.of("liboqs", OqsMlKem.describe());
        }
        return mlKem().details(OqsMlKem.describe());
    }

    KeyExchange componentKeyExchange(NamedGroup group) {
        Objects.requireNonNull(group, "group");
        requireAvailable();
        return switch (group) {
            case X25519, SECP256R1 -> EcdhKeyExchange.of(group);
            case MLKEM768 -> mlKem().exchange();
            default -> throw new IllegalArgumentException(group + " is a hybrid; use CryptoBackend.keyExchange");
        };
    }

    byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(peerPublic, "peerPublic");
        requireAvailable();
        if (group != NamedGroup.X25519 && group != NamedGroup.SECP256R1) {
            throw new IllegalArgumentException("static ECDH is defined for X25519 and secp256r1, not " + group);
        }
        return EcdhKeyExchange.of(group).ecdh(privateKey, peerPublic);
    }

    Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        return unavailableReason().isPresent() ? Optional.empty() : mlKem().knownAnswer();
    }

    byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        requireAvailable();
        return EvpSignature.sign(scheme, key, message);
    }

    boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        requireAvailable();
        return EvpSignature.verify(scheme, key, message, signature);
    }

    private void requireAvailable() {
        unavailableReason().ifPresent(why -> {
            throw new IllegalStateException("jna public-key operations unavailable: " + why);
        });
    }

    private static MlKemSources.Choice mlKem() {
        MlKemSources.Choice s = mlKem;
        if (s == null) {
            synchronized (PublicKeyOperations.class) {
                s = mlKem;
                if (s == null) {
                    s = MlKemSources.choose(LibcryptoMlKem::probe, OqsMlKem::probe);
                    mlKem = s;
                }
            }
        }
        return s;
    }
}
