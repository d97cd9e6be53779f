package dev.pqdtls.jna;

import static dev.pqdtls.jna.Evp.check;
import static dev.pqdtls.jna.Evp.checkNotNull;
import static dev.pqdtls.jna.Evp.clearErrors;
import static dev.pqdtls.jna.Evp.drainErrors;
import static dev.pqdtls.jna.Evp.freeKey;
import static dev.pqdtls.jna.LibcryptoNative.*;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.nativeabi.PublicKeyRules;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * TLS 1.3 signature schemes (RFC 8446 §4.2.3) over EVP_DigestSign/EVP_DigestVerify, as in the ffm
 * backend. Java keys cross as their standard encodings (PKCS#8 / X.509 SubjectPublicKeyInfo) and live
 * in an EVP_PKEY only for the one call; which key and digest each scheme takes is {@link PublicKeyRules}'.
 */
final class EvpSignature {
    private EvpSignature() {
    }

    static byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        PublicKeyRules.checkMaySign(scheme);
        byte[] der = PublicKeyRules.encoded(key, "PKCS#8");
        long pkey = 0;
        long md = 0;
        try (NativeScope scope = new NativeScope()) {
            long derCopy = scope.copyIn(der);
            Arrays.fill(der, (byte) 0);
            pkey = LibcryptoNative.d2i_AutoPrivateKey(0, scope.cell(derCopy).address, der.length);
            if (pkey == 0) {
                throw new IllegalArgumentException("cannot decode the " + key.getAlgorithm()
                        + " private key's PKCS#8 encoding: " + drainErrors());
            }
            PublicKeyRules.checkKeyFits(scheme, Evp.facts(pkey));
            md = checkNotNull(EVP_MD_CTX_new(), "EVP_MD_CTX_new");
            init(scope, true, md, scheme, pkey);
            long tbs = scope.copyIn(message);
            NativeMemory sigLen = scope.cell(0);
            check(EVP_DigestSign(md, 0, sigLen.address, tbs, message.length), "EVP_DigestSign (size)");
            long max = sigLen.buffer.getLong(0);
            if (max <= 0 || max > 16384) {
                throw new IllegalStateException("EVP_DigestSign reports a " + max + "-byte signature");
            }
            NativeMemory sig = scope.allocate(max);
            check(EVP_DigestSign(md, sig.address, sigLen.address, tbs, message.length), "EVP_DigestSign");
            return sig.get(0, (int) sigLen.buffer.getLong(0));
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
        long pkey = 0;
        long md = 0;
        try (NativeScope scope = new NativeScope()) {
            pkey = LibcryptoNative.d2i_PUBKEY(0, scope.cell(scope.copyIn(der)).address, der.length);
            if (pkey == 0) {
                throw new IllegalArgumentException("cannot decode the " + key.getAlgorithm()
                        + " public key's SubjectPublicKeyInfo: " + drainErrors());
            }
            PublicKeyRules.checkKeyFits(scheme, Evp.facts(pkey));
            md = checkNotNull(EVP_MD_CTX_new(), "EVP_MD_CTX_new");
            init(scope, false, md, scheme, pkey);
            int rc = EVP_DigestVerify(md, scope.copyIn(signature), signature.length, scope.copyIn(message),
                    message.length);
            // 1 = valid; 0 = wrong; < 0 = malformed (bad DER, wrong length): all but 1 are "no".
            return rc == 1;
        } finally {
            freeMd(md);
            freeKey(pkey);
            clearErrors();
        }
    }

    /** EVP_Digest{Sign,Verify}Init_ex with the scheme's digest and, for rsa_pss_rsae_*, PSS padding. */
    private static void init(NativeScope scope, boolean sign, long md, SignatureScheme scheme, long pkey) {
        String digest = PublicKeyRules.digestName(scheme);
        NativeMemory pctxCell = scope.cell(0);
        int rc = sign ? EVP_DigestSignInit_ex(md, pctxCell.address, digest, 0, null, pkey, 0)
                : EVP_DigestVerifyInit_ex(md, pctxCell.address, digest, 0, null, pkey, 0);
        check(rc, "EVP_Digest" + (sign ? "Sign" : "Verify") + "Init_ex");
        if (PublicKeyRules.isRsaPss(scheme)) {
            long pctx = pctxCell.buffer.getLong(0);
            check(EVP_PKEY_CTX_set_rsa_padding(pctx, PublicKeyRules.RSA_PKCS1_PSS_PADDING),
                    "EVP_PKEY_CTX_set_rsa_padding(PSS)");
            check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, PublicKeyRules.RSA_PSS_SALTLEN_DIGEST),
                    "EVP_PKEY_CTX_set_rsa_pss_saltlen");
            check(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, digest, null), "EVP_PKEY_CTX_set_rsa_mgf1_md_name");
        }
    }

    private static void freeMd(long md) {
        if (md != 0) {
            EVP_MD_CTX_free(md);
        }
    }
}
