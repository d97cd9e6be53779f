package dev.pqdtls.nativeabi;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.internal.auth.SignatureSchemes;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TLS 1.3 signature schemes (RFC 8446 §4.2.3) in {@code libpqdtls_native} (pk.c), one C call per
 * signature. A private key crosses as its PKCS#8 encoding once: the decoded key stays in C for as
 * long as the Java key object lives (decoding costs more than signing on OpenSSL 3.0). A public key
 * crosses by its parts (the P-256 point, the Ed25519 bytes, RSA's n and e), which C imports without
 * the DER decoders; any other key goes through its X.509 encoding.
 */
public final class NativeSignatures {
    /** Room for any signature: RSA up to 32768 bits. */
    private static final int MAX_SIGNATURE = 4096;
    /** The SubjectPublicKeyInfo of an Ed25519 key up to the key itself (RFC 8410 §4). */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    // Public key types of pqdtls_verify_raw (pqdtls.h).
    private static final int KEY_EC_P256 = 1;
    private static final int KEY_ED25519 = 2;
    private static final int KEY_RSA = 3;
    private static final Cleaner CLEANER = Cleaner.create();

    private final HandshakeCalls calls;
    /** Decoded private keys, by the identity of the Java key; an entry goes once its key is collected. */
    private final List<CachedKey> privateKeys = new ArrayList<>();

    public NativeSignatures(HandshakeCalls calls) {
        this.calls = calls;
    }

    /** A private key decoded into C (freed once this is unreachable) and the schemes it was checked for. */
    private static final class CachedKey {
        final WeakReference<PrivateKey> key;
        final long handle;
        final Set<SignatureScheme> fits = ConcurrentHashMap.newKeySet();

        CachedKey(PrivateKey key, long handle, HandshakeCalls calls) {
            this.key = new WeakReference<>(key);
            this.handle = handle;
            CLEANER.register(this, () -> calls.keyFree(handle)); // libcrypto cleanses it
        }
    }

    /** A public key by its parts, for pqdtls_verify_raw. */
    private record Parts(int type, byte[] a, byte[] b) {
    }

    public byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        PublicKeyRules.checkMaySign(scheme);
        CachedKey cached = privateKey(key);
        try {
            if (!cached.fits.contains(scheme)) {
                PublicKeyRules.checkKeyFits(scheme, calls.facts(cached.handle));
                cached.fits.add(scheme);
            }
            byte[] sig = new byte[MAX_SIGNATURE];
            int rc = calls.sign(cached.handle, scheme.codepoint(), message, sig);
            NativeStatus.check(rc, scheme, "signing");
            return Arrays.copyOf(sig, rc);
        } finally {
            Reference.reachabilityFence(cached);
        }
    }

    /** The decoded key for {@code key}, decoding it the first time this key object is seen. */
    private CachedKey privateKey(PrivateKey key) {
        synchronized (privateKeys) {
            for (CachedKey c : privateKeys) {
                if (c.key.get() == key) {
                    return c;
                }
            }
            privateKeys.removeIf(c -> c.key.get() == null);
        }
        byte[] der = PublicKeyRules.encoded(key, "PKCS#8");
        long[] handle = new long[1];
        int rc = calls.keyPrivateDer(der, handle);
        Arrays.fill(der, (byte) 0);
        if (rc != NativeStatus.OK) {
            throw new IllegalArgumentException("cannot decode the " + key.getAlgorithm() + " private key's PKCS#8 encoding");
        }
        CachedKey cached = new CachedKey(key, handle[0], calls);
        synchronized (privateKeys) {
            privateKeys.add(cached);
        }
        return cached;
    }

    public boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        Parts parts = parts(scheme, key);
        byte[] der = parts == null ? PublicKeyRules.encoded(key, "X.509") : null;
        if (signature == null || message == null) {
            return false;
        }
        if (parts != null) {
            int rc = calls.verifyRaw(parts.type(), parts.a(), parts.b(), scheme.codepoint(), message, signature);
            if (rc < 0) {
                throw new IllegalArgumentException("libcrypto cannot import the " + key.getAlgorithm()
                        + " public key for " + scheme);
            }
            return rc == 1;
        }
        long[] handle = new long[1];
        if (calls.keyPublicDer(der, handle) != NativeStatus.OK) {
            throw new IllegalArgumentException("cannot decode the " + key.getAlgorithm()
                    + " public key's SubjectPublicKeyInfo");
        }
        try {
            PublicKeyRules.checkKeyFits(scheme, calls.facts(handle[0]));
            // 1 = valid; 0 = wrong or malformed (bad DER, wrong length): all but 1 are "no".
            return calls.verify(handle[0], scheme.codepoint(), message, signature) == 1;
        } finally {
            calls.keyFree(handle[0]);
        }
    }

    /**
     * The parts of a public key that fits {@code scheme} and that C imports directly; null for
     * anything else (a wrong key included: the DER path then says what is wrong with it).
     */
    private static Parts parts(SignatureScheme scheme, PublicKey key) {
        if (key == null) {
            return null;
        }
        List<SignatureScheme> fits = SignatureSchemes.forKey(key);
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256 -> {
                if (key instanceof ECPublicKey ec && fits.contains(scheme)) {
                    byte[] point = new byte[65];
                    point[0] = 0x04;
                    unsigned(ec.getW().getAffineX(), point, 1, 32);
                    unsigned(ec.getW().getAffineY(), point, 33, 32);
                    return new Parts(KEY_EC_P256, point, new byte[0]);
                }
            }
            case ED25519 -> {
                byte[] spki = fits.contains(scheme) ? key.getEncoded() : null;
                if (spki != null && spki.length == ED25519_SPKI_PREFIX.length + 32
                        && Arrays.equals(spki, 0, ED25519_SPKI_PREFIX.length, ED25519_SPKI_PREFIX, 0, ED25519_SPKI_PREFIX.length)) {
                    return new Parts(KEY_ED25519, Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length), new byte[0]);
                }
            }
            default -> {
                // rsa_pss_rsae_* and rsa_pkcs1_* take rsaEncryption keys (forKey lists only PSS for them).
                if (key instanceof RSAPublicKey rsa && fits.contains(SignatureScheme.RSA_PSS_RSAE_SHA256)) {
                    checkPssSize(scheme, rsa.getModulus().bitLength());
                    return new Parts(KEY_RSA, magnitude(rsa.getModulus()), magnitude(rsa.getPublicExponent()));
                }
            }
        }
        return null;
    }

    private static void unsigned(BigInteger value, byte[] out, int offset, int length) {
        byte[] m = magnitude(value);
        if (m.length > length) {
            throw new IllegalArgumentException("coordinate longer than " + length + " bytes");
        }
        System.arraycopy(m, 0, out, offset + length - m.length, m.length);
    }

    /** Big-endian bytes without the sign byte. */
    private static byte[] magnitude(BigInteger value) {
        byte[] b = value.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    /** RFC 8017 §9.1.1: emLen >= hLen + sLen + 2, with sLen = hLen (RFC 8446 §4.2.3); emBits = modBits - 1. */
    private static void checkPssSize(SignatureScheme scheme, int bits) {
        if (PublicKeyRules.isRsaPss(scheme)) {
            int hashLength = scheme.hash().orElseThrow().length();
            if ((bits - 1 + 7) / 8 < 2 * hashLength + 2) {
                throw new IllegalArgumentException(scheme + " needs a larger RSA key than " + bits + " bits");
            }
        }
    }
}
