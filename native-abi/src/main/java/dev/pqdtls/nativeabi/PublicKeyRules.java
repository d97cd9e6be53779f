package dev.pqdtls.nativeabi;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.spi.InvalidKeyShareException;
import java.math.BigInteger;
import java.util.Optional;

/**
 * What both native backends check around libcrypto's public-key calls, and the OpenSSL constants they
 * pass: key-share shapes (RFC 8446 §4.2.8.2), private scalars, the X25519 all-zero rule (§7.4.2), and
 * which key and digest each TLS 1.3 signature scheme takes (§4.2.3). Only the calls differ per backend.
 */
public final class PublicKeyRules {
    /** EVP_PKEY_KEYPAIR (evp.h): domain parameters, public and private key. */
    public static final int EVP_PKEY_KEYPAIR = 0x87;
    /** EVP_PKEY_PUBLIC_KEY (evp.h): domain parameters and public key. */
    public static final int EVP_PKEY_PUBLIC_KEY = 0x86;
    /** RSA_PKCS1_PSS_PADDING (rsa.h). */
    public static final int RSA_PKCS1_PSS_PADDING = 6;
    /** RSA_PSS_SALTLEN_DIGEST (rsa.h): salt length equals the digest length, as RFC 8446 §4.2.3 demands. */
    public static final int RSA_PSS_SALTLEN_DIGEST = -1;
    /** OSSL_PARAM data types (params.h). */
    public static final int OSSL_PARAM_UNSIGNED_INTEGER = 2;
    public static final int OSSL_PARAM_UTF8_STRING = 4;
    public static final int OSSL_PARAM_OCTET_STRING = 5;
    /** sizeof(OSSL_PARAM) on LP64: key, data_type (+pad), data, data_size, return_size. */
    public static final int OSSL_PARAM_SIZE = 40;
    /** OSSL_PARAM_UNMODIFIED: return_size before the callee writes it. */
    public static final long OSSL_PARAM_UNMODIFIED = -1L;
    /** OPENSSL_VERSION_STRING for OpenSSL_version(): just "3.5.4". */
    public static final int OPENSSL_VERSION_STRING = 6;

    /** The order n of P-256 (SEC 2 §2.4.2); a private scalar must lie in [1, n-1]. */
    private static final BigInteger P256_ORDER =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

    private PublicKeyRules() {
    }

    /** What a backend can tell about a key it holds in an EVP_PKEY. */
    public interface KeyFacts {
        /** EVP_PKEY_is_a. */
        boolean isA(String type);

        /** The "group" parameter (curve name), if any. */
        Optional<String> group();

        /** EVP_PKEY_get_bits. */
        int bits();
    }

    /** The peer's (or our) ECDH share must have the group's length, and P-256 only the uncompressed form. */
    public static void checkEcdhShare(NamedGroup group, String what, byte[] share) throws InvalidKeyShareException {
        int expected = group.clientShareLength();
        if (share.length != expected) {
            throw new InvalidKeyShareException(group + " " + what + " is " + share.length + " bytes; expected "
                    + expected);
        }
        // RFC 8446 §4.2.8.2: only the uncompressed form (0x04); libcrypto would also take the
        // 65-byte "hybrid" forms 0x06/0x07.
        if (group == NamedGroup.SECP256R1 && share[0] != 0x04) {
            throw new InvalidKeyShareException(group + " " + what + " is not an uncompressed point (first byte 0x"
                    + Integer.toHexString(share[0] & 0xFF) + ", expected 0x04)");
        }
    }

    /** A static ECDH private key: 32 bytes, and for P-256 a scalar in [1, n-1]. */
    public static void checkEcdhPrivateKey(NamedGroup group, byte[] privateKey) {
        if (privateKey.length != 32) {
            throw new IllegalArgumentException(group + " private key is " + privateKey.length + " bytes; expected 32");
        }
        if (group == NamedGroup.SECP256R1) {
            BigInteger d = new BigInteger(1, privateKey);
            if (d.signum() == 0 || d.compareTo(P256_ORDER) >= 0) {
                throw new IllegalArgumentException("secp256r1 private scalar is not in [1, n-1]");
            }
        }
    }

    /** RFC 8446 §7.4.2: an all-zero X25519 secret is refused (a P-256 x-coordinate of zero is valid). */
    public static void checkSecret(NamedGroup group, byte[] secret) throws InvalidKeyShareException {
        int acc = 0;
        for (byte b : secret) {
            acc |= b;
        }
        if (group == NamedGroup.X25519 && acc == 0) {
            throw new InvalidKeyShareException("X25519 shared secret is all zero (RFC 8446 §7.4.2)");
        }
    }

    /** RSA PKCS#1 v1.5 verifies certificate chains only; TLS 1.3 never signs with it (RFC 8446 §4.4.3). */
    public static void checkMaySign(SignatureScheme scheme) {
        if (scheme == SignatureScheme.RSA_PKCS1_SHA256 || scheme == SignatureScheme.RSA_PKCS1_SHA384) {
            throw new IllegalArgumentException(scheme + " may only verify certificate chains; it is not allowed "
                    + "in TLS 1.3 CertificateVerify (RFC 8446 §4.4.3)");
        }
    }

    /** The digest name for EVP_Digest{Sign,Verify}Init_ex; null for Ed25519 (PureEdDSA, RFC 8032). */
    public static String digestName(SignatureScheme scheme) {
        return switch (scheme) {
            case ED25519 -> null;
            case ECDSA_SECP256R1_SHA256, RSA_PSS_RSAE_SHA256, RSA_PKCS1_SHA256 -> "SHA256";
            case RSA_PSS_RSAE_SHA384, RSA_PKCS1_SHA384 -> "SHA384";
        };
    }

    /** rsa_pss_rsae_*: PSS padding, MGF1 with the same hash, salt of the digest length (RFC 8446 §4.2.3). */
    public static boolean isRsaPss(SignatureScheme scheme) {
        return scheme == SignatureScheme.RSA_PSS_RSAE_SHA256 || scheme == SignatureScheme.RSA_PSS_RSAE_SHA384;
    }

    /** The key must be of the scheme's type (and curve), else the caller passed the wrong key. */
    public static void checkKeyFits(SignatureScheme scheme, KeyFacts key) {
        switch (scheme) {
            case ECDSA_SECP256R1_SHA256 -> {
                String curve = key.group().orElse("none");
                if (!key.isA("EC") || !(curve.equals("prime256v1") || curve.equals("P-256"))) {
                    throw new IllegalArgumentException(scheme + " needs a P-256 EC key, not " + describe(key));
                }
            }
            case ED25519 -> {
                if (!key.isA("ED25519")) {
                    throw new IllegalArgumentException(scheme + " needs an Ed25519 key, not " + describe(key));
                }
            }
            case RSA_PSS_RSAE_SHA256, RSA_PSS_RSAE_SHA384, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384 -> {
                // rsa_pss_rsae_*: the key is rsaEncryption, not an RSASSA-PSS key (RFC 8446 §4.2.3).
                if (!key.isA("RSA") || key.isA("RSA-PSS")) {
                    throw new IllegalArgumentException(scheme + " needs an rsaEncryption RSA key, not " + describe(key));
                }
                int hashLength = scheme.hash().orElseThrow().length();
                int bits = key.bits();
                // RFC 8017 §9.1.1: emLen >= hLen + sLen + 2, with sLen = hLen; emBits = modBits - 1.
                if ((bits - 1 + 7) / 8 < 2 * hashLength + 2) {
                    throw new IllegalArgumentException(scheme + " needs a larger RSA key than " + bits + " bits");
                }
            }
        }
    }

    private static String describe(KeyFacts key) {
        for (String type : new String[] {"EC", "ED25519", "ED448", "X25519", "RSA-PSS", "RSA", "DSA", "DH"}) {
            if (key.isA(type)) {
                return type.equals("EC") ? "an EC key on " + key.group().orElse("an explicit curve") : "a " + type + " key";
            }
        }
        return "this key";
    }

    /** A Java key's standard encoding (PKCS#8 or X.509), or a clear error for keys that have none. */
    public static byte[] encoded(java.security.Key key, String format) {
        byte[] der = key.getEncoded();
        if (der == null || der.length == 0) {
            throw new IllegalArgumentException("the " + key.getAlgorithm() + " key has no " + format
                    + " encoding (format " + key.getFormat() + "); only exportable keys can be used");
        }
        return der;
    }

    /** A big-endian unsigned integer in native byte order, as OSSL_PARAM integers are. */
    public static byte[] nativeOrder(byte[] bigEndian) {
        byte[] out = bigEndian.clone();
        if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN) {
            for (int i = 0, j = out.length - 1; i < j; i++, j--) {
                byte t = out[i];
                out[i] = out[j];
                out[j] = t;
            }
        }
        return out;
    }
}
