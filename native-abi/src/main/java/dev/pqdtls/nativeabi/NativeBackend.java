package dev.pqdtls.nativeabi;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import dev.pqdtls.spi.TranscriptHash;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the two native backends (ffm, jna) share above their bindings: the usability rule (libcrypto,
 * then our library, then the public-key bindings, each failure with its reason), what the probe lists
 * per primitive, and the public-key operations ({@link PublicKeyOperationsBase}). Record protection,
 * hashing, key derivation, randomness and the transport are the subclass's calls into the same C ABI.
 */
public abstract class NativeBackend implements CryptoBackend {

    /** The backend's public-key operations. */
    protected abstract PublicKeyOperationsBase publicKey();

    /** Why libcrypto is unusable, or empty. */
    protected abstract Optional<String> libcryptoReason();

    /** Why libpqdtls_native is unusable, or empty. */
    protected abstract Optional<String> libraryReason();

    /** The loaded libcrypto's version. */
    protected abstract String libcryptoVersion();

    /** How the records reach libcrypto, after "via libpqdtls_native", e.g. "(one downcall per batch)". */
    protected abstract String recordsPath();

    /** The reason for an unexpected failure while checking; a subclass may recognise its own. */
    protected String initialisationFailure(Throwable e) {
        return name() + " backend failed to initialise: " + e;
    }

    @Override
    public final Optional<String> checkUsable() {
        try {
            Optional<String> libcrypto = libcryptoReason();
            if (libcrypto.isPresent()) {
                return libcrypto;
            }
            Optional<String> library = libraryReason();
            if (library.isPresent()) {
                return library;
            }
            return publicKey().unavailableReason().map(r -> "public-key operations: " + r);
        } catch (Throwable e) {
            return Optional.of(initialisationFailure(e));
        }
    }

    @Override
    public final Map<String, String> implementations() {
        Map<String, String> out = new LinkedHashMap<>();
        if (checkUsable().isPresent()) {
            return out;
        }
        String libcrypto = "libcrypto " + libcryptoVersion();
        String records = libcrypto + " via libpqdtls_native " + recordsPath();
        out.put("AES-GCM", records);
        out.put("ChaCha20-Poly1305", records);
        out.put("AES-CCM", records);
        out.put("HKDF/HMAC/SHA-2", libcrypto + " via libpqdtls_native");
        out.put("Random", libcrypto + " RAND_bytes");
        out.putAll(publicKey().implementations());
        return Collections.unmodifiableMap(out);
    }

    @Override
    public final byte[] digest(HashAlgorithm hash, byte[] data) {
        TranscriptHash h = newTranscriptHash(hash);
        h.update(data, 0, data.length);
        return h.current();
    }

    /** HKDF-Expand's output bound (RFC 5869 §2.3), checked before the call. */
    protected static void checkExpandLength(HashAlgorithm hash, int length) {
        if (length < 0 || length > 255 * hash.length()) {
            throw new IllegalArgumentException("HKDF-Expand length " + length + " is outside 0.." + 255 * hash.length()
                    + " for " + hash.jcaName());
        }
    }

    @Override
    public final KeyExchange componentKeyExchange(NamedGroup group) {
        return publicKey().componentKeyExchange(group);
    }

    @Override
    public final byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        return publicKey().ecdh(group, privateKey, peerPublic);
    }

    @Override
    public final Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        return publicKey().mlKemKnownAnswer();
    }

    @Override
    public final byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        return publicKey().sign(scheme, key, message);
    }

    @Override
    public final boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        return publicKey().verify(scheme, key, message, signature);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + checkUsable().map(r -> "unusable: " + r).orElse("usable") + "]";
    }
}
