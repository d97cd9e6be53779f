package dev.pqdtls.jna;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.nativeabi.NativeBackend;
import dev.pqdtls.nativeabi.NativeLibraryLoader;
import dev.pqdtls.nativeabi.NativeStatus;
import dev.pqdtls.nativeabi.NativeUdpTransport;
import dev.pqdtls.spi.DatagramTransport;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.RecordProtection;
import dev.pqdtls.spi.TranscriptHash;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The native backend for JDK 17+: the ffm backend's native library and libcrypto, called through JNA
 * direct mapping instead of the FFM API (which is final only from JDK 22). Record protection,
 * hashing, key derivation, randomness and the batched UDP data plane are {@code libpqdtls_native};
 * public-key operations are libcrypto's EVP API ({@link PublicKeyOperations}). Ranked below ffm, so
 * on JDK 22+ ffm wins and on 17-21 this one does whenever JNA and the native library load;
 * {@link #checkUsable()} says what is missing otherwise.
 */
public final class JnaBackend extends NativeBackend {
    /** Below ffm (100), above the pure-Java fallback. */
    public static final int PRIORITY = 90;
    private static final String JNA_MISSING = "JNA is not on the class path (add net.java.dev.jna:jna 5.x)";

    private final PublicKeyOperations publicKey = new PublicKeyOperations();

    /** Cheap and never throws: nothing (not even JNA) is loaded until a method needs it. */
    public JnaBackend() {
    }

    @Override
    public String name() {
        return "jna";
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    protected PublicKeyOperations publicKey() {
        return publicKey;
    }

    /** JNA first: without it nothing below can even be asked. */
    @Override
    protected Optional<String> libcryptoReason() {
        return jnaPresent() ? JnaLibcrypto.unavailableReason() : Optional.of(JNA_MISSING);
    }

    @Override
    protected Optional<String> libraryReason() {
        return PqdtlsLibrary.unavailableReason();
    }

    @Override
    protected String libcryptoVersion() {
        return JnaLibcrypto.version();
    }

    @Override
    protected String recordsPath() {
        return "(JNA, one call per batch)";
    }

    /** JNA itself missing from the class path is the likely failure here, and the user can fix it. */
    @Override
    protected String initialisationFailure(Throwable e) {
        if (e instanceof LinkageError && !jnaPresent()) {
            return JNA_MISSING;
        }
        return super.initialisationFailure(e);
    }

    private static boolean jnaPresent() {
        try {
            Class.forName("com.sun.jna.Native", false, JnaBackend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            out.put("java", Runtime.version() + " (JNA " + jnaVersion() + ")");
            out.put("libcrypto", JnaLibcrypto.unavailableReason().map(r -> "unavailable: " + r)
                    .orElseGet(() -> JnaLibcrypto.version() + " (" + JnaLibcrypto.source() + ")"));
            out.put("libpqdtls_native", PqdtlsLibrary.unavailableReason()
                    .orElseGet(() -> "ABI " + NativeLibraryLoader.ABI_VERSION + " from " + PqdtlsLibrary.source()));
            out.put("UDP data plane", JnaDatagramEngine.unavailableReason()
                    .map(r -> "JDK DatagramSocket (native: " + r + ")")
                    .orElseGet(() -> {
                        JnaDatagramEngine.Capabilities c = JnaDatagramEngine.capabilities();
                        return "native sendmmsg/recvmmsg via JNA; UDP GSO " + (c.gso() ? "available" : "not available")
                                + ", UDP GRO " + (c.gro() ? "available" : "not available");
                    }));
            out.putAll(publicKey.details());
        } catch (Throwable e) {
            out.put("error", "details incomplete: " + e);
        }
        return Collections.unmodifiableMap(out);
    }

    private static String jnaVersion() {
        try {
            return com.sun.jna.Native.VERSION;
        } catch (NoClassDefFoundError e) {
            return "not on the class path";
        }
    }

    @Override
    public Map<String, Boolean> cpuFeatures() {
        if (checkUsable().isPresent()) {
            return Map.of();
        }
        int mask = PqdtlsNative.pqdtls_cpu_features();
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (int bit = 0; bit < Integer.SIZE; bit++) {
            String name = PqdtlsNative.pqdtls_cpu_feature_name(bit);
            if (name != null) {
                out.put(name, (mask & (1 << bit)) != 0);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public RecordProtection recordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        return JnaRecordProtection.create(Objects.requireNonNull(suite, "suite"), key, iv, recordNumberKey);
    }

    @Override
    public TranscriptHash newTranscriptHash(HashAlgorithm hash) {
        return JnaTranscriptHash.create(Objects.requireNonNull(hash, "hash"));
    }

    @Override
    public byte[] hmac(HashAlgorithm hash, byte[] key, byte[] data) {
        byte[] out = new byte[hash.length()];
        Staging s = Staging.begin((long) key.length + data.length + out.length);
        try {
            long at = s.reserve(out.length);
            int rc = PqdtlsNative.pqdtls_hmac(NativeStatus.hashId(hash), s.copyIn(key), key.length, s.copyIn(data),
                    data.length, at);
            NativeStatus.check(rc, hash, "HMAC");
            s.copyOut(at, out);
        } finally {
            s.wipe();
        }
        return out;
    }

    @Override
    public byte[] hkdfExtract(HashAlgorithm hash, byte[] salt, byte[] ikm) {
        byte[] out = new byte[hash.length()];
        Staging s = Staging.begin((long) salt.length + ikm.length + out.length);
        try {
            long at = s.reserve(out.length);
            int rc = PqdtlsNative.pqdtls_hkdf_extract(NativeStatus.hashId(hash), s.copyIn(salt), salt.length,
                    s.copyIn(ikm), ikm.length, at);
            NativeStatus.check(rc, "HKDF-Extract");
            s.copyOut(at, out);
        } finally {
            s.wipe();
        }
        return out;
    }

    @Override
    public byte[] hkdfExpand(HashAlgorithm hash, byte[] prk, byte[] info, int length) {
        checkExpandLength(hash, length);
        byte[] out = new byte[length];
        Staging s = Staging.begin((long) prk.length + info.length + length);
        try {
            long at = s.reserve(length);
            int rc = PqdtlsNative.pqdtls_hkdf_expand(NativeStatus.hashId(hash), s.copyIn(prk), prk.length,
                    s.copyIn(info), info.length, at, length);
            NativeStatus.check(rc, "HKDF-Expand");
            s.copyOut(at, out);
        } finally {
            s.wipe();
        }
        return out;
    }

    @Override
    public void randomBytes(byte[] out) {
        if (out.length == 0) {
            return;
        }
        Staging s = Staging.begin(out.length);
        try {
            long at = s.reserve(out.length);
            NativeStatus.check(PqdtlsNative.pqdtls_random_bytes(at, out.length), "RAND_bytes");
            s.copyOut(at, out);
        } finally {
            s.wipe();
        }
    }

    /** The native batched transport (the library has loaded by the time this backend is usable). */
    @Override
    public DatagramTransport openTransport(InetSocketAddress bind, DatagramTransport.Options options) throws IOException {
        if (JnaDatagramEngine.unavailableReason().isPresent()) {
            return super.openTransport(bind, options);
        }
        return new NativeUdpTransport(JnaDatagramEngine.open(bind, NativeUdpTransport.engineOptions(options)),
                options.offload(), "via JNA");
    }
}
