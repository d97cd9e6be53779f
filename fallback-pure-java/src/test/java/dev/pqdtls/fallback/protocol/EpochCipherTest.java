package dev.pqdtls.fallback.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.recordlayer.EpochCipher;
import dev.pqdtls.internal.recordlayer.UnifiedHeader;
import dev.pqdtls.spi.CryptoBackend;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EpochCipherTest {
    private final CryptoBackend crypto = new FallbackBackend();

    private EpochCipher cipher(CipherSuite suite, int epoch) {
        byte[] key = new byte[suite.keyLength()];
        key[0] = 1;
        byte[] sn = new byte[suite.keyLength()];
        sn[0] = 2;
        return new EpochCipher(epoch, crypto.recordProtection(suite, key, new byte[12], sn));
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void twoRecordsInOneDatagramOpenInOrderAndReplaysAreDropped(CipherSuite suite) {
        EpochCipher tx = cipher(suite, 3);
        EpochCipher rx = cipher(suite, 3);
        byte[] cid = {9, 9, 9, 9};
        ByteBuffer datagram = ByteBuffer.allocate(256);
        tx.protect(ContentType.APPLICATION_DATA, text("hello"), cid, datagram);
        int second = datagram.position();
        tx.protect(ContentType.HANDSHAKE, text("world!"), cid, datagram);
        int end = datagram.position();
        assertEquals(2, tx.nextSendSequence());

        UnifiedHeader h1 = UnifiedHeader.parse(datagram, 0, end, cid.length);
        assertEquals(second, h1.recordLength());
        assertEquals(3, h1.epochBits());
        assertNotEquals(0, h1.truncatedSequence() ^ 0, "sequence number 0 is masked on the wire (almost surely non-zero)");
        ByteBuffer copy = ByteBuffer.allocate(end).put(datagram.duplicate().flip()).flip();

        EpochCipher.Opened a = assertInstanceOf(EpochCipher.Opened.class, rx.unprotect(datagram, 0, h1));
        assertEquals(ContentType.APPLICATION_DATA, a.contentType());
        assertEquals("hello", StandardCharsets.UTF_8.decode(datagram.duplicate().position(a.contentOffset())
                .limit(a.contentOffset() + a.contentLength())).toString());
        assertEquals(0, a.sequenceNumber());
        UnifiedHeader h2 = UnifiedHeader.parse(datagram, second, end, cid.length);
        EpochCipher.Opened b = assertInstanceOf(EpochCipher.Opened.class, rx.unprotect(datagram, second, h2));
        assertEquals(ContentType.HANDSHAKE, b.contentType());
        assertEquals(1, b.sequenceNumber());

        assertEquals(EpochCipher.Drop.REPLAYED, rx.unprotect(copy, 0, UnifiedHeader.parse(copy, 0, end, cid.length)));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void forgedOrTruncatedRecordsAreDroppedAndDoNotAdvanceTheWindow(CipherSuite suite) {
        EpochCipher tx = cipher(suite, 2);
        EpochCipher rx = cipher(suite, 2);
        ByteBuffer d = ByteBuffer.allocate(128);
        tx.protect(ContentType.APPLICATION_DATA, text("payload"), new byte[0], d);
        int end = d.position();
        ByteBuffer forged = ByteBuffer.allocate(end).put(d.duplicate().flip()).flip();
        forged.put(end - 1, (byte) (forged.get(end - 1) ^ 1));
        assertEquals(EpochCipher.Drop.BAD_MAC, rx.unprotect(forged, 0, UnifiedHeader.parse(forged, 0, end, 0)));
        assertEquals(1, rx.authenticationFailures(), "counted against the key (RFC 9147 §4.5.3)");
        assertInstanceOf(EpochCipher.Opened.class, rx.unprotect(d, 0, UnifiedHeader.parse(d, 0, end, 0)),
                "the genuine record still opens after a forgery with the same number");

        ByteBuffer tiny = ByteBuffer.allocate(16);
        UnifiedHeader.write(tiny, new byte[0], 16, 0, 2, true, 10);
        tiny.position(tiny.position() + 10);
        assertEquals(EpochCipher.Drop.TOO_SHORT, rx.unprotect(tiny, 0, UnifiedHeader.parse(tiny, 0, tiny.position(), 0)));
    }

    /** RFC 9147 §4.2.3: short records are padded to hold the 16-byte mask sample (only CCM-8's tag leaves them short). */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void shortRecordsArePaddedToTheMaskSampleAndOpenToTheirContent(CipherSuite suite) {
        EpochCipher tx = cipher(suite, 3);
        EpochCipher rx = cipher(suite, 3);
        for (int length = 0; length <= 8; length++) {
            ByteBuffer d = ByteBuffer.allocate(64);
            byte[] content = new byte[length];
            java.util.Arrays.fill(content, (byte) 0x41);
            tx.protect(ContentType.ALERT, ByteBuffer.wrap(content), new byte[0], d);
            int end = d.position();
            UnifiedHeader h = UnifiedHeader.parse(d, 0, end, 0);
            int ciphertext = h.recordLength() - h.headerLength();
            assertEquals(Math.max(EpochCipher.SAMPLE_LENGTH, length + 1 + suite.tagLength()), ciphertext,
                    suite + ": ciphertext of a " + length + "-byte content");
            EpochCipher.Opened o = assertInstanceOf(EpochCipher.Opened.class, rx.unprotect(d, 0, h));
            assertEquals(ContentType.ALERT, o.contentType());
            assertEquals(length, o.contentLength(), "the padding is not content");
        }
    }
}
