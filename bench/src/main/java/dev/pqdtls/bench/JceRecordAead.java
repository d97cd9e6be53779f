package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The baseline: the JDK's SunJCE "AES/GCM/NoPadding" or "ChaCha20-Poly1305" used directly, no
 * pqdtls code. One {@link Cipher} re-initialised per record with nonce = IV XOR sequence number
 * (RFC 8446 §5.3), in place on heap arrays: what a careful hand-written record layer on the JDK does.
 */
final class JceRecordAead implements RecordAead {
    private static final String PROVIDER = "SunJCE";

    private final CipherSuite suite;
    private final SecretKeySpec key;
    private final byte[] iv;
    private final byte[] nonce = new byte[CipherSuite.IV_LENGTH];
    private final Cipher cipher;

    JceRecordAead(CipherSuite suite, byte[] key, byte[] iv) {
        if (suite.isCcm()) {
            throw new IllegalArgumentException(PROVIDER + " has no AES-CCM: " + suite);
        }
        this.suite = suite;
        this.key = new SecretKeySpec(key, suite.isAes() ? "AES" : "ChaCha20");
        this.iv = iv.clone();
        try {
            cipher = Cipher.getInstance(suite.isAes() ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305", PROVIDER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(PROVIDER + " lacks the cipher for " + suite, e);
        }
    }

    @Override
    public String name() {
        return "sunjce";
    }

    @Override
    public ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocate(capacity);
    }

    private void init(int mode, long sequenceNumber) throws GeneralSecurityException {
        Nonces.nonce(iv, sequenceNumber, nonce);
        if (suite.isAes()) {
            cipher.init(mode, key, new GCMParameterSpec(CipherSuite.TAG_LENGTH * 8, nonce));
        } else {
            cipher.init(mode, key, new IvParameterSpec(nonce));
        }
    }

    @Override
    public void seal(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        int position = record.position();
        int limit = record.limit();
        try {
            init(Cipher.ENCRYPT_MODE, sequenceNumber);
            cipher.updateAAD(aad.array(), aad.arrayOffset() + aad.position(), aad.remaining());
            byte[] a = record.array();
            int offset = record.arrayOffset() + position;
            cipher.doFinal(a, offset, limit - position, a, offset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("seal of record " + sequenceNumber + " failed", e);
        }
        record.limit(limit + CipherSuite.TAG_LENGTH);
    }

    @Override
    public boolean open(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        int position = record.position();
        int limit = record.limit();
        try {
            init(Cipher.DECRYPT_MODE, sequenceNumber);
            cipher.updateAAD(aad.array(), aad.arrayOffset() + aad.position(), aad.remaining());
            byte[] a = record.array();
            int offset = record.arrayOffset() + position;
            cipher.doFinal(a, offset, limit - position, a, offset);
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("open of record " + sequenceNumber + " failed", e);
        }
        record.limit(limit - CipherSuite.TAG_LENGTH);
        return true;
    }

    @Override
    public void close() {
        // Nothing native to free; the benchmark's keys are not secret.
    }
}
