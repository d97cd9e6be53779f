package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import java.nio.ByteBuffer;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Bouncy Castle's lightweight API used directly ({@link GCMBlockCipher} over {@link AESEngine},
 * {@link ChaCha20Poly1305}), no pqdtls code and no JCA provider. The key is given on the first init
 * only; later inits pass a null key so BC keeps its key schedule and GHASH tables, as BC's own TLS
 * record layer does.
 */
final class BcRecordAead implements RecordAead {
    private final byte[] iv;
    private final byte[] nonce = new byte[CipherSuite.IV_LENGTH];
    private final AEADCipher cipher;
    private KeyParameter key;

    BcRecordAead(CipherSuite suite, byte[] key, byte[] iv) {
        if (suite.isCcm()) {
            throw new IllegalArgumentException("the AEAD benchmark's Bouncy Castle reference covers AES-GCM and ChaCha20-Poly1305, not " + suite);
        }
        this.key = new KeyParameter(key);
        this.iv = iv.clone();
        this.cipher = suite.isAes() ? GCMBlockCipher.newInstance(AESEngine.newInstance()) : new ChaCha20Poly1305();
    }

    @Override
    public String name() {
        return "bc";
    }

    @Override
    public ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocate(capacity);
    }

    private void init(boolean encrypt, long sequenceNumber, ByteBuffer aad) {
        Nonces.nonce(iv, sequenceNumber, nonce);
        cipher.init(encrypt, new AEADParameters(key, CipherSuite.TAG_LENGTH * 8, nonce));
        key = null; // reuse the key schedule from now on
        cipher.processAADBytes(aad.array(), aad.arrayOffset() + aad.position(), aad.remaining());
    }

    @Override
    public void seal(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        int position = record.position();
        int limit = record.limit();
        init(true, sequenceNumber, aad);
        byte[] a = record.array();
        int offset = record.arrayOffset() + position;
        try {
            int n = cipher.processBytes(a, offset, limit - position, a, offset);
            cipher.doFinal(a, offset + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("seal of record " + sequenceNumber + " failed", e);
        }
        record.limit(limit + CipherSuite.TAG_LENGTH);
    }

    @Override
    public boolean open(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        int position = record.position();
        int limit = record.limit();
        if (limit - position < CipherSuite.TAG_LENGTH) {
            return false;
        }
        init(false, sequenceNumber, aad);
        byte[] a = record.array();
        int offset = record.arrayOffset() + position;
        try {
            int n = cipher.processBytes(a, offset, limit - position, a, offset);
            cipher.doFinal(a, offset + n);
        } catch (InvalidCipherTextException e) {
            return false;
        }
        record.limit(limit - CipherSuite.TAG_LENGTH);
        return true;
    }

    @Override
    public void close() {
        // Nothing to free.
    }
}
