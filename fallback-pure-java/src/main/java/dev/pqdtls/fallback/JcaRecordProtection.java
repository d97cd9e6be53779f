package dev.pqdtls.fallback;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.spi.BadRecordMacException;
import dev.pqdtls.spi.RecordProtection;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * DTLS 1.3 record protection on the JDK's own AEAD ciphers (SunJCE "AES/GCM/NoPadding" with its
 * AES-NI/PCLMUL intrinsics, and "ChaCha20-Poly1305"), which outrun Bouncy Castle's pure-Java AEADs
 * on every JDK we support. Records are processed in place: heap buffers through their backing
 * array (the JCA array methods are copy-safe for overlapping input and output), direct buffers
 * through two views of the same memory (the ByteBuffer methods are copy-safe too).
 *
 * <p>The cipher is re-initialised for every record: the nonce changes per record (RFC 8446 §5.3)
 * and the JCA offers no other way to set it. SunJCE refuses to re-initialise GCM encryption with
 * the key and IV it last used, which can only happen if a caller seals the same sequence number
 * twice; that is reported as an {@link IllegalStateException} rather than silently reusing a nonce.
 */
final class JcaRecordProtection implements RecordProtection {
    private static final int SAMPLE_LENGTH = 16;
    private static final byte[] ZEROS = new byte[SAMPLE_LENGTH];

    private final CipherSuite suite;
    private final WipeableKey key;
    private final WipeableKey recordNumberKey;
    private final byte[] iv;
    private final byte[] nonce = new byte[CipherSuite.IV_LENGTH];
    private final byte[] sample = new byte[SAMPLE_LENGTH];
    /** What the ChaCha20 ciphers were last initialised with; see {@link #init}. */
    private final byte[] lastNonce = new byte[CipherSuite.IV_LENGTH];
    private final byte[] lastSample = new byte[SAMPLE_LENGTH];
    private boolean aeadInitialised;
    private boolean maskInitialised;
    /** The ciphers (key schedules, about a kilobyte each): built on use, dropped by {@link #trim}. */
    private Cipher aead;
    private Cipher mask;
    private boolean closed;

    JcaRecordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        checkLength(suite, "key", key, suite.keyLength());
        checkLength(suite, "IV", iv, CipherSuite.IV_LENGTH);
        checkLength(suite, "record-number key", recordNumberKey, suite.keyLength());
        this.suite = suite;
        String keyAlgorithm = suite.isAes() ? "AES" : "ChaCha20";
        this.key = new WipeableKey(keyAlgorithm, key);
        this.recordNumberKey = new WipeableKey(keyAlgorithm, recordNumberKey);
        this.iv = iv.clone();
        activate();
    }

    /** Builds the ciphers if {@link #trim} dropped them (or they were never built). */
    private void activate() {
        if (aead != null) {
            return;
        }
        try {
            if (suite.isAes()) {
                aead = JcaServices.cipher("AES/GCM/NoPadding");
                // RFC 9147 §4.2.3: Mask = AES-ECB(sn_key, Ciphertext[0..15]); one key for the epoch.
                mask = JcaServices.cipher("AES/ECB/NoPadding");
                mask.init(Cipher.ENCRYPT_MODE, this.recordNumberKey);
            } else {
                aead = JcaServices.cipher("ChaCha20-Poly1305");
                mask = JcaServices.cipher("ChaCha20");
            }
        } catch (GeneralSecurityException e) {
            close();
            throw new IllegalStateException("this JDK lacks the JCA cipher " + suite + " needs", e);
        }
        aeadInitialised = false;
        maskInitialised = false;
    }

    private Cipher aead() {
        activate();
        return aead;
    }

    private Cipher mask() {
        activate();
        return mask;
    }

    @Override
    public void trim() {
        aead = null;
        mask = null;
    }

    private static void checkLength(CipherSuite suite, String what, byte[] value, int expected) {
        if (value == null || value.length != expected) {
            throw new IllegalArgumentException(suite + " " + what + " is "
                    + (value == null ? "null" : value.length + " bytes") + "; expected " + expected + " bytes");
        }
    }

    @Override
    public CipherSuite suite() {
        return suite;
    }

    @Override
    public void seal(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
        checkOpen();
        int position = record.position();
        int limit = record.limit();
        if (record.capacity() - limit < CipherSuite.TAG_LENGTH) {
            throw new BufferOverflowException();
        }
        try {
            init(Cipher.ENCRYPT_MODE, sequenceNumber);
            addAad(aad);
            int length = limit - position;
            if (record.hasArray()) {
                byte[] array = record.array();
                int offset = record.arrayOffset() + position;
                aead().doFinal(array, offset, length, array, offset);
            } else {
                ByteBuffer in = record.duplicate();
                ByteBuffer out = record.duplicate();
                out.limit(limit + CipherSuite.TAG_LENGTH);
                aead().doFinal(in, out);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite + " seal of record " + sequenceNumber + " failed: " + e.getMessage(), e);
        }
        record.limit(limit + CipherSuite.TAG_LENGTH);
    }

    @Override
    public void open(long sequenceNumber, ByteBuffer aad, ByteBuffer record) throws BadRecordMacException {
        checkOpen();
        int position = record.position();
        int limit = record.limit();
        int length = limit - position;
        if (length < CipherSuite.TAG_LENGTH) {
            throw new BadRecordMacException("record of " + length + " bytes is shorter than the "
                    + CipherSuite.TAG_LENGTH + "-byte tag");
        }
        try {
            init(Cipher.DECRYPT_MODE, sequenceNumber);
            addAad(aad);
            if (record.hasArray()) {
                byte[] array = record.array();
                int offset = record.arrayOffset() + position;
                aead().doFinal(array, offset, length, array, offset);
            } else {
                ByteBuffer in = record.duplicate();
                ByteBuffer out = record.duplicate();
                aead().doFinal(in, out);
            }
        } catch (AEADBadTagException e) {
            throw new BadRecordMacException("record " + sequenceNumber + " did not authenticate");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite + " open of record " + sequenceNumber + " failed: " + e.getMessage(), e);
        }
        record.limit(limit - CipherSuite.TAG_LENGTH);
    }

    /** RFC 8446 §5.3: the 64-bit sequence number, left-padded to 12 bytes, XOR the write IV. */
    private void init(int mode, long sequenceNumber) throws GeneralSecurityException {
        System.arraycopy(iv, 0, nonce, 0, nonce.length);
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (sequenceNumber >>> (8 * i));
        }
        if (suite.isAes()) {
            aead().init(mode, key, new GCMParameterSpec(CipherSuite.TAG_LENGTH * 8, nonce));
            return;
        }
        // SunJCE's ChaCha20 refuses to be re-initialised with the key and nonce it last used, in
        // either mode. Opening the same record twice is legitimate (a duplicated datagram, a retry
        // after a failed tag), so step through another nonce first. Sealing twice under one nonce is
        // not, and stays refused.
        if (mode == Cipher.DECRYPT_MODE && aeadInitialised && Arrays.equals(nonce, lastNonce)) {
            nonce[0] ^= 1;
            aead().init(mode, key, new IvParameterSpec(nonce));
            nonce[0] ^= 1;
        }
        aead().init(mode, key, new IvParameterSpec(nonce));
        System.arraycopy(nonce, 0, lastNonce, 0, nonce.length);
        aeadInitialised = true;
    }

    private void addAad(ByteBuffer aad) {
        if (aad.hasArray()) {
            aead().updateAAD(aad.array(), aad.arrayOffset() + aad.position(), aad.remaining());
        } else {
            int position = aad.position();
            aead().updateAAD(aad);
            aad.position(position);
        }
    }

    @Override
    public void recordNumberMask(ByteBuffer sampleBuffer, byte[] maskOut) {
        checkOpen();
        if (maskOut.length < SAMPLE_LENGTH) {
            throw new IllegalArgumentException("mask array is " + maskOut.length + " bytes; expected at least "
                    + SAMPLE_LENGTH);
        }
        if (sampleBuffer.remaining() < SAMPLE_LENGTH) {
            throw new BufferUnderflowException();
        }
        sampleBuffer.get(sampleBuffer.position(), sample, 0, SAMPLE_LENGTH);
        try {
            if (suite.isAes()) {
                mask().doFinal(sample, 0, SAMPLE_LENGTH, maskOut, 0);
            } else {
                // RFC 9147 §4.2.3: counter = sample[0..3] little-endian, nonce = sample[4..15],
                // mask = ChaCha20 keystream over zeros (the same in either cipher mode).
                int counter = (sample[0] & 0xFF) | (sample[1] & 0xFF) << 8 | (sample[2] & 0xFF) << 16
                        | (sample[3] & 0xFF) << 24;
                byte[] chachaNonce = Arrays.copyOfRange(sample, 4, SAMPLE_LENGTH);
                if (maskInitialised && Arrays.equals(sample, lastSample)) {
                    // A duplicated datagram repeats its sample; SunJCE refuses to re-initialise
                    // with the previous key and nonce, so step through another nonce first.
                    chachaNonce[0] ^= 1;
                    mask().init(Cipher.DECRYPT_MODE, recordNumberKey, new ChaCha20ParameterSpec(chachaNonce, counter));
                    chachaNonce[0] ^= 1;
                }
                mask().init(Cipher.DECRYPT_MODE, recordNumberKey, new ChaCha20ParameterSpec(chachaNonce, counter));
                System.arraycopy(sample, 0, lastSample, 0, SAMPLE_LENGTH);
                maskInitialised = true;
                mask().doFinal(ZEROS, 0, SAMPLE_LENGTH, maskOut, 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite + " record-number mask failed: " + e.getMessage(), e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(suite + " record protection is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        key.destroy();
        recordNumberKey.destroy();
        Arrays.fill(iv, (byte) 0);
        Arrays.fill(nonce, (byte) 0);
        Arrays.fill(sample, (byte) 0);
        Arrays.fill(lastNonce, (byte) 0);
        Arrays.fill(lastSample, (byte) 0);
    }
}
