package dev.pqdtls.nativeabi;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the two native backends (ffm, jna) share above their bindings: the usability rule (libcrypto,
 * then our library, then the public-key bindings, each failure with its reason), what the probe lists
 * per primitive, the handshake's steps in one C call each (the TLS 1.3 key schedule in kdf.c, key
 * exchange and signatures in pk.c, through the subclass's {@link HandshakeCalls}) and the public-key
 * operations ({@link PublicKeyOperationsBase}). Record protection, hashing, the HMAC/HKDF primitives,
 * randomness and the transport are the subclass's calls into the same C ABI.
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

    /** The two TLS 1.3 label prefixes, encoded once. */
    private static final byte[] DTLS13 = "dtls13".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TLS13 = "tls13 ".getBytes(StandardCharsets.US_ASCII);

    private HandshakeCalls calls() {
        return publicKey().calls();
    }

    @Override
    public final byte[] digest(HashAlgorithm hash, byte[] data) {
        byte[] out = new byte[hash.length()];
        check(calls().digest(NativeStatus.hashId(hash), data, out), "digest");
        return out;
    }

    // --- the TLS 1.3 key schedule: one C call per step (kdf.c) ------------------------------------

    @Override
    public final byte[] keyScheduleStep(HashAlgorithm hash, String labelPrefix, byte[] previous, byte[] ikm,
            byte[] transcriptHash, List<String> labels, int keyed, int keyLength) {
        if (keyed < 0 || keyed > labels.size()) {
            throw new IllegalArgumentException("keyed " + keyed + " is outside 0.." + labels.size());
        }
        byte[] out = new byte[hash.length() * (1 + labels.size()) + keyed * (2 * keyLength + CipherSuite.IV_LENGTH)];
        check(calls().scheduleStep(NativeStatus.hashId(hash), ascii(labelPrefix), previous, ikm, transcriptHash,
                labels(labels), keyed, keyLength, out), "TLS 1.3 key schedule step");
        return out;
    }

    @Override
    public final byte[] trafficKeys(HashAlgorithm hash, String labelPrefix, byte[] secret, int keyLength) {
        byte[] out = new byte[2 * keyLength + CipherSuite.IV_LENGTH];
        check(calls().trafficKeys(NativeStatus.hashId(hash), ascii(labelPrefix), secret, keyLength, out),
                "TLS 1.3 traffic keys");
        return out;
    }

    @Override
    public final byte[] finishedVerifyData(HashAlgorithm hash, String labelPrefix, byte[] baseKey,
            byte[] transcriptHash) {
        byte[] out = new byte[hash.length()];
        check(calls().finished(NativeStatus.hashId(hash), ascii(labelPrefix), baseKey, transcriptHash, out),
                "TLS 1.3 Finished");
        return out;
    }

    /** Without building the message unless the call failed. */
    private static void check(int status, String operation) {
        if (status < 0) {
            NativeStatus.check(status, operation);
        }
    }

    /** ASCII bytes of a label prefix, without encoding the usual two again. */
    private static byte[] ascii(String prefix) {
        return switch (prefix) {
            case "dtls13" -> DTLS13;
            case "tls13 " -> TLS13;
            default -> prefix.getBytes(StandardCharsets.US_ASCII);
        };
    }

    /** Labels as pqdtls_tls13_schedule_step takes them: each a length byte and its ASCII bytes. */
    private static byte[] labels(List<String> labels) {
        int length = 0;
        for (String l : labels) {
            if (l.length() > 255) {
                throw new IllegalArgumentException("label longer than 255 bytes: " + l);
            }
            length += 1 + l.length();
        }
        byte[] out = new byte[length];
        int at = 0;
        for (String l : labels) {
            out[at++] = (byte) l.length();
            for (int i = 0; i < l.length(); i++) {
                out[at++] = (byte) l.charAt(i);
            }
        }
        return out;
    }

    /** HKDF-Expand's output bound (RFC 5869 §2.3), checked before the call. */
    protected static void checkExpandLength(HashAlgorithm hash, int length) {
        if (length < 0 || length > 255 * hash.length()) {
            throw new IllegalArgumentException("HKDF-Expand length " + length + " is outside 0.." + 255 * hash.length()
                    + " for " + hash.jcaName());
        }
    }

    /** In one C call per step where libcrypto has the whole group; otherwise composed by the SPI. */
    @Override
    public final KeyExchange keyExchange(NamedGroup group) {
        Objects.requireNonNull(group, "group");
        return publicKey().nativeExchange(group).<KeyExchange>map(k -> k)
                .orElseGet(() -> CryptoBackend.super.keyExchange(group));
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
