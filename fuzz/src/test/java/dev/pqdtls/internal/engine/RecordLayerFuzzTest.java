package dev.pqdtls.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.fuzz.Bounds;
import dev.pqdtls.fuzz.Duel;
import dev.pqdtls.fuzz.Seeds;
import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.recordlayer.EpochCipher;
import dev.pqdtls.internal.recordlayer.UnifiedHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The record layer (RFC 9147 §4) as one connection runs it, with real keys from the fallback backend
 * fixed for the whole run: what arrives is fuzzed, the keys are not. Reading a datagram never throws;
 * each record is delivered (authentic, fresh, inside the datagram) or dropped and counted; a record
 * number is never delivered twice. In the same package as {@link RecordLayer}, which is not public.
 */
class RecordLayerFuzzTest {
    /** Read epochs with fixed keys: two suites, and two epochs whose low bits differ (§4.2.2). */
    private static final long[] EPOCHS = {2, 3, 4};
    private static final CipherSuite[] SUITES = {
        CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384};
    private static final int CID_LENGTH = 4;

    private static EpochCipher cipher(int i) {
        CipherSuite s = SUITES[i];
        byte[] key = new byte[s.keyLength()];
        byte[] iv = new byte[CipherSuite.IV_LENGTH];
        byte[] sn = new byte[s.keyLength()];
        Arrays.fill(key, (byte) (0x10 + i));
        Arrays.fill(iv, (byte) (0x20 + i));
        Arrays.fill(sn, (byte) (0x30 + i));
        return new EpochCipher(EPOCHS[i], Duel.CRYPTO.recordProtection(s, key, iv, sn));
    }

    /** A record layer reading every fixed epoch, expecting our CIDs when {@code cid}. */
    private static RecordLayer reader(boolean cid) {
        RecordLayer r = new RecordLayer();
        for (int i = 0; i < EPOCHS.length; i++) {
            r.installRead(cipher(i));
        }
        r.connectionIds(new byte[0], cid ? CID_LENGTH : 0);
        return r;
    }

    // --- unified header --------------------------------------------------------------------------

    static Stream<Arguments> headerSeeds() {
        List<Arguments> seeds = new ArrayList<>();
        for (byte[] d : Seeds.serverDatagrams()) {
            seeds.add(Seeds.named("real server datagram " + seeds.size(), prefixed(0, d)));
        }
        return seeds.stream().limit(4);
    }

    /**
     * The first byte gives the CID length we expect (0–20) and, in its top bits, the next expected
     * sequence number's high bits; the rest is a datagram whose first record header is parsed.
     */
    @MethodSource("headerSeeds")
    @FuzzTest(maxDuration = "10m")
    void unifiedHeader(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        int cidLength = (input[0] & 0xFF) % 21;
        ByteBuffer d = ByteBuffer.wrap(Bounds.cap(input, Bounds.MAX_DATAGRAM));
        Bounds.allocation(4096, 0, input.length, () -> {
            UnifiedHeader h = UnifiedHeader.parse(d, 1, d.limit(), cidLength);
            if (h == null) {
                return;
            }
            int first = d.get(1) & 0xFF;
            assertTrue(UnifiedHeader.matches(first));
            assertTrue(h.sequenceBits() == 8 || h.sequenceBits() == 16);
            assertEquals((first & 0x10) != 0 ? cidLength : 0, h.cidLength());
            assertEquals(UnifiedHeader.length(h.cidLength(), h.sequenceBits(), (first & 0x04) != 0), h.headerLength());
            assertTrue(h.headerLength() <= h.recordLength() && 1 + h.recordLength() <= d.limit(), "record inside the datagram");
            if ((first & 0x04) == 0) {
                assertEquals(d.limit() - 1, h.recordLength(), "without a length the record runs to the end");
            }
            assertTrue(h.truncatedSequence() >>> h.sequenceBits() == 0);
            assertEquals(first & 3, h.epochBits());
            // §4.2.2: the reconstructed number has the wire bits and is the closest to the expected one.
            long expected = (input[0] & 0xE0L) << 10 | h.truncatedSequence() ^ 0x5A;
            long seq = UnifiedHeader.reconstructSequence(expected, h.truncatedSequence(), h.sequenceBits());
            long window = 1L << h.sequenceBits();
            assertEquals(h.truncatedSequence(), seq & (window - 1));
            assertTrue(seq >= 0 && Math.abs(seq - expected) <= window / 2 || seq < window && expected < window,
                    "sequence " + seq + " for expected " + expected);
        });
    }

    // --- record open path ------------------------------------------------------------------------

    static Stream<Arguments> recordSeeds() {
        List<Arguments> seeds = new ArrayList<>();
        seeds.add(Seeds.named("one record per epoch, no CID", prefixed(0, sealed(false, 2, 3, 4))));
        seeds.add(Seeds.named("three records of epoch 2 with a CID", prefixed(1, sealed(true, 2, 2, 2))));
        seeds.add(Seeds.named("plaintext handshake then epoch 2", prefixed(0,
                concat(Seeds.serverDatagrams().get(0), sealed(false, 2)))));
        seeds.add(Seeds.named("the same record twice", prefixed(0, twice(sealed(false, 3)))));
        for (byte[] d : Seeds.serverDatagrams()) {
            seeds.add(Seeds.named("real server datagram " + seeds.size(), prefixed(1, d)));
        }
        return seeds.stream();
    }

    /** The first byte says whether our CIDs are in use; the rest is one datagram read by the record layer. */
    @MethodSource("recordSeeds")
    @FuzzTest(maxDuration = "10m")
    void recordOpen(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        boolean cid = (input[0] & 1) != 0;
        readAndCheck(() -> reader(cid), input);
    }

    static Stream<Arguments> plaintextSeeds() {
        List<Arguments> seeds = new ArrayList<>();
        for (byte[] d : Seeds.serverDatagrams()) {
            seeds.add(Seeds.named("real server datagram " + seeds.size(), prefixed(0, d)));
        }
        for (byte[] d : Seeds.clientDatagrams()) {
            seeds.add(Seeds.named("real client datagram " + seeds.size(), prefixed(0, d)));
        }
        seeds.add(Seeds.named("plaintext alert", prefixed(0, StatelessReplies.alert(DtlsAlert.DECODE_ERROR, 7).array())));
        return seeds.stream();
    }

    /** DTLSPlaintext (epoch 0) as a record layer without keys reads it; the first byte is ignored. */
    @MethodSource("plaintextSeeds")
    @FuzzTest(maxDuration = "10m")
    void dtlsPlaintext(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        readAndCheck(RecordLayer::new, input).forEach(r -> {
            assertEquals(0, r.epoch(), "without keys only plaintext records open");
            assertTrue(r.contentType() == ContentType.HANDSHAKE || r.contentType() == ContentType.ALERT
                    || r.contentType() == ContentType.ACK, "plaintext carries only handshake, alert, ack");
        });
    }

    /**
     * Reads {@code input[1..]} as one datagram into a fresh record layer and checks what came out;
     * returns the records.
     */
    private static List<RecordLayer.Record> readAndCheck(Supplier<RecordLayer> fresh, byte[] input) throws Exception {
        byte[] capped = Bounds.cap(input, Bounds.MAX_DATAGRAM);
        List<RecordLayer.Record> records = new ArrayList<>();
        RecordLayer[] read = new RecordLayer[1];
        Bounds.allocation(1 << 20, 8, capped.length, () -> {
            records.clear();
            read[0] = fresh.get();
            // A copy: opening decrypts in place.
            assertTrue(read[0].read(ByteBuffer.wrap(capped.clone(), 1, capped.length - 1), r -> {
                records.add(r);
                return true;
            }), "the sink never asked to stop");
        });
        RecordLayer layer = read[0];
        Set<List<Long>> numbers = new HashSet<>();
        for (RecordLayer.Record r : records) {
            ByteBuffer c = r.content();
            assertTrue(c.position() >= 1 && c.limit() <= capped.length && c.position() <= c.limit(), "content inside the datagram");
            assertTrue(r.epoch() == 0 || Arrays.stream(EPOCHS).anyMatch(e -> e == r.epoch()), "an epoch we can read");
            assertNotEquals(0, r.contentType(), "a record has a content type");
            assertTrue(numbers.add(List.of(r.epoch(), r.sequenceNumber())), "record " + r.epoch() + "/"
                    + r.sequenceNumber() + " delivered twice");
        }
        assertEquals(records.size(), layer.recordsReceived, "every delivered record is counted");
        if (capped.length > 1) {
            assertTrue(layer.recordsReceived + layer.dropped > 0, "a datagram is delivered or counted as dropped");
        }
        return records;
    }

    // --- alerts through a connection -------------------------------------------------------------

    private static Duel established;
    private static int forgedSequence = 100;

    static Stream<Arguments> alertSeeds() {
        return Stream.of(
                Seeds.named("encrypted close_notify", new byte[] {1, 1, 0}),
                Seeds.named("encrypted fatal decode_error", new byte[] {1, 2, 50}),
                Seeds.named("plaintext fatal handshake_failure", new byte[] {0, 2, 40}),
                Seeds.named("plaintext close_notify", new byte[] {0, 1, 0}),
                Seeds.named("encrypted, three bytes", new byte[] {1, 2, 40, 0}));
    }

    /**
     * An alert reaching an established server: the first byte says whether it comes encrypted under
     * the client's real keys (odd) or as a forged plaintext record (even), the rest is the alert body.
     * RFC 8446 §6: a well-formed authentic alert closes (close_notify) or fails the connection with
     * that alert; anything else is dropped and counted, and nothing unauthenticated ends an
     * established association.
     */
    @MethodSource("alertSeeds")
    @FuzzTest(maxDuration = "10m")
    void alert(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        if (established == null || established.server().state() != Connection.State.CONNECTED
                || established.client().state() != Connection.State.CONNECTED) {
            established = Duel.clientUnderTest();
            assertTrue(established.establish(200), "a real handshake completes");
        }
        boolean authentic = (input[0] & 1) != 0;
        byte[] body = Arrays.copyOfRange(input, 1, Math.min(input.length, 1025));
        ClientConnection client = established.client();
        ServerConnection server = established.server();
        ByteBuffer datagram = ByteBuffer.allocate(2048);
        if (authentic) {
            client.records.write(client.records.writeEpoch(), ContentType.ALERT, ByteBuffer.wrap(body), datagram);
        } else {
            datagram.put((byte) ContentType.ALERT).putShort((short) 0xFEFD).putShort((short) 0).putShort((short) 0)
                    .putInt(++forgedSequence).putShort((short) body.length).put(body);
        }
        long dropped = server.stats().recordsDropped();
        server.onDatagram(datagram.flip(), 2_000_000);
        if (!authentic || body.length != 2) {
            assertEquals(Connection.State.CONNECTED, server.state(), () -> "dropped, not obeyed: " + server.failure());
            assertEquals(dropped + 1, server.stats().recordsDropped(), "the bad alert was counted");
            return;
        }
        int description = body[1] & 0xFF;
        assertNotNull(server.failure());
        assertTrue(server.failure().fromPeer());
        if (description == DtlsAlert.CLOSE_NOTIFY.code()) {
            assertEquals(Connection.State.CLOSED, server.state());
        } else {
            assertEquals(Connection.State.FAILED, server.state());
            assertEquals(DtlsAlert.byCode(description).orElse(DtlsAlert.INTERNAL_ERROR), server.failure().alert());
        }
    }

    // --- seed helpers ----------------------------------------------------------------------------

    /** Datagram of one record per listed epoch, sealed with the fixed keys (with our CID when {@code cid}). */
    private static byte[] sealed(boolean cid, long... epochs) {
        RecordLayer writer = new RecordLayer();
        for (int i = 0; i < EPOCHS.length; i++) {
            writer.installWrite(cipher(i));
        }
        writer.connectionIds(cid ? new byte[] {1, 2, 3, 4} : new byte[0], 0);
        ByteBuffer out = ByteBuffer.allocate(1500);
        int n = 0;
        for (long e : epochs) {
            writer.write(e, n++ % 2 == 0 ? ContentType.APPLICATION_DATA : ContentType.HANDSHAKE,
                    ByteBuffer.wrap(("record " + n + " of epoch " + e).getBytes(java.nio.charset.StandardCharsets.UTF_8)), out);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] prefixed(int first, byte[] datagram) {
        byte[] out = new byte[datagram.length + 1];
        out[0] = (byte) first;
        System.arraycopy(datagram, 0, out, 1, datagram.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] twice(byte[] d) {
        return concat(d, d);
    }
}
