package dev.pqdtls.ffm;

import static dev.pqdtls.ffm.PublicKeyLibcrypto.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.nativeabi.PublicKeyRules;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * TLS 1.3 signature schemes (RFC 8446 §4.2.3) over EVP_DigestSign/EVP_DigestVerify. Java keys cross
 * as their standard encodings (PKCS#8 / X.509 SubjectPublicKeyInfo) and live in an EVP_PKEY only
 * for the one call.
 */
final class EvpSignature {

    private EvpSignature() {
    }

    static byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        PublicKeyRules.checkMaySign(scheme);
        byte[] der = PublicKeyRules.encoded(key, "PKCS#8");
        MemorySegment pkey = MemorySegment.NULL;
        MemorySegment md = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment derCopy = copyIn(arena, der);
            Arrays.fill(der, (byte) 0);
            pkey = decode(arena, d2i_AutoPrivateKey, derCopy, der.length);
            derCopy.fill((byte) 0);
            if (pkey.equals(MemorySegment.NULL)) {
                throw new IllegalArgumentException("cannot decode the " + key.getAlgorithm()
                        + " private key's PKCS#8 encoding: " + drainErrors());
            }
            checkFits(scheme, pkey);
            md = checkNotNull((MemorySegment) EVP_MD_CTX_new.invokeExact(), "EVP_MD_CTX_new");
            init(arena, EVP_DigestSignInit_ex, md, scheme, pkey);
            MemorySegment tbs = copyIn(arena, message);
            MemorySegment sigLen = sizeCell(arena, 0);
            check((int) EVP_DigestSign.invokeExact(md, MemorySegment.NULL, sigLen, tbs, (long) message.length),
                    "EVP_DigestSign (size)");
            long max = sigLen.get(JAVA_LONG, 0);
            if (max <= 0 || max > 16384) {
                throw new IllegalStateException("EVP_DigestSign reports a " + max + "-byte signature");
            }
            MemorySegment sig = arena.allocate(max);
            check((int) EVP_DigestSign.invokeExact(md, sig, sigLen, tbs, (long) message.length), "EVP_DigestSign");
            return sig.asSlice(0, sigLen.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            freeMd(md);
            freeKey(pkey);
            clearErrors();
        }
    }

    static boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        byte[] der = PublicKeyRules.encoded(key, "X.509");
        if (signature == null || message == null) {
            return false;
        }
        MemorySegment pkey = MemorySegment.NULL;
        MemorySegment md = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            pkey = decode(arena, d2i_PUBKEY, copyIn(arena, der), der.length);
            if (pkey.equals(MemorySegment.NULL)) {
                throw new IllegalArgumentException("cannot decode the " + key.getAlgorithm()
                        + " public key's SubjectPublicKeyInfo: " + drainErrors());
            }
            checkFits(scheme, pkey);
            md = checkNotNull((MemorySegment) EVP_MD_CTX_new.invokeExact(), "EVP_MD_CTX_new");
            init(arena, EVP_DigestVerifyInit_ex, md, scheme, pkey);
            int rc = (int) EVP_DigestVerify.invokeExact(md, copyIn(arena, signature), (long) signature.length,
                    copyIn(arena, message), (long) message.length);
            // 1 = valid; 0 = wrong; < 0 = malformed (bad DER, wrong length): all but 1 are "no".
            return rc == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            freeMd(md);
            freeKey(pkey);
            clearErrors();
        }
    }

    /** d2i_* on {@code len} DER bytes; NULL on failure. */
    private static MemorySegment decode(Arena arena, java.lang.invoke.MethodHandle d2i, MemorySegment der, long len)
            throws Throwable {
        MemorySegment cursor = arena.allocate(ADDRESS);
        cursor.set(ADDRESS, 0, der);
        return (MemorySegment) d2i.invokeExact(MemorySegment.NULL, cursor, len);
    }

    /** The key must be of the scheme's type (and curve), else the caller passed the wrong key. */
    private static void checkFits(SignatureScheme scheme, MemorySegment pkey) {
        PublicKeyRules.checkKeyFits(scheme, new PublicKeyRules.KeyFacts() {
            @Override
            public boolean isA(String type) {
                return PublicKeyLibcrypto.isA(pkey, type);
            }

            @Override
            public java.util.Optional<String> group() {
                return utf8Param(pkey, "group");
            }

            @Override
            public int bits() {
                try {
                    return (int) EVP_PKEY_get_bits.invokeExact(pkey);
                } catch (Throwable t) {
                    throw rethrow(t);
                }
            }
        });
    }

    /** EVP_Digest{Sign,Verify}Init_ex with the scheme's digest and, for rsa_pss_rsae_*, PSS padding. */
    private static void init(Arena arena, java.lang.invoke.MethodHandle initFn, MemorySegment md,
            SignatureScheme scheme, MemorySegment pkey) throws Throwable {
        String digest = PublicKeyRules.digestName(scheme);
        MemorySegment pctxCell = arena.allocate(ADDRESS);
        MemorySegment mdName = digest == null ? MemorySegment.NULL : cString(arena, digest);
        check((int) initFn.invokeExact(md, pctxCell, mdName, MemorySegment.NULL, MemorySegment.NULL, pkey,
                MemorySegment.NULL), "EVP_Digest" + (initFn == EVP_DigestSignInit_ex ? "Sign" : "Verify") + "Init_ex");
        if (PublicKeyRules.isRsaPss(scheme)) {
            // RFC 8446 §4.2.3: MGF1 with the same hash, salt length equal to the digest length.
            MemorySegment pctx = pctxCell.get(ADDRESS, 0);
            check((int) EVP_PKEY_CTX_set_rsa_padding.invokeExact(pctx, PublicKeyRules.RSA_PKCS1_PSS_PADDING),
                    "EVP_PKEY_CTX_set_rsa_padding(PSS)");
            check((int) EVP_PKEY_CTX_set_rsa_pss_saltlen.invokeExact(pctx, PublicKeyRules.RSA_PSS_SALTLEN_DIGEST),
                    "EVP_PKEY_CTX_set_rsa_pss_saltlen");
            check((int) EVP_PKEY_CTX_set_rsa_mgf1_md_name.invokeExact(pctx, mdName, MemorySegment.NULL),
                    "EVP_PKEY_CTX_set_rsa_mgf1_md_name");
        }
    }

    private static void freeMd(MemorySegment md) {
        if (!md.equals(MemorySegment.NULL)) {
            try {
                EVP_MD_CTX_free.invokeExact(md);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }
}
