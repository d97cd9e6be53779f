package dev.pqdtls.ffm;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.nativeabi.MlKemSources;
import dev.pqdtls.spi.CryptoBackend;
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
 * The public-key half of the ffm backend: ECDH (X25519, secp256r1), ML-KEM-768 and signatures, all
 * through libcrypto's EVP API, with ML-KEM taken from the best source present (DESIGN.md §3):
 * libcrypto ≥ 3.5, then liboqs, then the fallback backend's pure-Java implementation.
 *
 * <p>Construction is cheap and never fails; libraries are touched on first use and the ML-KEM source
 * is chosen once per process. Thread-safe; the key shares it hands out are not.
 */
public final class PublicKeyOperations {

    private static volatile MlKemSources.Choice mlKem;

    public PublicKeyOperations() {
    }

    /** Why these operations cannot run (libcrypto missing or too old, native access off), or empty. */
    public Optional<String> unavailableReason() {
        try {
            return PublicKeyLibcrypto.unavailableReason();
        } catch (Throwable t) {
            return Optional.of("libcrypto bindings failed to initialise: " + t);
        }
    }

    /** Which library serves each public-key primitive, in display order. */
    public Map<String, String> implementations() {
        Map<String, String> out = new LinkedHashMap<>();
        if (unavailableReason().isPresent()) {
            return out;
        }
        String libcrypto = "libcrypto " + Libcrypto.version();
        out.put("X25519", libcrypto);
        out.put("secp256r1", libcrypto);
        out.put("ML-KEM-768", mlKem().implementation());
        out.put("ECDSA P-256", libcrypto);
        out.put("Ed25519", libcrypto);
        out.put("RSA-PSS", libcrypto);
        out.put("RSA-PKCS1 (verify only)", libcrypto);
        return Collections.unmodifiableMap(out);
    }

    /**
     * Facts for the capability probe: where ML-KEM comes from and why better sources were skipped,
     * and whether liboqs was found ("0.14.0 at /path" or "not found: ...").
     */
    public Map<String, String> details() {
        Map<String, String> out = new LinkedHashMap<>();
        if (unavailableReason().isPresent()) {
            out.put("libcrypto", "unavailable: " + unavailableReason().get());
            out.put("liboqs", OqsLibrary.get().describe());
            return out;
        }
        out.putAll(mlKem().details(OqsLibrary.get().describe()));
        return Collections.unmodifiableMap(out);
    }

    /** Ephemeral key exchange for X25519, SECP256R1 or MLKEM768; hybrids are composed by the SPI. */
    public KeyExchange componentKeyExchange(NamedGroup group) {
        Objects.requireNonNull(group, "group");
        requireAvailable();
        return switch (group) {
            case X25519, SECP256R1 -> EcdhKeyExchange.of(group);
            case MLKEM768 -> mlKem().exchange();
            default -> throw new IllegalArgumentException(group + " is a hybrid; use CryptoBackend.keyExchange");
        };
    }

    /** See {@link CryptoBackend#ecdh}. */
    public byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(peerPublic, "peerPublic");
        requireAvailable();
        if (group != NamedGroup.X25519 && group != NamedGroup.SECP256R1) {
            throw new IllegalArgumentException("static ECDH is defined for X25519 and secp256r1, not " + group);
        }
        return EcdhKeyExchange.of(group).ecdh(privateKey, peerPublic);
    }

    /** Deterministic ML-KEM-768 from the chosen source, where that source exposes it. */
    public Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        if (unavailableReason().isPresent()) {
            return Optional.empty();
        }
        return mlKem().knownAnswer();
    }

    /** See {@link CryptoBackend#sign}. */
    public byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        requireAvailable();
        return EvpSignature.sign(scheme, key, message);
    }

    /** See {@link CryptoBackend#verify}. */
    public boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        requireAvailable();
        return EvpSignature.verify(scheme, key, message, signature);
    }

    private void requireAvailable() {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException("ffm public-key operations unavailable: " + why.get());
        }
    }

    private static MlKemSources.Choice mlKem() {
        MlKemSources.Choice s = mlKem;
        if (s == null) {
            synchronized (PublicKeyOperations.class) {
                s = mlKem;
                if (s == null) {
                    s = chooseMlKem();
                    mlKem = s;
                }
            }
        }
        return s;
    }

    /** DESIGN.md §3: libcrypto ≥ 3.5 → liboqs → pure Java (shared rule), with this backend's probes. */
    private static MlKemSources.Choice chooseMlKem() {
        return MlKemSources.choose(() -> {
            LibcryptoMlKem.Probe p = LibcryptoMlKem.probe();
            return p.kem().map(k -> MlKemSources.Candidate.of(k, k.implementation(), Optional.of(k)))
                    .orElseGet(() -> MlKemSources.Candidate.unavailable(p.reason()));
        }, () -> {
            OqsMlKem.Probe p = OqsMlKem.probe();
            return p.kem().map(k -> MlKemSources.Candidate.of(k, k.implementation(), k.knownAnswer()))
                    .orElseGet(() -> MlKemSources.Candidate.unavailable(p.reason()));
        });
    }
}
