package dev.pqdtls.fallback;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-CCM (RFC 3610, RFC 8446 §B.4) on Bouncy Castle's lightweight API: the JDK has no CCM. Records
 * are processed in place in a byte array (BC reads each block before it writes it). Not thread-safe.
 */
final class BcCcm {
    // processPacket works on the caller's array without buffering the record (the interface lacks it).
    private final CCMBlockCipher cipher = (CCMBlockCipher) CCMBlockCipher.newInstance(AESEngine.newInstance());
    private final KeyParameter key;
    private final int tagBits;

    BcCcm(byte[] key, int tagLength) {
        this.key = new KeyParameter(key);
        this.tagBits = tagLength * 8;
    }

    /** Encrypts {@code length} bytes at {@code offset} in place and writes the tag after them. */
    void seal(byte[] nonce, byte[] aad, int aadOffset, int aadLength, byte[] record, int offset, int length) {
        cipher.init(true, new AEADParameters(key, tagBits, nonce));
        cipher.processAADBytes(aad, aadOffset, aadLength);
        try {
            cipher.processPacket(record, offset, length, record, offset);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-CCM encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * Decrypts ciphertext and tag ({@code length} bytes) in place.
     *
     * @return false if the tag does not verify (the unverified plaintext is then wiped)
     */
    boolean open(byte[] nonce, byte[] aad, int aadOffset, int aadLength, byte[] record, int offset, int length) {
        cipher.init(false, new AEADParameters(key, tagBits, nonce));
        cipher.processAADBytes(aad, aadOffset, aadLength);
        try {
            cipher.processPacket(record, offset, length, record, offset);
            return true;
        } catch (InvalidCipherTextException e) {
            // Never leave unauthenticated plaintext behind (RFC 5116 §2.2).
            java.util.Arrays.fill(record, offset, offset + length - tagBits / 8, (byte) 0);
            return false;
        }
    }

    /** Wipes BC's copy of the key. */
    void destroy() {
        java.util.Arrays.fill(key.getKey(), (byte) 0);
    }
}
