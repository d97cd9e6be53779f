package dev.pqdtls.internal.recordlayer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class UnifiedHeaderTest {

    @ParameterizedTest(name = "cid={0} bits={1} length={2} epoch={3}")
    @CsvSource({"0,8,false,2", "0,8,true,3", "0,16,false,0", "0,16,true,1", "4,8,false,2", "4,8,true,3",
            "4,16,false,0", "8,16,true,1"})
    void everyVariantRoundTrips(int cidLength, int bits, boolean withLength, long epoch) {
        byte[] cid = new byte[cidLength];
        for (int i = 0; i < cidLength; i++) {
            cid[i] = (byte) (0xA0 + i);
        }
        long seq = 0x1234_5678L;
        int payload = 40;
        ByteBuffer b = ByteBuffer.allocate(64);
        UnifiedHeader.write(b, cid, bits, seq, epoch, withLength, payload);
        int headerLength = b.position();
        assertEquals(UnifiedHeader.length(cidLength, bits, withLength), headerLength);
        int end = headerLength + payload;
        UnifiedHeader h = UnifiedHeader.parse(b, 0, end, cidLength);
        assertNotNull(h);
        assertEquals(cidLength, h.cidLength());
        assertEquals(bits, h.sequenceBits());
        assertEquals(seq & ((1L << bits) - 1), h.truncatedSequence());
        assertEquals(epoch & 3, h.epochBits());
        assertEquals(headerLength, h.headerLength());
        assertEquals(end, h.recordLength());
        assertEquals(1 + cidLength, h.sequenceOffset());
    }

    @Test
    void lengthFieldSeparatesRecordsInOneDatagram() {
        ByteBuffer b = ByteBuffer.allocate(64);
        UnifiedHeader.write(b, new byte[0], 16, 1, 3, true, 20);
        b.position(b.position() + 20);
        int second = b.position();
        UnifiedHeader.write(b, new byte[0], 8, 2, 3, false, 0);
        b.position(b.position() + 17);
        UnifiedHeader h = UnifiedHeader.parse(b, 0, b.position(), 0);
        assertEquals(second, h.recordLength());
        UnifiedHeader h2 = UnifiedHeader.parse(b, second, b.position(), 0);
        assertEquals(2 + 17, h2.recordLength(), "without L the record runs to the end of the datagram");
    }

    @Test
    void malformedHeadersAreNullNeverExceptions() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {0x2C, 0x00, 0x01, 0x00, 0x10, 0x00});
        assertNull(UnifiedHeader.parse(b, 0, b.limit(), 0), "length runs past the datagram");
        assertNull(UnifiedHeader.parse(b, 0, 2, 0), "16-bit sequence truncated");
        assertNull(UnifiedHeader.parse(ByteBuffer.wrap(new byte[] {0x16}), 0, 1, 0), "DTLSPlaintext, not unified");
        assertNull(UnifiedHeader.parse(ByteBuffer.wrap(new byte[] {0x30, 1, 2}), 0, 3, 0),
                "CID flag set but we issued no CID");
        assertNull(UnifiedHeader.parse(b, 6, 6, 0), "empty");
        assertThrows(IllegalArgumentException.class,
                () -> UnifiedHeader.write(ByteBuffer.allocate(8), new byte[0], 12, 0, 0, false, 0));
    }

    @ParameterizedTest(name = "expected={0} wire={1} bits={2} -> {3}")
    @CsvSource({"0,5,8,5", "250,3,8,259", "260,250,8,250", "0,250,8,250", "65546,65530,16,65530",
            "65530,4,16,65540", "1000,232,8,1000"})
    void sequenceReconstructionPicksTheClosest(long expected, int wire, int bits, long full) {
        assertEquals(full, UnifiedHeader.reconstructSequence(expected, wire, bits));
    }
}
