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
 * on every JDK we support; AES-CCM, which the JDK lacks, on Bouncy Castle ({@link BcCcm}). Records are processed in place: heap buffers through their backing
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
    /** The AES-CCM suites' key bytes (BC takes raw keys); null for the others. */
    private final byte[] ccmKey;
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
    private BcCcm ccm;
    /** The sequence number CCM sealed last: sealing it again would reuse the nonce (as SunJCE refuses for GCM). */
    private long lastCcmSeal;
    private boolean ccmSealed;
    /** A heap copy of a direct buffer's record or AAD for {@link BcCcm}, which works on arrays. */
    private byte[] ccmScratch = new byte[0];
    private boolean closed;

    JcaRecordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        checkLength(suite, "key", key, suite.keyLength());
        checkLength(suite, "IV", iv, CipherSuite.IV_LENGTH);
        checkLength(suite, "record-number key", recordNumberKey, suite.keyLength());
        this.suite = suite;
        String keyAlgorithm = suite.isAes() ? "AES" : "ChaCha20";
        this.key = new WipeableKey(keyAlgorithm, key);
        this.recordNumberKey = new WipeableKey(keyAlgorithm, recordNumberKey);
        this.ccmKey = suite.isCcm() ? key.clone() : null;
        this.iv = iv.clone();
        activate();
    }

    /** Builds the ciphers if {@link #trim} dropped them (or they were never built). */
    private void activate() {
        if (mask != null) {
            return;
        }
        try {
            if (suite.isCcm()) {
                ccm = new BcCcm(ccmKey, suite.tagLength());
                mask = JcaServices.cipher("AES/ECB/NoPadding");
                mask.init(Cipher.ENCRYPT_MODE, this.recordNumberKey);
            } else if (suite.isAes()) {
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
        if (ccm != null) {
            ccm.destroy();
            ccm = null;
        }
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
        int tag = suite.tagLength();
        if (record.capacity() - limit < tag) {
            throw new BufferOverflowException();
        }
        if (suite.isCcm()) {
            if (ccmSealed && sequenceNumber == lastCcmSeal) {
                throw new IllegalStateException(suite + " refuses to seal record " + sequenceNumber
                        + " twice under one key (nonce reuse)");
            }
            lastCcmSeal = sequenceNumber;
            ccmSealed = true;
            ccm(true, sequenceNumber, aad, record, limit - position);
            record.limit(limit + tag);
            return;
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
        record.limit(limit + tag);
    }

    @Override
    public void open(long sequenceNumber, ByteBuffer aad, ByteBuffer record) throws BadRecordMacException {
        checkOpen();
        int position = record.position();
        int limit = record.limit();
        int length = limit - position;
        int tag = suite.tagLength();
        if (length < tag) {
            throw new BadRecordMacException("record of " + length + " bytes is shorter than the "
                    + tag + "-byte tag");
        }
        if (suite.isCcm()) {
            if (!ccm(false, sequenceNumber, aad, record, length)) {
                throw new BadRecordMacException("record " + sequenceNumber + " did not authenticate");
            }
            record.limit(limit - tag);
            return;
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
        record.limit(limit - tag);
    }

    /**
     * AES-CCM over the record's {@code length} bytes from its position (plaintext when sealing,
     * ciphertext and tag when opening), in place; direct buffers and AADs go through a heap copy.
     *
     * @return whether the record authenticated (always true when sealing)
     */
    private boolean ccm(boolean seal, long sequenceNumber, ByteBuffer aad, ByteBuffer record, int length) {
        activate();
        makeNonce(sequenceNumber);
        int tag = suite.tagLength();
        int aadLength = aad.remaining();
        int recordRoom = seal ? length + tag : length;
        byte[] aadArray;
        int aadOffset;
        if (aad.hasArray()) {
            aadArray = aad.array();
            aadOffset = aad.arrayOffset() + aad.position();
        } else {
            aadArray = scratch(aadLength + recordRoom);
            aad.get(aad.position(), aadArray, 0, aadLength);
            aadOffset = 0;
        }
        byte[] array;
        int offset;
        if (record.hasArray()) {
            array = record.array();
            offset = record.arrayOffset() + record.position();
        } else {
            array = scratch(aadLength + recordRoom);
            offset = aadLength;
            record.get(record.position(), array, offset, length);
        }
        boolean ok = true;
        if (seal) {
            ccm.seal(nonce, aadArray, aadOffset, aadLength, array, offset, length);
        } else {
            ok = ccm.open(nonce, aadArray, aadOffset, aadLength, array, offset, length);
        }
        if (!record.hasArray()) {
            ByteBuffer out = record.duplicate();
            out.limit(out.position() + recordRoom); // sealing grows the record by the tag
            out.put(out.position(), array, offset, ok ? recordRoom : 0);
            Arrays.fill(array, offset, offset + recordRoom, (byte) 0);
        }
        return ok;
    }

    private byte[] scratch(int size) {
        if (ccmScratch.length < size) {
            ccmScratch = new byte[size];
        }
        return ccmScratch;
    }

    /** RFC 8446 §5.3: the 64-bit sequence number, left-padded to 12 bytes, XOR the write IV. */
    private void makeNonce(long sequenceNumber) {
        System.arraycopy(iv, 0, nonce, 0, nonce.length);
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (sequenceNumber >>> (8 * i));
        }
    }

    private void init(int mode, long sequenceNumber) throws GeneralSecurityException {
        makeNonce(sequenceNumber);
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
        if (ccmKey != null) {
            Arrays.fill(ccmKey, (byte) 0);
        }
        if (ccm != null) {
            ccm.destroy();
        }
        Arrays.fill(ccmScratch, (byte) 0);
        Arrays.fill(sample, (byte) 0);
        Arrays.fill(lastNonce, (byte) 0);
        Arrays.fill(lastSample, (byte) 0);
    }
}
