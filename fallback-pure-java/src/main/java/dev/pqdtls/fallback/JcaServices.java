package dev.pqdtls.fallback;

import dev.pqdtls.spi.HashAlgorithm;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Signature;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * The JCA engines of a handshake, with everything that can be resolved once resolved once per
 * process. {@code getInstance} walks the installed providers, parses the algorithm name and
 * instantiates the implementation reflectively on every call; here each cipher's provider is found
 * the first time and named afterwards (a record protection keeps its own ciphers), digests are
 * cloned from a prototype, and each thread keeps one signature engine per algorithm and one HMAC
 * per hash, initialised afresh for every use.
 */
final class JcaServices {
    private static final Map<String, Provider> PROVIDERS = new ConcurrentHashMap<>();
    private static final Map<String, MessageDigest> DIGESTS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<String, Signature>> SIGNATURES = ThreadLocal.withInitial(java.util.HashMap::new);
    private static final ThreadLocal<Mac[]> MACS = ThreadLocal.withInitial(() -> new Mac[HashAlgorithm.values().length]);

    private JcaServices() {
    }

    /** A new cipher for a transformation, from the provider that served it first. */
    static Cipher cipher(String transformation) throws GeneralSecurityException {
        Provider p = PROVIDERS.get("Cipher." + transformation);
        if (p != null) {
            return Cipher.getInstance(transformation, p);
        }
        Cipher c = Cipher.getInstance(transformation);
        PROVIDERS.putIfAbsent("Cipher." + transformation, c.getProvider());
        return c;
    }

    /**
     * This thread's signature engine for {@code algorithm}, or a new one if {@code fresh}. The caller
     * initialises it (which resets it) and finishes with it before anything else on the thread asks
     * for the same algorithm.
     */
    static Signature signature(String algorithm, boolean fresh) throws GeneralSecurityException {
        if (fresh) {
            return Signature.getInstance(algorithm);
        }
        Map<String, Signature> mine = SIGNATURES.get();
        Signature s = mine.get(algorithm);
        if (s == null) {
            s = Signature.getInstance(algorithm);
            mine.put(algorithm, s);
        }
        return s;
    }

    /** A new digest, cloned from a prototype (the SUN provider's SHA-2 and SHA-3 are cloneable). */
    static MessageDigest digest(String algorithm) throws NoSuchAlgorithmException {
        MessageDigest prototype = DIGESTS.get(algorithm);
        if (prototype == null) {
            prototype = MessageDigest.getInstance(algorithm);
            DIGESTS.putIfAbsent(algorithm, prototype);
        }
        try {
            return (MessageDigest) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return MessageDigest.getInstance(algorithm, prototype.getProvider());
        }
    }

    /**
     * This thread's HMAC for {@code hash}. The caller keys it ({@code init}) and finishes with it
     * before anything else on the thread asks for the same hash's HMAC. The last key's HMAC state
     * stays in it until the next use, as it stayed in each discarded {@code Mac} until collected.
     */
    static Mac hmac(HashAlgorithm hash) throws GeneralSecurityException {
        Mac[] macs = MACS.get();
        Mac mac = macs[hash.ordinal()];
        if (mac == null) {
            mac = Mac.getInstance(hash == HashAlgorithm.SHA256 ? "HmacSHA256" : "HmacSHA384");
            macs[hash.ordinal()] = mac;
        }
        return mac;
    }
}
