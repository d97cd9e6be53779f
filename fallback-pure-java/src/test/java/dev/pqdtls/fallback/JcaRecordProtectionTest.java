package dev.pqdtls.fallback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.spi.BadRecordMacException;
import dev.pqdtls.spi.RecordProtection;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.ChaCha7539Engine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * In-place sealing and opening on heap and direct buffers, checked against Bouncy Castle's
 * independent AEADs, and the record-number masks against direct JCA computations and published
 * vectors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JcaRecordProtectionTest {
    private static final HexFormat HEX = HexFormat.of();
    private final FallbackBackend backend = new FallbackBackend();
    private final Random random = new Random(9147);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private RecordProtection protection(CipherSuite suite, byte[] key, byte[] iv, byte[] snKey) {
        return backend.recordProtection(suite, key, iv, snKey);
    }

    /** The expected record via BC's lightweight AEAD, out of place, nonce = iv XOR seq. */
    private static byte[] bcSeal(CipherSuite suite, byte[] key, byte[] iv, long seq, byte[] aad, byte[] plaintext)
            throws Exception {
        byte[] nonce = iv.clone();
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (seq >>> (8 * i));
        }
        AEADCipher cipher = suite.isCcm() ? CCMBlockCipher.newInstance(AESEngine.newInstance())
                : suite.isAes() ? GCMBlockCipher.newInstance(AESEngine.newInstance()) : new ChaCha20Poly1305();
        cipher.init(true, new AEADParameters(new KeyParameter(key), suite.tagLength() * 8, nonce, aad));
        byte[] out = new byte[cipher.getOutputSize(plaintext.length)];
        int n = cipher.processBytes(plaintext, 0, plaintext.length, out, 0);
        cipher.doFinal(out, n);
        return out;
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void sealsAndOpensInPlaceOnHeapAndDirectBuffers(CipherSuite suite) throws Exception {
        byte[] key = bytes(suite.keyLength());
        byte[] iv = bytes(12);
        int tag = suite.tagLength();
        try (RecordProtection p = protection(suite, key, iv, bytes(suite.keyLength()))) {
            assertEquals(suite, p.suite());
            for (boolean direct : new boolean[] {false, true}) {
                for (int length : new int[] {0, 1, 15, 16, 17, 100, 1400}) {
                    long seq = (1L << 48) - 1 - length;
                    byte[] aad = bytes(5);
                    byte[] plaintext = bytes(length);
                    byte[] expected = bcSeal(suite, key, iv, seq, aad, plaintext);

                    // The record sits between other bytes of a datagram; the AAD is the header before it.
                    ByteBuffer datagram = direct ? ByteBuffer.allocateDirect(7 + length + tag + 9)
                            : ByteBuffer.allocate(7 + length + tag + 9);
                    ByteBuffer record = datagram.position(7).slice();
                    record.put(plaintext).flip();
                    int capacityBefore = record.capacity();
                    ByteBuffer aadBuffer = direct ? ByteBuffer.allocateDirect(8) : ByteBuffer.allocate(8);
                    aadBuffer.position(3);
                    aadBuffer.put(aad).position(3);

                    p.seal(seq, aadBuffer, record);
                    assertEquals(0, record.position());
                    assertEquals(length + tag, record.limit());
                    assertEquals(capacityBefore, record.capacity());
                    assertEquals(3, aadBuffer.position(), "AAD position unchanged");
                    byte[] sealed = new byte[record.remaining()];
                    record.duplicate().get(sealed);
                    assertArrayEquals(expected, sealed, suite + " direct=" + direct + " length=" + length);

                    p.open(seq, aadBuffer, record);
                    assertEquals(0, record.position());
                    assertEquals(length, record.limit());
                    byte[] opened = new byte[length];
                    record.duplicate().get(opened);
                    assertArrayEquals(plaintext, opened);
                    assertEquals(3, aadBuffer.position());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void rejectsTamperedWrongSequenceAndShortRecords(CipherSuite suite) throws Exception {
        int sealedLength = 40 + suite.tagLength();
        for (boolean direct : new boolean[] {false, true}) {
            try (RecordProtection p = protection(suite, bytes(suite.keyLength()), bytes(12), bytes(suite.keyLength()))) {
                ByteBuffer aad = ByteBuffer.wrap(bytes(5));
                byte[] plaintext = bytes(40);
                ByteBuffer record = direct ? ByteBuffer.allocateDirect(sealedLength) : ByteBuffer.allocate(sealedLength);
                record.put(plaintext).flip();
                p.seal(7, aad, record);
                byte[] sealed = new byte[sealedLength];
                record.duplicate().get(sealed);

                assertThrows(BadRecordMacException.class, () -> p.open(8, aad, record), "wrong sequence number");
                assertEquals(sealedLength, record.limit(), "limit unchanged on failure");

                for (int flip : new int[] {0, 39, 40, sealedLength - 1}) {
                    record.clear();
                    record.put(sealed).flip();
                    record.put(flip, (byte) (record.get(flip) ^ 1));
                    assertThrows(BadRecordMacException.class, () -> p.open(7, aad, record), "flipped byte " + flip);
                    assertEquals(sealedLength, record.limit());
                }

                record.clear();
                record.put(sealed).flip();
                ByteBuffer otherAad = ByteBuffer.wrap(bytes(5));
                assertThrows(BadRecordMacException.class, () -> p.open(7, otherAad, record));

                int shortLength = suite.tagLength() - 1;
                ByteBuffer shortRecord = direct ? ByteBuffer.allocateDirect(shortLength) : ByteBuffer.allocate(shortLength);
                BadRecordMacException e = assertThrows(BadRecordMacException.class, () -> p.open(7, aad, shortRecord));
                assertTrue(e.getMessage().contains("shorter"), e.getMessage());

                record.clear();
                record.put(sealed).flip();
                p.open(7, aad, record);
                assertEquals(40, record.limit());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void opensTheSameRecordTwiceButRefusesToSealASequenceNumberTwice(CipherSuite suite) throws Exception {
        int sealedLength = 32 + suite.tagLength();
        try (RecordProtection p = protection(suite, bytes(suite.keyLength()), bytes(12), bytes(suite.keyLength()))) {
            ByteBuffer aad = ByteBuffer.wrap(bytes(5));
            ByteBuffer record = ByteBuffer.allocate(sealedLength);
            record.put(bytes(32)).flip();
            p.seal(3, aad, record);
            byte[] sealed = new byte[sealedLength];
            record.duplicate().get(sealed);
            for (int i = 0; i < 3; i++) {
                ByteBuffer copy = ByteBuffer.wrap(sealed.clone());
                p.open(3, aad, copy); // a duplicated datagram
                assertEquals(32, copy.limit());
            }
            ByteBuffer again = ByteBuffer.allocate(sealedLength);
            again.put(bytes(32)).flip();
            assertThrows(IllegalStateException.class, () -> p.seal(3, aad, again), "nonce reuse");
        }
    }

    @Test
    void openBatchReportsEachRecord() {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        try (RecordProtection p = protection(suite, bytes(16), bytes(12), bytes(16))) {
            ByteBuffer[] records = new ByteBuffer[3];
            ByteBuffer[] aads = new ByteBuffer[3];
            long[] seqs = {1, 2, 3};
            for (int i = 0; i < 3; i++) {
                records[i] = ByteBuffer.allocate(30);
                records[i].put(bytes(14)).flip();
                aads[i] = ByteBuffer.wrap(bytes(3));
            }
            p.sealBatch(seqs, aads, records, 3);
            records[1].put(0, (byte) (records[1].get(0) ^ 0x80));
            boolean[] ok = new boolean[3];
            assertEquals(2, p.openBatch(seqs, aads, records, 3, ok));
            assertTrue(ok[0]);
            assertFalse(ok[1]);
            assertTrue(ok[2]);
            assertEquals(30, records[1].limit());
            assertEquals(14, records[2].limit());
        }
    }

    @Test
    void sealWithoutRoomForTheTagOverflows() {
        try (RecordProtection p = protection(CipherSuite.TLS_AES_256_GCM_SHA384, bytes(32), bytes(12), bytes(32))) {
            ByteBuffer record = ByteBuffer.allocate(20);
            record.limit(5);
            assertThrows(BufferOverflowException.class, () -> p.seal(1, ByteBuffer.allocate(0), record));
            assertEquals(5, record.limit());
        }
    }

    @Test
    void rejectsWrongKeyAndIvLengthsNamingTheExpectedLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> protection(CipherSuite.TLS_AES_128_GCM_SHA256, new byte[32], new byte[12], new byte[16]));
        assertTrue(e.getMessage().contains("expected 16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> protection(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, new byte[32], new byte[8], new byte[32]));
        assertTrue(e.getMessage().contains("expected 12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> protection(CipherSuite.TLS_AES_256_GCM_SHA384, new byte[32], new byte[12], new byte[16]));
        assertTrue(e.getMessage().contains("expected 32"), e.getMessage());
    }

    @Test
    void refusesUseAfterClose() {
        RecordProtection p = protection(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, bytes(32), bytes(12), bytes(32));
        p.close();
        ByteBuffer record = ByteBuffer.allocate(32);
        assertThrows(IllegalStateException.class, () -> p.seal(1, ByteBuffer.allocate(0), record));
        assertThrows(IllegalStateException.class, () -> p.open(1, ByteBuffer.allocate(0), record));
        assertThrows(IllegalStateException.class, () -> p.recordNumberMask(record, new byte[16]));
        p.close();
    }

    @Test
    void callerKeyArraysAreCopied() throws Exception {
        byte[] key = bytes(16);
        byte[] iv = bytes(12);
        byte[] keyCopy = key.clone();
        try (RecordProtection p = protection(CipherSuite.TLS_AES_128_GCM_SHA256, key, iv, bytes(16))) {
            Arrays.fill(key, (byte) 0);
            ByteBuffer record = ByteBuffer.allocate(16 + 4);
            record.put(new byte[4]).flip();
            p.seal(0, ByteBuffer.allocate(0), record);
            byte[] sealed = new byte[20];
            record.get(sealed);
            assertArrayEquals(bcSeal(CipherSuite.TLS_AES_128_GCM_SHA256, keyCopy, iv, 0, new byte[0], new byte[4]),
                    sealed);
        }
    }

    // --- record-number masks (RFC 9147 §4.2.3) ------------------------------------------------

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void maskMatchesADirectJcaComputation(CipherSuite suite) throws Exception {
        byte[] snKey = bytes(suite.keyLength());
        try (RecordProtection p = protection(suite, bytes(suite.keyLength()), bytes(12), snKey)) {
            for (int round = 0; round < 20; round++) {
                byte[] sample = bytes(16);
                if (round == 1) {
                    sample[3] |= (byte) 0x80; // block counter with the top bit set
                }
                byte[] expected;
                if (suite.isAes()) {
                    Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
                    ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(snKey, "AES"));
                    expected = ecb.doFinal(sample);
                } else {
                    int counter = (sample[0] & 0xFF) | (sample[1] & 0xFF) << 8 | (sample[2] & 0xFF) << 16
                            | (sample[3] & 0xFF) << 24;
                    Cipher chacha = Cipher.getInstance("ChaCha20");
                    chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(snKey, "ChaCha20"),
                            new ChaCha20ParameterSpec(Arrays.copyOfRange(sample, 4, 16), counter));
                    expected = chacha.doFinal(new byte[16]);
                    assertArrayEquals(bcChaChaKeystream(snKey, sample), expected, "JCA and BC agree on the keystream");
                }
                for (boolean direct : new boolean[] {false, true}) {
                    ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(40) : ByteBuffer.allocate(40);
                    buffer.position(11);
                    buffer.put(sample);
                    buffer.position(11);
                    byte[] mask = new byte[16];
                    p.recordNumberMask(buffer, mask);
                    assertArrayEquals(expected, mask, suite + " direct=" + direct);
                    assertEquals(11, buffer.position(), "sample position unchanged");
                    // A duplicated datagram repeats its sample; the mask must still be computed.
                    byte[] again = new byte[16];
                    p.recordNumberMask(buffer, again);
                    assertArrayEquals(expected, again);
                }
            }
        }
    }

    /** BC's ChaCha20 positioned at block {@code counter} (unsigned), as an independent reference. */
    private static byte[] bcChaChaKeystream(byte[] key, byte[] sample) {
        long counter = (sample[0] & 0xFFL) | (sample[1] & 0xFFL) << 8 | (sample[2] & 0xFFL) << 16
                | (sample[3] & 0xFFL) << 24;
        ChaCha7539Engine engine = new ChaCha7539Engine();
        engine.init(true, new ParametersWithIV(new KeyParameter(key), Arrays.copyOfRange(sample, 4, 16)));
        engine.skip(counter * 64);
        byte[] out = new byte[16];
        engine.processBytes(new byte[16], 0, 16, out, 0);
        return out;
    }

    /** FIPS-197 Appendix C.1 (AES-128) and C.3 (AES-256) as ECB of the sample. */
    @Test
    void aesMaskMatchesFips197() {
        byte[] sample = HEX.parseHex("00112233445566778899aabbccddeeff");
        byte[] mask = new byte[16];
        try (RecordProtection p = protection(CipherSuite.TLS_AES_128_GCM_SHA256, bytes(16), bytes(12),
                HEX.parseHex("000102030405060708090a0b0c0d0e0f"))) {
            p.recordNumberMask(ByteBuffer.wrap(sample), mask);
            assertEquals("69c4e0d86a7b0430d8cdb78070b4c55a", HEX.formatHex(mask));
        }
        try (RecordProtection p = protection(CipherSuite.TLS_AES_256_GCM_SHA384, bytes(32), bytes(12),
                HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"))) {
            p.recordNumberMask(ByteBuffer.wrap(sample), mask);
            assertEquals("8ea2b7ca516745bfeafc49904b496089", HEX.formatHex(mask));
        }
    }

    /** RFC 8439 §2.3.2: key 00..1f, counter 1, nonce 000000090000004a00000000. */
    @Test
    void chachaMaskMatchesRfc8439BlockFunctionVector() {
        byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] sample = HEX.parseHex("01000000" + "000000090000004a00000000");
        byte[] mask = new byte[16];
        try (RecordProtection p = protection(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, bytes(32), bytes(12), key)) {
            p.recordNumberMask(ByteBuffer.wrap(sample), mask);
        }
        assertEquals("10f1e7e4d13b5915500fdd1fa32071c4", HEX.formatHex(mask));
    }
}
