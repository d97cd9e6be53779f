package dev.pqdtls.conformance.support;

import dev.pqdtls.CipherSuite;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.CCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Reference record protection computed with the JDK's own ciphers, to check backends against; AES-CCM,
 * which the JDK lacks, with Bouncy Castle's.
 */
public final class JdkAead {
    private JdkAead() {
    }

    /** The JDK's AEAD over one record, for reference. */
    public static byte[] seal(CipherSuite suite, byte[] key, byte[] nonce, byte[] aad, byte[] pt) throws GeneralSecurityException {
        if (suite.isCcm()) {
            CCMModeCipher ccm = CCMBlockCipher.newInstance(AESEngine.newInstance());
            ccm.init(true, new AEADParameters(new KeyParameter(key), suite.tagLength() * 8, nonce, aad));
            byte[] out = new byte[ccm.getOutputSize(pt.length)];
            try {
                ccm.doFinal(out, ccm.processBytes(pt, 0, pt.length, out, 0));
                return out;
            } catch (InvalidCipherTextException e) {
                throw new GeneralSecurityException(e);
            }
        }
        Cipher c;
        if (suite.isAes()) {
            c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        } else {
            c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        }
        c.updateAAD(aad);
        return c.doFinal(pt);
    }

    /** iv XOR the 64-bit sequence number, left-padded to 12 bytes (RFC 8446 §5.3). */
    public static byte[] nonce(byte[] iv, long seq) {
        byte[] n = iv.clone();
        for (int i = 0; i < 8; i++) {
            n[11 - i] ^= (byte) (seq >>> (8 * i));
        }
        return n;
    }

    /** The RFC 9147 §4.2.3 mask computed with the JDK: AES-ECB, or ChaCha20 with counter||nonce from the sample. */
    public static byte[] recordNumberMask(CipherSuite suite, byte[] snKey, byte[] sample) throws GeneralSecurityException {
        if (suite.isAes()) {
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(snKey, "AES"));
            return ecb.doFinal(sample, 0, 16);
        }
        int counter = (sample[0] & 0xFF) | (sample[1] & 0xFF) << 8 | (sample[2] & 0xFF) << 16 | (sample[3] & 0xFF) << 24;
        Cipher chacha = Cipher.getInstance("ChaCha20");
        chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(snKey, "ChaCha20"),
                new ChaCha20ParameterSpec(Arrays.copyOfRange(sample, 4, 16), counter));
        return chacha.doFinal(new byte[16]);
    }
}
