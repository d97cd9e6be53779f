package dev.pqdtls.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.conformance.support.BackendConformance;
import dev.pqdtls.conformance.support.BufferKind;
import dev.pqdtls.conformance.support.Bytes;
import dev.pqdtls.conformance.support.Hex;
import dev.pqdtls.conformance.support.JdkAead;
import dev.pqdtls.conformance.support.Rfc8448Simple1Rtt;
import dev.pqdtls.conformance.support.Wycheproof;
import dev.pqdtls.spi.BadRecordMacException;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.RecordProtection;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Record protection (RFC 8446 §5.2–5.3, RFC 9147 §4.2.3) of a {@link CryptoBackend}: Wycheproof
 * AEAD vectors in the shapes TLS uses, nonce construction from the sequence number, heap and direct
 * buffers, batches, forgeries, argument checks and the record-number mask, each checked against the
 * JDK's own ciphers.
 */
public abstract class AeadConformanceTest extends BackendConformance {
    @Override
    protected abstract CryptoBackend backend();

    // --- Wycheproof ------------------------------------------------------------------------------

    /** The AEAD families of the TLS 1.3 suites, as Wycheproof files them. */
    private enum Family { AES_GCM, CHACHA20_POLY1305, AES_CCM }

    @TestFactory
    Stream<DynamicNode> wycheproofAesGcm() {
        return Stream.of(wycheproof("aes_gcm_test.json", Family.AES_GCM));
    }

    @TestFactory
    Stream<DynamicNode> wycheproofChaCha20Poly1305() {
        return Stream.of(wycheproof("chacha20_poly1305_test.json", Family.CHACHA20_POLY1305));
    }

    @TestFactory
    Stream<DynamicNode> wycheproofAesCcm() {
        return Stream.of(wycheproof("aes_ccm_test.json", Family.AES_CCM));
    }

    /** Groups in the shapes TLS uses run against the matching suite; the others are out of scope. */
    private DynamicNode wycheproof(String file, Family family) {
        return vectorFile(file, "aead_test_schema_v1.json", g -> {
            int keyBits = g.intValue("keySize");
            int ivBits = g.intValue("ivSize");
            int tagBits = g.intValue("tagSize");
            if (ivBits != 96) {
                return GroupPlan.outOfScope("IVs other than 96 bits are not used by TLS (RFC 8446 §5.3)",
                        ivBits + "-bit IV");
            }
            CipherSuite suite = tlsSuite(family, keyBits, tagBits);
            if (suite == null) {
                return GroupPlan.outOfScope(keyBits + "-bit keys with " + tagBits + "-bit tags are not used by the TLS "
                        + family + " suites", "group " + g.index());
            }
            return GroupPlan.run("keySize=" + keyBits + " ivSize=" + ivBits + " tagSize=" + tagBits + " -> " + suite,
                    (group, v) -> checkAeadVector(suite, v));
        });
    }

    /** The TLS 1.3 suite with this AEAD, key and tag size (RFC 8446 §B.4), or null. */
    private static CipherSuite tlsSuite(Family family, int keyBits, int tagBits) {
        for (CipherSuite s : CipherSuite.values()) {
            Family f = s.isCcm() ? Family.AES_CCM : s.isAes() ? Family.AES_GCM : Family.CHACHA20_POLY1305;
            if (f == family && s.keyLength() * 8 == keyBits && s.tagLength() * 8 == tagBits) {
                return s;
            }
        }
        return null;
    }

    private void checkAeadVector(CipherSuite suite, Wycheproof.Vector v) throws BadRecordMacException {
        byte[] key = v.bytes("key");
        byte[] iv = v.bytes("iv");
        byte[] aad = v.bytes("aad");
        byte[] msg = v.bytes("msg");
        byte[] sealed = Bytes.concat(v.bytes("ct"), v.bytes("tag"));
        try (RecordProtection rp = cryptoBackend().recordProtection(suite, key, iv, new byte[suite.keyLength()])) {
            assertSame(suite, rp.suite(), v + ": suite()");
            if (v.isValid()) {
                assertArrayEquals(sealed, seal(rp, 0, aad, msg), v + ": seal(seq 0) must give ct||tag");
                assertArrayEquals(msg, open(rp, 0, aad, sealed, v.toString()), v + ": open must give msg");
            } else if (v.isInvalid()) {
                assertThrows(BadRecordMacException.class, () -> open(rp, 0, aad, sealed, v.toString()),
                        v + ": open must throw BadRecordMacException");
            } else {
                try {
                    assertArrayEquals(msg, open(rp, 0, aad, sealed, v.toString()), v + ": acceptable, but wrong plaintext");
                } catch (BadRecordMacException acceptable) {
                    // Rejecting an "acceptable" vector is allowed.
                }
            }
        }
    }

    // --- nonce construction ----------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> sequenceNumberIsXoredIntoIv() {
        long[] sequenceNumbers = {1, 0xFF, 0x1_0000_0000L, 0x0102_0304_0506_0708L, 0x0000_FFFF_FFFF_FFFFL, -1L};
        return Arrays.stream(CipherSuite.values()).map(suite -> DynamicContainer.dynamicContainer(suite.name(),
                Arrays.stream(sequenceNumbers).mapToObj(seq -> bounded("seq 0x" + Long.toHexString(seq), () -> {
                    byte[] key = Bytes.pattern(suite.keyLength(), 0x11);
                    byte[] iv = Bytes.pattern(CipherSuite.IV_LENGTH, 0x5A);
                    byte[] aad = Bytes.pattern(13, 0x33);
                    byte[] pt = Bytes.pattern(100, 0x77);
                    byte[] ivXorSeq = JdkAead.nonce(iv, seq);
                    byte[] atSeq;
                    byte[] atZero;
                    try (RecordProtection a = protection(suite, key, iv);
                            RecordProtection b = protection(suite, key, ivXorSeq)) {
                        atSeq = seal(a, seq, aad, pt);
                        atZero = seal(b, 0, aad, pt);
                        assertArrayEquals(atZero, atSeq, suite + ": seal(iv, seq N) must equal seal(iv XOR N, seq 0)");
                        assertArrayEquals(JdkAead.seal(suite, key, ivXorSeq, aad, pt), atSeq,
                                suite + ": seal at seq N must equal the JDK's AEAD with nonce iv XOR N");
                        assertFalse(Arrays.equals(seal(a, 0, aad, pt), atSeq), suite + ": seq 0 and seq N must seal differently");
                        assertArrayEquals(pt, open(a, seq, aad, atSeq, "seq"), "open at the same seq");
                        assertThrows(BadRecordMacException.class, () -> open(a, seq ^ 1, aad, atSeq, "seq"),
                                "open at another sequence number must fail");
                    }
                }))));
    }

    // --- buffers ---------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> heapAndDirectBuffers() {
        int[] sizes = {0, 1, 15, 16, 17, 255, 1200, 16384};
        List<DynamicNode> out = new ArrayList<>();
        for (CipherSuite suite : CipherSuite.values()) {
            List<DynamicNode> cases = new ArrayList<>();
            for (BufferKind recordKind : BufferKind.values()) {
                for (BufferKind aadKind : BufferKind.values()) {
                    cases.add(bounded("record " + recordKind + ", aad " + aadKind, () -> {
                        for (int size : sizes) {
                            checkBuffers(suite, recordKind, aadKind, size);
                        }
                    }));
                }
            }
            out.add(DynamicContainer.dynamicContainer(suite.name(), cases));
        }
        return out.stream();
    }

    private void checkBuffers(CipherSuite suite, BufferKind recordKind, BufferKind aadKind, int size)
            throws GeneralSecurityException {
        String what = suite + " " + size + "-byte record in " + recordKind + " buffer, aad in " + aadKind;
        byte[] key = Bytes.pattern(suite.keyLength(), 0x21);
        byte[] iv = Bytes.pattern(CipherSuite.IV_LENGTH, 0x42);
        byte[] aad = Bytes.pattern(5 + size % 11, 0x63);
        byte[] pt = Bytes.pattern(size, 0x05);
        long seq = 0x0001_0000_0000_002AL;
        byte[] expected = JdkAead.seal(suite, key, JdkAead.nonce(iv, seq), aad, pt);
        try (RecordProtection rp = protection(suite, key, iv)) {
            ByteBuffer aadBuf = aadKind.wrap(aad, 0);
            int aadPos = aadBuf.position();
            int aadLimit = aadBuf.limit();
            int tag = suite.tagLength();
            ByteBuffer rec = recordKind.wrap(pt, tag);
            int pos = rec.position();
            int limit = rec.limit();
            rp.seal(seq, aadBuf, rec);
            assertEquals(pos, rec.position(), what + ": seal must leave the position");
            assertEquals(limit + tag, rec.limit(), what + ": seal must grow the limit by the tag length");
            assertEquals(aadPos, aadBuf.position(), what + ": seal must leave the AAD position");
            assertEquals(aadLimit, aadBuf.limit(), what + ": seal must leave the AAD limit");
            assertArrayEquals(expected, contents(rec), what + ": sealed bytes differ from the JDK's");
            assertCanaries(rec, pos, rec.limit(), what + " after seal");

            rp.open(seq, aadBuf, rec);
            assertEquals(pos, rec.position(), what + ": open must leave the position");
            assertEquals(limit, rec.limit(), what + ": open must shrink the limit by the tag length");
            assertEquals(aadPos, aadBuf.position(), what + ": open must leave the AAD position");
            assertArrayEquals(pt, contents(rec), what + ": open must restore the plaintext");
            assertCanaries(rec, pos, rec.limit() + tag, what + " after open");
        }
    }

    private static void assertCanaries(ByteBuffer buffer, int from, int to, String what) {
        ByteBuffer b = buffer.duplicate();
        b.clear();
        for (int i = 0; i < from; i++) {
            assertEquals((byte) 0xC5, b.get(i), what + ": byte " + i + " before the record was written");
        }
        for (int i = to; i < b.capacity(); i++) {
            assertEquals((byte) 0xC5, b.get(i), what + ": byte " + i + " after the record was written");
        }
    }

    @Test
    void sealWithoutRoomForTagThrowsBufferOverflow() {
        for (CipherSuite suite : CipherSuite.values()) {
            try (RecordProtection rp = protection(suite, Bytes.pattern(suite.keyLength(), 1), Bytes.pattern(12, 2))) {
                ByteBuffer rec = ByteBuffer.wrap(Bytes.pattern(20, 3)).limit(20 - suite.tagLength() + 1);
                assertThrows(BufferOverflowException.class, () -> rp.seal(0, ByteBuffer.allocate(0), rec),
                        suite + ": record with no room for the tag");
            }
        }
    }

    // --- batches ---------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> batchWithForgedRecordInTheMiddle() {
        return Arrays.stream(CipherSuite.values()).map(suite -> bounded(suite.name(), () -> {
            int n = 7;
            int forged = 3;
            byte[] key = Bytes.pattern(suite.keyLength(), 0x13);
            byte[] iv = Bytes.pattern(12, 0x24);
            long[] seqs = new long[n];
            ByteBuffer[] aads = new ByteBuffer[n];
            ByteBuffer[] recs = new ByteBuffer[n];
            byte[][] pts = new byte[n][];
            byte[][] aadBytes = new byte[n][];
            for (int i = 0; i < n; i++) {
                seqs[i] = 0x0002_0000_0000_0000L + i * 3L;
                aadBytes[i] = Bytes.pattern(5 + i, 0x40 + i);
                pts[i] = Bytes.pattern(i * 97, 0x10 + i);
                BufferKind kind = BufferKind.values()[i % BufferKind.values().length];
                aads[i] = kind.wrap(aadBytes[i], 0);
                recs[i] = kind.wrap(pts[i], suite.tagLength());
            }
            try (RecordProtection rp = protection(suite, key, iv)) {
                rp.sealBatch(seqs, aads, recs, n);
                for (int i = 0; i < n; i++) {
                    assertArrayEquals(JdkAead.seal(suite, key, JdkAead.nonce(iv, seqs[i]), aadBytes[i], pts[i]), contents(recs[i]),
                            suite + ": sealBatch record " + i + " differs from the JDK's AEAD");
                }
                ByteBuffer bad = recs[forged];
                bad.put(bad.position() + 1, (byte) (bad.get(bad.position() + 1) ^ 0x01));
                int badLimit = bad.limit();
                boolean[] authentic = new boolean[n];
                int ok = rp.openBatch(seqs, aads, recs, n, authentic);
                assertEquals(n - 1, ok, suite + ": openBatch must verify all but the forged record");
                for (int i = 0; i < n; i++) {
                    if (i == forged) {
                        assertFalse(authentic[i], suite + ": forged record " + i + " must not verify");
                        assertEquals(badLimit, recs[i].limit(), suite + ": a failed record keeps its limit");
                    } else {
                        assertTrue(authentic[i], suite + ": record " + i + " must verify despite the forged one");
                        assertArrayEquals(pts[i], contents(recs[i]), suite + ": openBatch record " + i);
                    }
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicNode> batchHonoursCount() {
        return Arrays.stream(CipherSuite.values()).map(suite -> bounded(suite.name(), () -> {
            int n = 4;
            int count = 2;
            long[] seqs = {5, 6, 7, 8};
            ByteBuffer[] aads = new ByteBuffer[n];
            ByteBuffer[] recs = new ByteBuffer[n];
            for (int i = 0; i < n; i++) {
                aads[i] = ByteBuffer.wrap(Bytes.pattern(13, i));
                recs[i] = BufferKind.HEAP.wrap(Bytes.pattern(50, 0x30 + i), suite.tagLength());
            }
            try (RecordProtection rp = protection(suite, Bytes.pattern(suite.keyLength(), 9), Bytes.pattern(12, 8))) {
                rp.sealBatch(seqs, aads, recs, count);
                for (int i = count; i < n; i++) {
                    assertArrayEquals(Bytes.pattern(50, 0x30 + i), contents(recs[i]),
                            suite + ": sealBatch must not touch record " + i + " beyond count " + count);
                }
                boolean[] authentic = new boolean[n];
                assertEquals(count, rp.openBatch(seqs, aads, recs, count, authentic), suite + ": openBatch count");
                assertFalse(authentic[count], suite + ": openBatch must not report on records beyond count");
                assertArrayEquals(Bytes.pattern(50, 0x30), contents(recs[0]), suite + ": openBatch record 0");
            }
        }));
    }

    // --- forgeries and malformed records -----------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> corruptedRecordsAreRejected() {
        return Arrays.stream(CipherSuite.values()).map(suite -> bounded(suite.name(), () -> {
            byte[] aad = Bytes.pattern(13, 0x17);
            byte[] pt = Bytes.pattern(64, 0x2B);
            try (RecordProtection rp = protection(suite, Bytes.pattern(suite.keyLength(), 0x61), Bytes.pattern(12, 0x62))) {
                byte[] sealed = seal(rp, 7, aad, pt);
                for (int i = 0; i < sealed.length; i += (i < pt.length ? 13 : 1)) {
                    for (int bit : new int[] {0x01, 0x80}) {
                        byte[] bad = sealed.clone();
                        bad[i] ^= (byte) bit;
                        int at = i;
                        assertOpenFails(rp, 7, aad, bad, suite + ": bit 0x" + Integer.toHexString(bit)
                                + " flipped in " + (at >= pt.length ? "tag" : "ciphertext") + " byte " + at);
                    }
                }
                byte[] badAad = aad.clone();
                badAad[0] ^= 1;
                assertOpenFails(rp, 7, badAad, sealed, suite + ": changed AAD");
                assertOpenFails(rp, 7, new byte[0], sealed, suite + ": missing AAD");
                byte[] zeroTag = sealed.clone();
                Arrays.fill(zeroTag, pt.length, zeroTag.length, (byte) 0);
                assertOpenFails(rp, 7, aad, zeroTag, suite + ": all-zero tag");
                assertArrayEquals(pt, open(rp, 7, aad, sealed, suite.name()), suite + ": the intact record still opens");
            }
        }));
    }

    @TestFactory
    Stream<DynamicNode> truncatedRecordsAreRejected() {
        return Arrays.stream(CipherSuite.values()).map(suite -> bounded(suite.name(), () -> {
            byte[] aad = Bytes.pattern(13, 0x71);
            try (RecordProtection rp = protection(suite, Bytes.pattern(suite.keyLength(), 0x72), Bytes.pattern(12, 0x73))) {
                int tag = suite.tagLength();
                byte[] sealed = seal(rp, 1, aad, Bytes.pattern(40, 0x74));
                for (int len : new int[] {0, 1, tag - 1, tag, tag + 1, sealed.length - 1}) {
                    assertOpenFails(rp, 1, aad, Arrays.copyOf(sealed, len),
                            suite + ": record truncated to " + len + " bytes" + (len < tag ? " (shorter than a tag)" : ""));
                }
                byte[] emptySealed = seal(rp, 2, aad, new byte[0]);
                assertEquals(tag, emptySealed.length, suite + ": an empty plaintext seals to a bare tag");
                assertArrayEquals(new byte[0], open(rp, 2, aad, emptySealed, suite.name()), suite + ": bare tag opens");
            }
        }));
    }

    private static void assertOpenFails(RecordProtection rp, long seq, byte[] aad, byte[] record, String what) {
        ByteBuffer rec = ByteBuffer.wrap(record.clone());
        int limit = rec.limit();
        assertThrows(BadRecordMacException.class, () -> rp.open(seq, ByteBuffer.wrap(aad), rec),
                what + ": open must throw BadRecordMacException");
        assertEquals(limit, rec.limit(), what + ": a record that fails keeps its limit");
    }

    // --- argument checks and lifecycle -------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> wrongLengthsAreRejected() {
        return Arrays.stream(CipherSuite.values()).map(suite -> bounded(suite.name(), () -> {
            int k = suite.keyLength();
            CryptoBackend b = cryptoBackend();
            for (int bad : new int[] {0, k - 1, k + 1, k == 16 ? 32 : 16}) {
                assertThrows(IllegalArgumentException.class,
                        () -> b.recordProtection(suite, new byte[bad], new byte[12], new byte[k]),
                        suite + ": " + bad + "-byte key");
                assertThrows(IllegalArgumentException.class,
                        () -> b.recordProtection(suite, new byte[k], new byte[12], new byte[bad]),
                        suite + ": " + bad + "-byte record-number key");
            }
            for (int bad : new int[] {0, 8, 11, 13, 16}) {
                assertThrows(IllegalArgumentException.class,
                        () -> b.recordProtection(suite, new byte[k], new byte[bad], new byte[k]),
                        suite + ": " + bad + "-byte IV");
            }
        }));
    }

    @TestFactory
    Stream<DynamicNode> useAfterCloseThrowsIllegalState() {
        return Arrays.stream(CipherSuite.values()).map(suite -> bounded(suite.name(), () -> {
            RecordProtection rp = protection(suite, Bytes.pattern(suite.keyLength(), 1), Bytes.pattern(12, 2));
            byte[] sealed = seal(rp, 0, new byte[5], Bytes.pattern(10, 3));
            rp.close();
            assertThrows(IllegalStateException.class,
                    () -> rp.seal(1, ByteBuffer.allocate(5), BufferKind.HEAP.wrap(new byte[10], suite.tagLength())),
                    suite + ": seal after close");
            assertThrows(IllegalStateException.class,
                    () -> rp.open(0, ByteBuffer.allocate(5), ByteBuffer.wrap(sealed)), suite + ": open after close");
            assertThrows(IllegalStateException.class,
                    () -> rp.recordNumberMask(ByteBuffer.allocate(16), new byte[16]), suite + ": mask after close");
        }));
    }

    // --- record-number mask (RFC 9147 §4.2.3) ------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> recordNumberMaskMatchesJdk() {
        byte[][] samples = {
            new byte[16],
            Bytes.pattern(16, 0x01),
            Hex.decode("ffffffff000102030405060708090a0b"),
            Hex.decode("000000807f7e7d7c7b7a797877767574"),
            Hex.decode("0100000000000000000000000000000a"),
        };
        return Arrays.stream(CipherSuite.values()).map(suite -> bounded(suite.name(), () -> {
            byte[] snKey = Bytes.pattern(suite.keyLength(), 0x5C);
            try (RecordProtection rp = cryptoBackend().recordProtection(suite, Bytes.pattern(suite.keyLength(), 0x3C),
                    Bytes.pattern(12, 0x4C), snKey)) {
                for (byte[] sample : samples) {
                    byte[] expected = JdkAead.recordNumberMask(suite, snKey, sample);
                    for (BufferKind kind : BufferKind.values()) {
                        ByteBuffer buf = kind.wrap(Bytes.concat(sample, Bytes.pattern(20, 0xEE)), 0);
                        int pos = buf.position();
                        byte[] mask = new byte[16];
                        rp.recordNumberMask(buf, mask);
                        assertArrayEquals(expected, mask, suite + ": mask of sample " + Hex.encode(sample) + " in "
                                + kind + " buffer differs from the JDK's "
                                + (suite.isAes() ? "AES-ECB" : "ChaCha20 keystream"));
                        assertEquals(pos, buf.position(), suite + ": recordNumberMask must leave the position");
                    }
                    byte[] wide = new byte[24];
                    Arrays.fill(wide, (byte) 0xA5);
                    rp.recordNumberMask(ByteBuffer.wrap(sample), wide);
                    assertArrayEquals(expected, Arrays.copyOf(wide, 16), suite + ": mask into a 24-byte array");
                    for (int i = 16; i < wide.length; i++) {
                        assertEquals((byte) 0xA5, wide[i], suite + ": mask must only write mask[0..16)");
                    }
                }
            }
        }));
    }

    // --- RFC 8448 §3 records -------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> rfc8448Records() {
        return Stream.of(
                // {server} handshake record (EncryptedExtensions..Finished) under the server handshake keys, seq 0.
                bounded("server handshake record", () -> checkTls13Record(
                        Rfc8448Simple1Rtt.SERVER_HS_WRITE_KEYS, Rfc8448Simple1Rtt.SERVER_HANDSHAKE_RECORD, 0x16, 0)),
                // {client} Finished (its second handshake record; the first is the plaintext ClientHello)
                // under the client handshake keys (the server's read keys), seq 0.
                bounded("client Finished record", () -> checkTls13Record(
                        Rfc8448Simple1Rtt.CLIENT_HS_WRITE_KEYS, Rfc8448Simple1Rtt.CLIENT_FINISHED_RECORD, 0x16, 0)),
                // {client} application data under the client application keys, seq 0.
                bounded("client application_data record", () -> checkTls13Record(
                        Rfc8448Simple1Rtt.CLIENT_AP_WRITE_KEYS, Rfc8448Simple1Rtt.CLIENT_APPLICATION_RECORD, 0x17, 0)),
                // {server} application data follows the NewSessionTicket record, so seq 1.
                bounded("server application_data record (seq 1)", () -> checkTls13Record(
                        Rfc8448Simple1Rtt.SERVER_AP_WRITE_KEYS, Rfc8448Simple1Rtt.SERVER_APPLICATION_RECORD, 0x17, 1)));
    }

    /** TLSInnerPlaintext = payload || content type; AAD = the 5-byte record header (RFC 8446 §5.2). */
    private void checkTls13Record(Rfc8448Simple1Rtt.Step keys, Rfc8448Simple1Rtt.Step record, int contentType, long seq)
            throws GeneralSecurityException {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        byte[] key = keys.field("key expanded");
        byte[] iv = keys.field("iv expanded");
        byte[] payload = record.field("payload");
        byte[] complete = record.field("complete record");
        byte[] header = Arrays.copyOf(complete, 5);
        byte[] expected = Arrays.copyOfRange(complete, 5, complete.length);
        byte[] inner = Bytes.concat(payload, new byte[] {(byte) contentType});
        try (RecordProtection rp = cryptoBackend().recordProtection(suite, key, iv, new byte[suite.keyLength()])) {
            assertArrayEquals(expected, seal(rp, seq, header, inner), "RFC 8448 " + record.title() + ": sealed record");
            assertArrayEquals(inner, open(rp, seq, header, expected, record.title()), "RFC 8448 " + record.title() + ": opened");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private RecordProtection protection(CipherSuite suite, byte[] key, byte[] iv) {
        return cryptoBackend().recordProtection(suite, key, iv, Bytes.pattern(suite.keyLength(), 0x99));
    }

    static byte[] seal(RecordProtection rp, long seq, byte[] aad, byte[] pt) {
        ByteBuffer rec = ByteBuffer.allocate(pt.length + rp.suite().tagLength());
        rec.put(pt).flip();
        rp.seal(seq, ByteBuffer.wrap(aad), rec);
        return contents(rec);
    }

    static byte[] open(RecordProtection rp, long seq, byte[] aad, byte[] sealed, String what) throws BadRecordMacException {
        ByteBuffer rec = ByteBuffer.wrap(sealed.clone());
        rp.open(seq, ByteBuffer.wrap(aad), rec);
        int tag = rp.suite().tagLength();
        if (rec.limit() != sealed.length - tag) {
            fail(what + ": open must shrink the limit by " + tag + " to " + (sealed.length - tag) + " but it is "
                    + rec.limit());
        }
        return contents(rec);
    }

    static byte[] contents(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
