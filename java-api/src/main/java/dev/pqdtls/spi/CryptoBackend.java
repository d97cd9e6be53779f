package dev.pqdtls.spi;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cryptography the DTLS 1.3 engine needs, supplied by a backend found with
 * {@link java.util.ServiceLoader}. The usable backend with the highest {@link #priority()} is chosen
 * unless the system property {@code pqdtls.backend} or the configuration names one.
 *
 * <p>Constructors must be cheap and must not fail: a backend that cannot run reports why through
 * {@link #checkUsable()}. All other methods may assume {@code checkUsable()} returned empty.
 * Implementations are thread-safe; the objects they hand out are not, unless they say so.
 */
public interface CryptoBackend {

    /**
     * Short stable name used in {@code pqdtls.backend} and in output, e.g. {@code ffm}: the class's
     * simple name without {@code Backend}, in lower case ({@code FfmBackend} is {@code ffm}), so that a
     * backend whose class this JVM cannot load (e.g. Java 22 code on Java 17) is still named the same.
     */
    String name();

    /** Higher wins among usable backends. */
    int priority();

    /** Why this backend cannot run here, or empty if it can. Must not throw. */
    Optional<String> checkUsable();

    /**
     * Which implementation serves each primitive, in display order, e.g.
     * {@code "ML-KEM-768" -> "libcrypto 3.5.4"} or {@code "AES-GCM" -> "SunJCE 25"}.
     */
    Map<String, String> implementations();

    /**
     * Facts about the libraries behind this backend for the capability probe, e.g.
     * {@code "libcrypto" -> "3.5.4 (/path/libcrypto.so.3)"} or {@code "liboqs" -> "not found: ..."}.
     */
    default Map<String, String> details() {
        return Map.of();
    }

    /**
     * Native contexts this backend holds now, by kind (e.g. {@code "record protection" -> 4}): created
     * minus freed, for the whole process. Once every connection has ended each count must come back to
     * zero (kinds freed by the garbage collector, after a collection); one that does not is a leak.
     * Empty for a backend without native state.
     */
    default Map<String, Long> liveNativeContexts() {
        return Map.of();
    }

    /**
     * CPU crypto features as this backend's native code detects them (cpuid/xgetbv on x86,
     * getauxval on aarch64), e.g. {@code "AES-NI" -> true}; empty if the backend cannot tell.
     */
    default Map<String, Boolean> cpuFeatures() {
        return Map.of();
    }

    // --- record protection -------------------------------------------------------------------

    /**
     * Record protection for one direction and epoch.
     *
     * @param key the write key, {@link CipherSuite#keyLength()} bytes
     * @param iv the write IV, 12 bytes
     * @param recordNumberKey the sn_key of RFC 9147 §4.2.3, {@link CipherSuite#keyLength()} bytes
     * @throws IllegalArgumentException if a length is wrong, naming the expected length
     */
    RecordProtection recordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey);

    // --- hashing and key derivation ----------------------------------------------------------

    /** A new empty transcript hash. */
    TranscriptHash newTranscriptHash(HashAlgorithm hash);

    /** One-shot hash of {@code data}. */
    default byte[] digest(HashAlgorithm hash, byte[] data) {
        TranscriptHash h = newTranscriptHash(hash);
        h.update(data, 0, data.length);
        return h.current();
    }

    /** HMAC (RFC 2104) of {@code data} under {@code key}. */
    byte[] hmac(HashAlgorithm hash, byte[] key, byte[] data);

    /** HKDF-Extract (RFC 5869 §2.2); an empty salt means a string of hash-length zeros. */
    byte[] hkdfExtract(HashAlgorithm hash, byte[] salt, byte[] ikm);

    /**
     * HKDF-Expand (RFC 5869 §2.3).
     *
     * @throws IllegalArgumentException if {@code length} exceeds 255 times the hash length
     */
    byte[] hkdfExpand(HashAlgorithm hash, byte[] prk, byte[] info, int length);

    /**
     * HKDF-Expand-Label (RFC 8446 §7.1) with a caller-chosen label prefix: {@code "tls13 "} for TLS
     * 1.3, {@code "dtls13"} for DTLS 1.3 (RFC 9147 §5.9).
     */
    default byte[] hkdfExpandLabel(HashAlgorithm hash, byte[] secret, String labelPrefix, String label,
            byte[] context, int length) {
        byte[] fullLabel = (labelPrefix + label).getBytes(StandardCharsets.US_ASCII);
        if (fullLabel.length > 255 || context.length > 255 || length > 0xFFFF) {
            throw new IllegalArgumentException("HkdfLabel field too long");
        }
        byte[] info = new byte[2 + 1 + fullLabel.length + 1 + context.length];
        info[0] = (byte) (length >>> 8);
        info[1] = (byte) length;
        info[2] = (byte) fullLabel.length;
        System.arraycopy(fullLabel, 0, info, 3, fullLabel.length);
        info[3 + fullLabel.length] = (byte) context.length;
        System.arraycopy(context, 0, info, 4 + fullLabel.length, context.length);
        return hkdfExpand(hash, secret, info, length);
    }

    // --- the TLS 1.3 key schedule, one call per step ----------------------------------------
    // Defaults build on the primitives above; a backend whose primitives cost a native call each
    // overrides them to derive a whole step in one.

    /**
     * One stage of the TLS 1.3 key schedule (RFC 8446 §7.1) and the secrets derived from it, with
     * the traffic keys (RFC 8446 §7.3, RFC 9147 §4.2.3) of the first {@code keyed} of those secrets:
     * <pre>
     * stage     = HKDF-Extract(Derive-Secret(previous, "derived", ""), ikm)
     * secret[i] = Derive-Secret(stage, labels[i], transcriptHash)
     * key[i], iv[i], sn_key[i] = HKDF-Expand-Label(secret[i], "key" / "iv" / "sn", "", keyLength / 12 / keyLength)
     * </pre>
     *
     * @param previous the previous stage secret, or empty for the early secret without a PSK
     *     (HKDF-Extract(0, 0))
     * @param ikm the input keying material, or empty for hash-length zeros (the master secret)
     * @param labels Derive-Secret labels without the prefix, e.g. {@code "c hs traffic"}
     * @return {@code stage || secret[0] || ... || key[0] || iv[0] || sn_key[0] || ...}: hash-length
     *     secrets, then {@code 2 * keyLength + 12} bytes of keys per keyed secret
     */
    default byte[] keyScheduleStep(HashAlgorithm hash, String labelPrefix, byte[] previous, byte[] ikm,
            byte[] transcriptHash, List<String> labels, int keyed, int keyLength) {
        int h = hash.length();
        if (keyed < 0 || keyed > labels.size()) {
            throw new IllegalArgumentException("keyed " + keyed + " is outside 0.." + labels.size());
        }
        byte[] out = new byte[h * (1 + labels.size()) + keyed * (2 * keyLength + CipherSuite.IV_LENGTH)];
        byte[] from = previous.length > 0 ? previous : hkdfExtract(hash, new byte[h], new byte[h]);
        byte[] derived = hkdfExpandLabel(hash, from, labelPrefix, "derived", digest(hash, new byte[0]), h);
        byte[] stage = hkdfExtract(hash, derived, ikm.length > 0 ? ikm : new byte[h]);
        Arrays.fill(derived, (byte) 0);
        if (from != previous) {
            Arrays.fill(from, (byte) 0);
        }
        System.arraycopy(stage, 0, out, 0, h);
        for (int i = 0; i < labels.size(); i++) {
            byte[] secret = hkdfExpandLabel(hash, stage, labelPrefix, labels.get(i), transcriptHash, h);
            System.arraycopy(secret, 0, out, h * (1 + i), h);
            if (i < keyed) {
                byte[] keys = trafficKeys(hash, labelPrefix, secret, keyLength);
                System.arraycopy(keys, 0, out, h * (1 + labels.size()) + i * keys.length, keys.length);
                Arrays.fill(keys, (byte) 0);
            }
            Arrays.fill(secret, (byte) 0);
        }
        Arrays.fill(stage, (byte) 0);
        return out;
    }

    /** {@code key || iv || sn_key} of a traffic secret (RFC 8446 §7.3, RFC 9147 §4.2.3). */
    default byte[] trafficKeys(HashAlgorithm hash, String labelPrefix, byte[] secret, int keyLength) {
        byte[] out = new byte[2 * keyLength + CipherSuite.IV_LENGTH];
        String[] labels = {"key", "iv", "sn"};
        int[] lengths = {keyLength, CipherSuite.IV_LENGTH, keyLength};
        for (int i = 0, at = 0; i < labels.length; at += lengths[i], i++) {
            byte[] part = hkdfExpandLabel(hash, secret, labelPrefix, labels[i], new byte[0], lengths[i]);
            System.arraycopy(part, 0, out, at, part.length);
            Arrays.fill(part, (byte) 0);
        }
        return out;
    }

    /**
     * Finished verify_data (RFC 8446 §4.4.4): HMAC(finished_key, transcriptHash) with finished_key =
     * HKDF-Expand-Label(baseKey, "finished", "", Hash.length).
     */
    default byte[] finishedVerifyData(HashAlgorithm hash, String labelPrefix, byte[] baseKey, byte[] transcriptHash) {
        byte[] key = hkdfExpandLabel(hash, baseKey, labelPrefix, "finished", new byte[0], hash.length());
        try {
            return hmac(hash, key, transcriptHash);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    // --- key exchange ------------------------------------------------------------------------

    /**
     * Ephemeral key exchange for {@code group}. Backends implement the components (X25519,
     * secp256r1, MLKEM768); the hybrids are composed from them by
     * {@link dev.pqdtls.spi.HybridKeyExchange} unless a backend has a better way.
     */
    default KeyExchange keyExchange(NamedGroup group) {
        switch (group) {
            case X25519_MLKEM768:
                return new HybridKeyExchange(group, keyExchange(NamedGroup.MLKEM768),
                        keyExchange(NamedGroup.X25519), true);
            case SECP256R1_MLKEM768:
                return new HybridKeyExchange(group, keyExchange(NamedGroup.SECP256R1),
                        keyExchange(NamedGroup.MLKEM768), false);
            default:
                return componentKeyExchange(group);
        }
    }

    /** Key exchange for a non-hybrid group: X25519, SECP256R1 or MLKEM768. */
    KeyExchange componentKeyExchange(NamedGroup group);

    /**
     * Static ECDH for known-answer tests: our raw private scalar (32 bytes, big-endian for
     * secp256r1, RFC 7748 little-endian for X25519) with the peer's public value (uncompressed point
     * or 32-byte u-coordinate).
     *
     * @throws InvalidKeyShareException if the peer value is invalid or, for X25519, the result is
     *     all zero
     */
    byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException;

    /** Deterministic ML-KEM operations for known-answer tests, where the backend exposes them. */
    Optional<MlKemKnownAnswer> mlKemKnownAnswer();

    // --- signatures --------------------------------------------------------------------------

    /**
     * Signs {@code message} (the whole message, not a digest) with {@code key}.
     *
     * @throws IllegalArgumentException if the key does not fit the scheme
     */
    byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message);

    /**
     * Verifies a signature; false for any malformed or wrong signature, never an exception for
     * hostile input.
     *
     * @throws IllegalArgumentException if the key does not fit the scheme
     */
    boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature);

    // --- transport ---------------------------------------------------------------------------

    /**
     * Opens the UDP socket the protocol engine uses with this backend. The default is the JDK's
     * {@link java.net.DatagramSocket}; backends with a faster data plane override it.
     */
    default DatagramTransport openTransport(java.net.InetSocketAddress bind, DatagramTransport.Options options)
            throws java.io.IOException {
        return new dev.pqdtls.internal.runtime.SocketTransport(bind, options);
    }

    // --- randomness --------------------------------------------------------------------------

    /** Fills {@code out} from a cryptographically secure generator. */
    void randomBytes(byte[] out);
}
