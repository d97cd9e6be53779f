package dev.pqdtls.ffm;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.nativeabi.NativeBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.RecordProtection;
import dev.pqdtls.spi.TranscriptHash;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
public final class FfmBackend extends NativeBackend {
    /** Above the pure-Java fallback. */
    public static final int PRIORITY = 100;

    private final PublicKeyOperations publicKey = new PublicKeyOperations();
    /**
     * Whether RAND_bytes has returned once in this process: only the first call can wait (for the
     * kernel to seed the generator), so later ones may be critical downcalls straight into the array.
     */
    private static volatile boolean randomSeeded;

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
    protected PublicKeyOperations publicKey() {
        return publicKey;
    }

    @Override
    protected Optional<String> libcryptoReason() {
        return Libcrypto.unavailableReason();
    }

    @Override
    protected Optional<String> libraryReason() {
        return NativeLibrary.unavailableReason();
    }

    @Override
    protected String libcryptoVersion() {
        return Libcrypto.version();
    }

    @Override
    protected String recordsPath() {
        return "(one downcall per batch)";
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
    public byte[] hmac(HashAlgorithm hash, byte[] key, byte[] data) {
        byte[] out = new byte[hash.length()];
        int rc;
        try {
            rc = (int) NativeAbi.HMAC.invokeExact(NativeAbi.hashId(hash), MemorySegment.ofArray(key),
                    (long) key.length, MemorySegment.ofArray(data), (long) data.length, MemorySegment.ofArray(out));
        } catch (Throwable e) {
            throw NativeRecordProtection.rethrow(e);
        }
        NativeAbi.check(rc, hash, "HMAC");
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
        checkExpandLength(hash, length);
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
    public void randomBytes(byte[] out) {
        if (out.length == 0) {
            return;
        }
        int rc;
        if (randomSeeded) {
            try {
                rc = (int) NativeAbi.RANDOM_BYTES_SEEDED.invokeExact(MemorySegment.ofArray(out), (long) out.length);
            } catch (Throwable e) {
                throw NativeRecordProtection.rethrow(e);
            }
            NativeAbi.check(rc, "RAND_bytes");
            return;
        }
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
        randomSeeded = true;
    }

    /**
     * The native batched transport when the native library loaded (it always has by the time this
     * backend is usable); the JDK socket otherwise.
     */
    @Override
    public dev.pqdtls.spi.DatagramTransport openTransport(java.net.InetSocketAddress bind,
            dev.pqdtls.spi.DatagramTransport.Options options) throws java.io.IOException {
        if (NativeDatagramEngine.unavailableReason().isPresent()) {
            return super.openTransport(bind, options);
        }
        return new dev.pqdtls.nativeabi.NativeUdpTransport(NativeDatagramEngine.open(bind,
                dev.pqdtls.nativeabi.NativeUdpTransport.engineOptions(options)), options.offload(), "");
    }
}
