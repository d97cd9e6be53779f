package dev.pqdtls.fallback;

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
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * The pure-Java crypto backend: runs anywhere JDK 17+ and Bouncy Castle do. Per primitive it uses
 * whichever of the JDK's providers and Bouncy Castle's lightweight API is faster (measured on x86-64,
 * JDK 17 and 25):
 * <ul>
 * <li>AES-GCM, ChaCha20-Poly1305, AES-ECB and ChaCha20 masks: JDK (SunJCE; AES-GCM with intrinsics
 * is about 10× BC, ChaCha20-Poly1305 about 2.5×);
 * <li>AES-CCM: BC (the JDK has none);
 * <li>SHA-2, HMAC, HKDF on HMAC: JDK;
 * <li>X25519 and secp256r1 ECDH: BC (about 2× the JDK's XDH/ECDH);
 * <li>ML-KEM-768: the JDK on 24+ (about 2.5× BC), BC on 17..23;
 * <li>ECDSA P-256: BC (correct on JDK 17 where SunEC is not, and several times faster), except
 * signing with a key that keeps its scalar to itself (a token's), which goes to the JDK;
 * <li>Ed25519 and RSA signatures: JDK, which takes {@code java.security} keys as they are.
 * </ul>
 * Nothing is registered with {@link java.security.Security}; BC is used through its lightweight API.
 */
public final class FallbackBackend implements CryptoBackend {
    private static final int PRIORITY = 10;

    private final SecureRandom random = new SecureRandom();
    private volatile Map<String, String> implementations;

    /** Cheap and never fails; {@link #checkUsable()} says whether this backend can run. */
    public FallbackBackend() {
    }

    @Override
    public String name() {
        return "fallback";
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Optional<String> checkUsable() {
        try {
            Class.forName(BouncyCastleInfo.PROBE_CLASS, true, FallbackBackend.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("Bouncy Castle is missing: add " + BouncyCastleInfo.MAVEN_COORDINATES
                    + " to the class path (" + e + ")");
        }
        String[] ciphers = {"AES/GCM/NoPadding", "ChaCha20-Poly1305", "AES/ECB/NoPadding", "ChaCha20"};
        for (String transformation : ciphers) {
            try {
                Cipher.getInstance(transformation);
            } catch (GeneralSecurityException | RuntimeException e) {
                return Optional.of("this JDK lacks the cipher " + transformation + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    @Override
    public Map<String, String> implementations() {
        Map<String, String> map = implementations;
        if (map == null) {
            map = new LinkedHashMap<>();
            String bc = "BC " + safeBcVersion();
            map.put("AES-GCM", jcaProvider(() -> Cipher.getInstance("AES/GCM/NoPadding").getProvider()));
            map.put("ChaCha20-Poly1305", jcaProvider(() -> Cipher.getInstance("ChaCha20-Poly1305").getProvider()));
            map.put("AES-CCM", bc);
            map.put("SHA-2/HMAC/HKDF", jcaProvider(() -> Mac.getInstance("HmacSHA256").getProvider()));
            map.put("X25519", bc);
            map.put("secp256r1", bc);
            map.put("ML-KEM-768", mlKemImplementation(bc));
            map.put("ECDSA P-256", bc + " (" + jcaProvider(() -> Signature.getInstance("SHA256withECDSA").getProvider())
                    + " signs with keys that do not expose their scalar)");
            map.put("Ed25519", jcaProvider(() -> Signature.getInstance("Ed25519").getProvider()));
            map.put("RSA-PSS", jcaProvider(() -> Signature.getInstance("RSASSA-PSS").getProvider()));
            map = Collections.unmodifiableMap(map);
            implementations = map;
        }
        return map;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("JDK", Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")");
        String bc = safeBcVersion();
        map.put("Bouncy Castle", bc.startsWith("(missing") ? "not found " + bc
                : bc + " (" + BouncyCastleInfo.location() + ")");
        String reason = JdkMlKem.unavailableReason();
        map.put("JDK ML-KEM", reason == null ? "used" : "not used: " + reason);
        return Collections.unmodifiableMap(map);
    }

    private static String safeBcVersion() {
        try {
            Class.forName(BouncyCastleInfo.PROBE_CLASS, false, FallbackBackend.class.getClassLoader());
            return BouncyCastleInfo.version();
        } catch (ClassNotFoundException | LinkageError e) {
            return "(missing: add " + BouncyCastleInfo.MAVEN_COORDINATES + ")";
        }
    }

    private interface ProviderLookup {
        Provider get() throws GeneralSecurityException;
    }

    /** e.g. "SunJCE 25": the provider's name with the JDK's feature release. */
    private static String jcaProvider(ProviderLookup lookup) {
        try {
            return lookup.get().getName() + " " + Runtime.version().feature();
        } catch (GeneralSecurityException | RuntimeException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    private static String mlKemImplementation(String bc) {
        JdkMlKem jdk = JdkMlKem.get();
        return jdk != null ? jdk.provider() + " " + Runtime.version().feature() : bc;
    }

    /**
     * Which implementation serves ML-KEM-768 here, e.g. {@code SunJCE 25}: the ffm backend's pure-Java
     * choice. Unlike {@link #implementations()} it looks up Bouncy Castle's version only when BC
     * serves ML-KEM (in a shaded jar that constructs BC's JCA provider, which builds every named curve).
     */
    public String mlKemImplementation() {
        return JdkMlKem.get() != null ? mlKemImplementation(null) : "BC " + safeBcVersion();
    }

    // --- record protection -------------------------------------------------------------------

    @Override
    public RecordProtection recordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        return new JcaRecordProtection(suite, key, iv, recordNumberKey);
    }

    // --- hashing and key derivation ----------------------------------------------------------

    @Override
    public TranscriptHash newTranscriptHash(HashAlgorithm hash) {
        return JdkTranscriptHash.create(hash);
    }

    @Override
    public byte[] digest(HashAlgorithm hash, byte[] data) {
        try {
            return JcaServices.digest(hash.jcaName()).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hash.jcaName() + " is missing from this JDK", e);
        }
    }

    @Override
    public byte[] hmac(HashAlgorithm hash, byte[] key, byte[] data) {
        Mac mac = newMac(hash, key);
        return mac.doFinal(data);
    }

    /** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM), an absent salt being HashLen zeros. */
    @Override
    public byte[] hkdfExtract(HashAlgorithm hash, byte[] salt, byte[] ikm) {
        byte[] effectiveSalt = salt == null || salt.length == 0 ? new byte[hash.length()] : salt;
        return hmac(hash, effectiveSalt, ikm);
    }

    /** RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), OKM = first L bytes of T(1) | T(2) | ... */
    @Override
    public byte[] hkdfExpand(HashAlgorithm hash, byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * hash.length()) {
            throw new IllegalArgumentException("HKDF-Expand length " + length + " is outside [0, "
                    + 255 * hash.length() + "] for " + hash.jcaName());
        }
        Mac mac = newMac(hash, prk);
        byte[] okm = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            mac.update(t);
            if (info != null) {
                mac.update(info);
            }
            mac.update((byte) i);
            byte[] next = mac.doFinal();
            java.util.Arrays.fill(t, (byte) 0);
            t = next;
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, okm, done, n);
            done += n;
        }
        java.util.Arrays.fill(t, (byte) 0);
        return okm;
    }

    /** This thread's HMAC for {@code hash} keyed with {@code key}; see {@link JcaServices#hmac}. */
    private static Mac newMac(HashAlgorithm hash, byte[] key) {
        WipeableKey macKey = new WipeableKey(hash == HashAlgorithm.SHA256 ? "HmacSHA256" : "HmacSHA384", key);
        try {
            Mac mac = JcaServices.hmac(hash);
            mac.init(macKey);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(macKey.getAlgorithm() + " is unavailable in this JDK: " + e.getMessage(), e);
        } finally {
            macKey.destroy();
        }
    }

    // --- key exchange ------------------------------------------------------------------------

    @Override
    public KeyExchange componentKeyExchange(NamedGroup group) {
        switch (group) {
            case X25519:
                return new X25519KeyExchange(random);
            case SECP256R1:
                return new P256KeyExchange(random);
            case MLKEM768:
                JdkMlKem jdk = JdkMlKem.get();
                return jdk != null ? jdk.keyExchange(random) : new BcMlKemKeyExchange(random);
            default:
                throw new IllegalArgumentException(group + " is a hybrid group; use keyExchange(" + group + ")");
        }
    }

    @Override
    public byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        switch (group) {
            case X25519:
                return X25519KeyExchange.agree(privateKey, peerPublic);
            case SECP256R1:
                return P256KeyExchange.agree(privateKey, peerPublic);
            default:
                throw new IllegalArgumentException("static ECDH is defined for X25519 and secp256r1, not " + group);
        }
    }

    @Override
    public Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        return Optional.of(new BcMlKemKnownAnswer(random));
    }

    // --- signatures --------------------------------------------------------------------------

    @Override
    public byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        return Signatures.sign(scheme, key, message, random);
    }

    @Override
    public boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        return Signatures.verify(scheme, key, message, signature);
    }

    // --- randomness --------------------------------------------------------------------------

    @Override
    public void randomBytes(byte[] out) {
        random.nextBytes(out);
    }

    /** Package-private for tests: which ML-KEM serves the protocol here. */
    static boolean usesJdkMlKem() {
        return JdkMlKem.get() != null;
    }
}
