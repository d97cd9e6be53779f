package dev.pqdtls.nativeabi;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
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
 * The public-key half of a native backend (handshake only, never per record): ECDH (X25519,
 * secp256r1), ML-KEM-768 and signatures through libcrypto's EVP API, with ML-KEM from the best source
 * present ({@link MlKemSources}). The argument checks, the availability rule and what the probe shows
 * are here; the libcrypto calls are the subclass's (FFM or JNA). Construction is cheap and never fails.
 */
public abstract class PublicKeyOperationsBase {

    /** Why these operations cannot run (libcrypto missing or lacking a function, native access off), or empty. */
    public abstract Optional<String> unavailableReason();

    /** The loaded libcrypto's version, e.g. 3.5.4. */
    protected abstract String libcryptoVersion();

    /** The backend's name, for errors. */
    protected abstract String backendName();

    /** Ephemeral ECDH for X25519 or secp256r1. */
    protected abstract KeyExchange ecdhExchange(NamedGroup group);

    /** Static ECDH (arguments checked non-null, group X25519 or secp256r1). */
    protected abstract byte[] staticEcdh(NamedGroup group, byte[] privateKey, byte[] peerPublic)
            throws InvalidKeyShareException;

    /** The ML-KEM-768 source of this process (chosen once). */
    protected abstract MlKemSources.Choice mlKem();

    /** "0.14.0 at /path" or "not found: ...". */
    protected abstract String liboqsDescription();

    protected abstract byte[] signChecked(SignatureScheme scheme, PrivateKey key, byte[] message);

    protected abstract boolean verifyChecked(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature);

    /** Which library serves each public-key primitive, in display order. */
    public final Map<String, String> implementations() {
        Map<String, String> out = new LinkedHashMap<>();
        if (unavailableReason().isPresent()) {
            return out;
        }
        String libcrypto = "libcrypto " + libcryptoVersion();
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
    public final Map<String, String> details() {
        Map<String, String> out = new LinkedHashMap<>();
        if (unavailableReason().isPresent()) {
            out.put("libcrypto", "unavailable: " + unavailableReason().get());
            out.put("liboqs", liboqsDescription());
            return out;
        }
        out.putAll(mlKem().details(liboqsDescription()));
        return Collections.unmodifiableMap(out);
    }

    /** Ephemeral key exchange for X25519, SECP256R1 or MLKEM768; hybrids are composed by the SPI. */
    public final KeyExchange componentKeyExchange(NamedGroup group) {
        Objects.requireNonNull(group, "group");
        requireAvailable();
        return switch (group) {
            case X25519, SECP256R1 -> ecdhExchange(group);
            case MLKEM768 -> mlKem().exchange();
            default -> throw new IllegalArgumentException(group + " is a hybrid; use CryptoBackend.keyExchange");
        };
    }

    /** See {@link CryptoBackend#ecdh}. */
    public final byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(peerPublic, "peerPublic");
        requireAvailable();
        if (group != NamedGroup.X25519 && group != NamedGroup.SECP256R1) {
            throw new IllegalArgumentException("static ECDH is defined for X25519 and secp256r1, not " + group);
        }
        return staticEcdh(group, privateKey, peerPublic);
    }

    /** Deterministic ML-KEM-768 from the chosen source, where that source exposes it. */
    public final Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        return unavailableReason().isPresent() ? Optional.empty() : mlKem().knownAnswer();
    }

    /** See {@link CryptoBackend#sign}. */
    public final byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        requireAvailable();
        return signChecked(scheme, key, message);
    }

    /** See {@link CryptoBackend#verify}. */
    public final boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        requireAvailable();
        return verifyChecked(scheme, key, message, signature);
    }

    private void requireAvailable() {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException(backendName() + " public-key operations unavailable: " + why.get());
        }
    }
}
