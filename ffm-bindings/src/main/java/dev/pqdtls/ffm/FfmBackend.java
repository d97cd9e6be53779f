package dev.pqdtls.ffm;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import dev.pqdtls.spi.RecordProtection;
import dev.pqdtls.spi.TranscriptHash;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The native backend: record protection, hashing and key derivation in {@code libpqdtls_native}
 * on libcrypto, public-key operations through {@link PublicKeyOperations}. Needs JDK 22+ (the FFM
 * API), native access, libcrypto ≥ 3.0 and the native library; {@link #checkUsable()} says which
 * is missing.
 */
public final class FfmBackend implements CryptoBackend {
    /** Above the pure-Java fallback. */
    public static final int PRIORITY = 100;

    private final PublicKeyOperations publicKey = new PublicKeyOperations();

    /** Cheap and never throws: nothing is loaded until a method needs it. */
    public FfmBackend() {
    }

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Optional<String> checkUsable() {
        try {
            Optional<String> libcrypto = Libcrypto.unavailableReason();
            if (libcrypto.isPresent()) {
                return libcrypto;
            }
            Optional<String> library = NativeLibrary.unavailableReason();
            if (library.isPresent()) {
                return library;
            }
            Optional<String> publicKeyReason = publicKey.unavailableReason();
            if (publicKeyReason.isPresent()) {
                return Optional.of("public-key operations: " + publicKeyReason.get());
            }
            return Optional.empty();
        } catch (Throwable e) {
            return Optional.of("ffm backend failed to initialise: " + e);
        }
    }

    @Override
    public Map<String, String> implementations() {
        Map<String, String> out = new LinkedHashMap<>();
        if (checkUsable().isPresent()) {
            return out;
        }
        String libcrypto = "libcrypto " + Libcrypto.version();
        String records = libcrypto + " via libpqdtls_native (one downcall per batch)";
        out.put("AES-GCM", records);
        out.put("ChaCha20-Poly1305", records);
        out.put("HKDF/HMAC/SHA-2", libcrypto);
        out.put("Random", libcrypto + " RAND_bytes");
        out.putAll(publicKey.implementations());
        return Collections.unmodifiableMap(out);
    }

    @Override
    public Map<String, Long> liveNativeContexts() {
        return NativeContexts.snapshot();
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            out.put("java", Runtime.version() + " (native access " + nativeAccess() + ")");
            out.put("libcrypto", Libcrypto.unavailableReason()
                    .map(r -> "unavailable: " + r)
                    .orElseGet(() -> Libcrypto.version() + " (" + Libcrypto.source() + ")"));
            out.put("libpqdtls_native", NativeLibrary.unavailableReason()
                    .orElseGet(() -> "ABI " + NativeLibrary.ABI_VERSION + " from " + NativeLibrary.source()));
            out.put("UDP data plane", NativeDatagramEngine.unavailableReason().map(r -> "JDK DatagramSocket (native: " + r + ")")
                    .orElseGet(() -> {
                        NativeDatagramEngine.Capabilities c = NativeDatagramEngine.capabilities();
                        return "native sendmmsg/recvmmsg; UDP GSO " + (c.gso() ? "available" : "not available")
                                + ", UDP GRO " + (c.gro() ? "available" : "not available");
                    }));
            out.putAll(publicKey.details());
        } catch (Throwable e) {
            out.put("error", "details incomplete: " + e);
        }
        return Collections.unmodifiableMap(out);
    }

    private static String nativeAccess() {
        Module module = FfmBackend.class.getModule();
        return module.isNativeAccessEnabled() ? "enabled" : "not enabled; add " + NativeLibrary.nativeAccessFlag();
    }

    @Override
    public Map<String, Boolean> cpuFeatures() {
        if (NativeLibrary.unavailableReason().isPresent()) {
            return Map.of();
        }
        try {
            int mask = (int) NativeAbi.CPU_FEATURES.invokeExact();
            Map<String, Boolean> out = new LinkedHashMap<>();
            for (int bit = 0; bit < Integer.SIZE; bit++) {
                MemorySegment name = (MemorySegment) NativeAbi.CPU_FEATURE_NAME.invokeExact(bit);
                if (!name.equals(MemorySegment.NULL)) {
                    out.put(name.reinterpret(64).getString(0), (mask & (1 << bit)) != 0);
                }
            }
            return Collections.unmodifiableMap(out);
        } catch (Throwable e) {
            return Map.of();
        }
    }

    @Override
    public RecordProtection recordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        Objects.requireNonNull(suite, "suite");
        return NativeRecordProtection.create(suite, key, iv, recordNumberKey);
    }

    @Override
    public TranscriptHash newTranscriptHash(HashAlgorithm hash) {
        return NativeTranscriptHash.create(Objects.requireNonNull(hash, "hash"));
    }

    @Override
    public byte[] digest(HashAlgorithm hash, byte[] data) {
        TranscriptHash h = newTranscriptHash(hash);
        h.update(data, 0, data.length);
        return h.current();
    }

    @Override
    public byte[] hmac(HashAlgorithm hash, byte[] key, byte[] data) {
        byte[] out = new byte[hash.length()];
        int rc;
        try {
            rc = (int) NativeAbi.HMAC.invokeExact(NativeAbi.hashId(hash), MemorySegment.ofArray(key),
                    (long) key.length, MemorySegment.ofArray(data), (long) data.length, MemorySegment.ofArray(out));
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
        NativeAbi.check(rc, "HMAC-" + hash.jcaName());
        return out;
    }

    @Override
    public byte[] hkdfExtract(HashAlgorithm hash, byte[] salt, byte[] ikm) {
        byte[] out = new byte[hash.length()];
        int rc;
        try {
            rc = (int) NativeAbi.HKDF_EXTRACT.invokeExact(NativeAbi.hashId(hash), MemorySegment.ofArray(salt),
                    (long) salt.length, MemorySegment.ofArray(ikm), (long) ikm.length, MemorySegment.ofArray(out));
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
        NativeAbi.check(rc, "HKDF-Extract");
        return out;
    }

    @Override
    public byte[] hkdfExpand(HashAlgorithm hash, byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * hash.length()) {
            throw new IllegalArgumentException("HKDF-Expand length " + length + " is outside 0.." + 255 * hash.length()
                    + " for " + hash.jcaName());
        }
        byte[] out = new byte[length];
        int rc;
        try {
            rc = (int) NativeAbi.HKDF_EXPAND.invokeExact(NativeAbi.hashId(hash), MemorySegment.ofArray(prk),
                    (long) prk.length, MemorySegment.ofArray(info), (long) info.length, MemorySegment.ofArray(out),
                    (long) length);
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
        NativeAbi.check(rc, "HKDF-Expand");
        return out;
    }

    @Override
    public KeyExchange componentKeyExchange(NamedGroup group) {
        return publicKey.componentKeyExchange(group);
    }

    @Override
    public byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        return publicKey.ecdh(group, privateKey, peerPublic);
    }

    @Override
    public Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        return publicKey.mlKemKnownAnswer();
    }

    @Override
    public byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        return publicKey.sign(scheme, key, message);
    }

    @Override
    public boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        return publicKey.verify(scheme, key, message, signature);
    }

    @Override
    public void randomBytes(byte[] out) {
        if (out.length == 0) {
            return;
        }
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(out.length);
            try {
                rc = (int) NativeAbi.RANDOM_BYTES.invokeExact(buffer, (long) out.length);
                MemorySegment.copy(buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, out, 0, out.length);
            } finally {
                buffer.fill((byte) 0);
            }
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
        NativeAbi.check(rc, "RAND_bytes");
    }

    @Override
    public String toString() {
        return "FfmBackend[" + checkUsable().map(r -> "unusable: " + r).orElse("usable") + "]";
    }

    /**
     * The native batched transport when the native library loaded (it always has by the time this
     * backend is usable); the JDK socket otherwise.
     */
    @Override
    public dev.pqdtls.spi.DatagramTransport openTransport(java.net.InetSocketAddress bind,
            dev.pqdtls.spi.DatagramTransport.Options options) throws java.io.IOException {
        if (NativeDatagramEngine.unavailableReason().isPresent()) {
            return CryptoBackend.super.openTransport(bind, options);
        }
        return new NativeTransport(bind, options);
    }
}
