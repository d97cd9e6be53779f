package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.conformance.support.JdkAead;
import dev.pqdtls.spi.BadRecordMacException;
import dev.pqdtls.spi.RecordProtection;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeRecordProtectionTest {
    private final FfmBackend backend = new FfmBackend();
    private final Random random = new Random(9147);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static ByteBuffer buffer(byte[] content, int room, boolean direct) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(content.length + room) : ByteBuffer.allocate(content.length + room);
        b.put(content).flip();
        return b;
    }

    private static byte[] remaining(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void batchRoundTripWithAForgedRecordInTheMiddle(CipherSuite suite) throws Exception {
        byte[] key = bytes(suite.keyLength());
        byte[] iv = bytes(12);
        byte[] snKey = bytes(suite.keyLength());
        int n = 40; // more than the initial descriptor capacity, so the scratch grows once
        long[] seqs = new long[n];
        ByteBuffer[] aads = new ByteBuffer[n];
        ByteBuffer[] records = new ByteBuffer[n];
        byte[][] plaintexts = new byte[n][];
        byte[][] aadBytes = new byte[n][];
        for (int i = 0; i < n; i++) {
            seqs[i] = i == 0 ? 0xFFFF_FFFF_FFFFL : i * 7919L;
            plaintexts[i] = bytes(i % 5 == 0 ? 0 : 1 + random.nextInt(1400));
            aadBytes[i] = bytes(i % 7 == 0 ? 0 : 5 + random.nextInt(11));
            boolean direct = i % 2 == 0;
            aads[i] = buffer(aadBytes[i], 0, !direct);
            if (i % 3 == 0) {
                aads[i] = aads[i].asReadOnlyBuffer();
            }
            // A non-zero position checks that only position..limit is touched.
            ByteBuffer r = direct ? ByteBuffer.allocateDirect(plaintexts[i].length + 40) : ByteBuffer.allocate(plaintexts[i].length + 40);
            r.position(3);
            r.put(plaintexts[i]).limit(r.position()).position(3);
            records[i] = r;
        }
        try (RecordProtection sender = backend.recordProtection(suite, key, iv, snKey);
                RecordProtection receiver = backend.recordProtection(suite, key, iv, snKey)) {
            sender.sealBatch(seqs, aads, records, n);
            for (int i = 0; i < n; i++) {
                assertEquals(3, records[i].position());
                assertEquals(plaintexts[i].length + suite.tagLength(), records[i].remaining());
                assertArrayEquals(JdkAead.seal(suite, key, JdkAead.nonce(iv, seqs[i]), aadBytes[i], plaintexts[i]), remaining(records[i]),
                        "record " + i + " matches the JDK's AEAD");
                assertEquals(aadBytes[i].length, aads[i].remaining(), "AAD position unchanged");
            }
            int forged = n / 2;
            records[forged].put(records[forged].position() + records[forged].remaining() - 1, (byte) 0x5A);
            int forgedLimit = records[forged].limit();

            boolean[] authentic = new boolean[n];
            assertEquals(n - 1, receiver.openBatch(seqs, aads, records, n, authentic));
            for (int i = 0; i < n; i++) {
                if (i == forged) {
                    assertFalse(authentic[i]);
                    assertEquals(forgedLimit, records[i].limit(), "a failed record keeps its limit");
                } else {
                    assertTrue(authentic[i], "record " + i);
                    assertArrayEquals(plaintexts[i], remaining(records[i]), "record " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void singleRecordsAndWrongSequenceNumber(CipherSuite suite) throws Exception {
        byte[] key = bytes(suite.keyLength());
        byte[] iv = bytes(12);
        try (RecordProtection rp = backend.recordProtection(suite, key, iv, bytes(suite.keyLength()))) {
            byte[] plaintext = "hello, DTLS 1.3".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ByteBuffer aad = ByteBuffer.wrap(new byte[] {0x2f, 0, 1, 0, 31});
            ByteBuffer record = buffer(plaintext, 16, false);
            rp.seal(42, aad, record);
            ByteBuffer copy = ByteBuffer.allocate(record.remaining()).put(record.duplicate()).flip();
            assertThrows(BadRecordMacException.class, () -> rp.open(43, aad, copy));
            rp.open(42, aad, record);
            assertArrayEquals(plaintext, remaining(record));
            ByteBuffer tooShort = ByteBuffer.allocate(10);
            assertThrows(BadRecordMacException.class, () -> rp.open(1, aad, tooShort));
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void recordNumberMaskMatchesTheJdk(CipherSuite suite) throws Exception {
        byte[] snKey = bytes(suite.keyLength());
        byte[] sample = bytes(16);
        byte[] expected = JdkAead.recordNumberMask(suite, snKey, sample);
        try (RecordProtection rp = backend.recordProtection(suite, bytes(suite.keyLength()), bytes(12), snKey)) {
            for (ByteBuffer s : new ByteBuffer[] {ByteBuffer.wrap(sample), buffer(sample, 0, true),
                    ByteBuffer.wrap(sample).asReadOnlyBuffer()}) {
                byte[] mask = new byte[16];
                rp.recordNumberMask(s, mask);
                assertArrayEquals(expected, mask);
                assertEquals(0, s.position());
            }
            byte[] again = new byte[16];
            rp.recordNumberMask(ByteBuffer.wrap(sample), again);
            assertArrayEquals(expected, again, "mask is a pure function of the sample");
        }
    }

    @Test
    void useAfterCloseThrows() {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        RecordProtection rp = backend.recordProtection(suite, bytes(16), bytes(12), bytes(16));
        rp.close();
        rp.close(); // idempotent
        ByteBuffer aad = ByteBuffer.allocate(5);
        ByteBuffer record = ByteBuffer.allocate(64).limit(10);
        assertThrows(IllegalStateException.class, () -> rp.seal(1, aad, record));
        assertThrows(IllegalStateException.class, () -> rp.open(1, aad, record));
        assertThrows(IllegalStateException.class, () -> rp.recordNumberMask(ByteBuffer.allocate(16), new byte[16]));
        assertThrows(IllegalStateException.class,
                () -> rp.sealBatch(new long[1], new ByteBuffer[] {aad}, new ByteBuffer[] {record}, 1));
        assertThrows(IllegalStateException.class,
                () -> rp.openBatch(new long[1], new ByteBuffer[] {aad}, new ByteBuffer[] {record}, 1, new boolean[1]));
    }

    @Test
    void wrongLengthsNameTheExpectedLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.recordProtection(CipherSuite.TLS_AES_256_GCM_SHA384, bytes(16), bytes(12), bytes(32)));
        assertTrue(e.getMessage().contains("32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.recordProtection(CipherSuite.TLS_AES_128_GCM_SHA256, bytes(16), bytes(8), bytes(16)));
        assertTrue(e.getMessage().contains("12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.recordProtection(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, bytes(32), bytes(12), bytes(16)));
        assertTrue(e.getMessage().contains("32"), e.getMessage());
    }

    @Test
    void noRoomForTheTagLeavesTheBatchUntouched() {
        try (RecordProtection rp = backend.recordProtection(CipherSuite.TLS_AES_128_GCM_SHA256, bytes(16), bytes(12),
                bytes(16))) {
            ByteBuffer ok = ByteBuffer.allocate(40).limit(20);
            ByteBuffer full = ByteBuffer.allocate(20);
            byte[] before = remaining(ok);
            assertThrows(BufferOverflowException.class, () -> rp.sealBatch(new long[2],
                    new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocate(0)}, new ByteBuffer[] {ok, full}, 2));
            assertEquals(20, ok.limit());
            assertArrayEquals(before, remaining(ok));
        }
    }
}
