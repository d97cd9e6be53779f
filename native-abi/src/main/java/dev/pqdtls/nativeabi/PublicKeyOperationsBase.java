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
 * secp256r1), ML-KEM-768 and signatures in {@code libpqdtls_native} (pk.c, one C call per step:
 * {@link NativeKeyExchange}, {@link NativeSignatures}), with ML-KEM from the best source present
 * ({@link MlKemSources}). The argument checks, the availability rule and what the probe shows are
 * here; the bindings of those C calls are the subclass's (FFM or JNA). Construction is cheap and
 * never fails.
 */
public abstract class PublicKeyOperationsBase {

    /** Why these operations cannot run (libcrypto missing or lacking a function, native access off), or empty. */
    public abstract Optional<String> unavailableReason();

    /** The loaded libcrypto's version, e.g. 3.5.4. */
    protected abstract String libcryptoVersion();

    /** The backend's name, for errors. */
    protected abstract String backendName();

    /** The backend's bindings of the handshake's C calls (touched only once the library is usable). */
    protected abstract HandshakeCalls calls();

    /** The ML-KEM-768 source of this process (chosen once). */
    protected abstract MlKemSources.Choice mlKem();

    /** "0.14.0 at /path" or "not found: ...". */
    protected abstract String liboqsDescription();

    private volatile Map<NamedGroup, Optional<NativeKeyExchange>> exchanges;
    private volatile NativeSignatures signatures;

    /** The native exchange for {@code group} (hybrids included), if this libcrypto can do it (ML-KEM needs 3.5). */
    public final Optional<NativeKeyExchange> nativeExchange(NamedGroup group) {
        Map<NamedGroup, Optional<NativeKeyExchange>> e = exchanges;
        if (e == null) {
            e = NativeKeyExchange.probe(calls()); // racing threads compute the same table
            exchanges = e;
        }
        return e.get(group);
    }

    private NativeSignatures signatures() {
        NativeSignatures s = signatures;
        if (s == null) {
            synchronized (this) {
                s = signatures;
                if (s == null) {
                    s = new NativeSignatures(calls());
                    signatures = s;
                }
            }
        }
        return s;
    }

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
            case X25519, SECP256R1 -> nativeExchange(group).orElseThrow();
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
        return nativeExchange(group).orElseThrow().ecdh(privateKey, peerPublic);
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
        return signatures().sign(scheme, key, message);
    }

    /** See {@link CryptoBackend#verify}. */
    public final boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        requireAvailable();
        return signatures().verify(scheme, key, message, signature);
    }

    private void requireAvailable() {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException(backendName() + " public-key operations unavailable: " + why.get());
        }
    }
}
