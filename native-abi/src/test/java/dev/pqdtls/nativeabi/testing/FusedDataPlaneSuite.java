package dev.pqdtls.nativeabi.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.engine.ClientConnection;
import dev.pqdtls.internal.engine.Connection;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.recordlayer.EpochCipher;
import dev.pqdtls.internal.recordlayer.RecordBatchOpener;
import dev.pqdtls.nativeabi.UdpEngineOptions;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.RecordProtection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused data plane of DESIGN §4 — seal+send in one downcall, open a connection's batch in one
 * downcall — against the Java record layer: the same bytes on the wire, the same outcomes for
 * replayed, forged and foreign records, the replay window and KeyUpdate intact under batching, and
 * GSO/GRO in between where the kernel has them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class FusedDataPlaneSuite extends NativeBackendSuite {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final long EPOCH = 3;
    private static final CryptoBackend FALLBACK = new FallbackBackend();

    /** A native UDP engine of the backend under test, as this suite drives it. */
    public interface Engine extends AutoCloseable {
        int localPort();

        /** The fused seal-and-send of {@code contents} under native keys; returns the count sent. */
        int sealAndSend(RecordProtection protection, long epoch, byte[] cid, int contentType, long firstSequence,
                List<ByteBuffer> contents, InetSocketAddress to) throws IOException;

        /** One receive of at most {@code wait}: each datagram's bytes and GRO segment size (0 if none). */
        List<Received> receive(Duration wait) throws IOException;

        /** Datagrams sent inside UDP_SEGMENT (GSO) calls so far. */
        long gsoDatagramsSent();

        /** Datagrams the kernel accepted from this engine's send calls so far (the native counter). */
        long datagramsSent();

        @Override
        void close() throws IOException;
    }

    /** A received datagram. */
    public record Received(byte[] bytes, int segmentSize) {
    }

    /** An engine of the backend under test bound to an ephemeral loopback port. */
    protected abstract Engine openEngine(UdpEngineOptions options) throws IOException;

    /** Whether this kernel has both UDP GSO and GRO (as the backend's engine reports it). */
    protected abstract boolean gsoAndGro();

    @BeforeEach
    void nativeBackendIsUsable() {
        assumeTrue(nativeBackend().checkUsable().isEmpty(),
                () -> "native backend unusable: " + nativeBackend().checkUsable());
    }

    /** Keys for one direction of one epoch, the same every run for a suite. */
    private RecordProtection nativeProtection(Keys keys) {
        return nativeBackend().recordProtection(keys.suite(), keys.key(), keys.iv(), keys.sn());
    }

    private record Keys(CipherSuite suite, byte[] key, byte[] iv, byte[] sn) {
        static Keys of(CipherSuite suite, long seed) {
            Random r = new Random(seed ^ suite.ordinal());
            byte[] key = new byte[suite.keyLength()];
            byte[] iv = new byte[CipherSuite.IV_LENGTH];
            byte[] sn = new byte[suite.keyLength()];
            r.nextBytes(key);
            r.nextBytes(iv);
            r.nextBytes(sn);
            return new Keys(suite, key, iv, sn);
        }

        /** The pure-Java backend's protection: an independent implementation to compare with. */
        EpochCipher javaCipher(long epoch) {
            return new EpochCipher(epoch, FALLBACK.recordProtection(suite, key, iv, sn));
        }
    }

    private static byte[] content(int i, int length) {
        byte[] b = new byte[length];
        for (int j = 0; j < length; j++) {
            b[j] = (byte) (i * 131 + j);
        }
        return b;
    }

    /** One record sealed by the Java record layer (EpochCipher over the fallback backend). */
    private static byte[] javaRecord(EpochCipher cipher, byte[] content) {
        return javaRecord(cipher, content, new byte[0]);
    }

    private static byte[] javaRecord(EpochCipher cipher, byte[] content, byte[] cid) {
        ByteBuffer out = ByteBuffer.allocate(content.length + cid.length + 64);
        cipher.protect(ContentType.APPLICATION_DATA, ByteBuffer.wrap(content), cid, out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    private static ByteBuffer direct(byte[] b) {
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void sealAndSendPutsTheJavaRecordLayersBytesOnTheWireAndOpensThemThroughGsoAndGro(CipherSuite suite)
            throws IOException {
        Keys keys = Keys.of(suite, 1);
        var options = new UdpEngineOptions().receiveBufferSize(4 << 20).sendBufferSize(4 << 20);
        try (Engine rx = openEngine(options.gro(true));
                Engine tx = openEngine(options.gso(true));
                RecordProtection seal = nativeProtection(keys);
                EpochCipher reference = keys.javaCipher(EPOCH);
                EpochCipher open = new EpochCipher(EPOCH, nativeProtection(keys))) {
            int count = 40; // more than one GSO call's worth is not needed; 40 > maxBatch/2 exercises chunks
            List<ByteBuffer> contents = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                contents.add(ByteBuffer.wrap(content(i, 1000))); // heap: the engine copies it in
            }
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, rx.localPort());
            assertEquals(count, tx.sealAndSend(seal, EPOCH, new byte[0], ContentType.APPLICATION_DATA, 0, contents, to));
            assertEquals(0, contents.get(0).position(), "contents are read, not consumed");

            List<byte[]> wire = new ArrayList<>();
            boolean coalesced = false;
            while (wire.size() < count) {
                List<Received> r = rx.receive(WAIT);
                assertTrue(r.size() > 0, "timed out after " + wire.size() + " records");
                for (Received d : r) {
                    wire.add(d.bytes());
                    coalesced |= d.segmentSize() > 0;
                }
            }
            for (int i = 0; i < count; i++) {
                assertArrayEquals(javaRecord(reference, content(i, 1000)), wire.get(i), "record " + i + " on the wire");
            }
            if (gsoAndGro()) {
                assertTrue(tx.gsoDatagramsSent() >= count, "equal-sized records went out with UDP GSO");
                assertTrue(coalesced, "and came in as GRO-coalesced buffers, split by the engine");
            } else {
                System.out.println("GSO/GRO part not checked: the kernel lacks UDP GSO or GRO");
            }

            List<ByteBuffer> batch = wire.stream().map(FusedDataPlaneSuite::direct).toList();
            EpochCipher.BatchResult result = new EpochCipher.BatchResult();
            assertTrue(open.unprotectBatch(batch, 0, result));
            for (int i = 0; i < count; i++) {
                assertEquals(ContentType.APPLICATION_DATA, result.status[i], "record " + i);
                assertEquals(i, result.sequences[i]);
                byte[] got = new byte[result.contentLengths[i]];
                batch.get(i).get(result.contentOffsets[i], got);
                assertArrayEquals(content(i, 1000), got);
            }

            // Contents of 0..3 bytes: AES-CCM-8 pads them to the 16-byte mask sample (RFC 9147 §4.2.3), in C as in Java.
            List<ByteBuffer> tiny = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tiny.add(ByteBuffer.wrap(content(i, i)));
            }
            assertEquals(4, tx.sealAndSend(seal, EPOCH, new byte[0], ContentType.APPLICATION_DATA, count, tiny, to));
            List<byte[]> tinyWire = new ArrayList<>();
            while (tinyWire.size() < 4) {
                List<Received> r = rx.receive(WAIT);
                assertTrue(r.size() > 0, "timed out after " + tinyWire.size() + " tiny records");
                r.forEach(d -> tinyWire.add(d.bytes()));
            }
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(javaRecord(reference, content(i, i)), tinyWire.get(i), "tiny record " + i + " on the wire");
            }
        }
    }

    @Test
    void aSenderOutrunningATinySendBufferHandsEveryAcceptedRecordToTheKernel() throws Exception {
        Keys keys = Keys.of(CipherSuite.TLS_AES_128_GCM_SHA256, 7);
        try (Engine rx = openEngine(new UdpEngineOptions().receiveBufferSize(4 << 20).gro(true));
                Engine tx = openEngine(new UdpEngineOptions().sendBufferSize(4096).gso(true));
                RecordProtection seal = nativeProtection(keys)) {
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, rx.localPort());
            List<ByteBuffer> contents = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                contents.add(ByteBuffer.allocateDirect(1178));
            }
            // The receiver drains meanwhile; what the kernel drops there is UDP's business, not ours.
            Thread drain = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted() && !rx.receive(Duration.ofMillis(200)).isEmpty()) {
                        // keep reading
                    }
                } catch (IOException ignored) {
                    // closed
                }
            });
            drain.start();
            long accepted = 0;
            try {
                for (int round = 0; round < 300; round++) {
                    int sent = tx.sealAndSend(seal, EPOCH, new byte[0], ContentType.APPLICATION_DATA, accepted, contents, to);
                    assertEquals(contents.size(), sent, "a full send buffer is waited out, not dropped");
                    accepted += sent;
                }
            } finally {
                drain.interrupt();
                drain.join(5_000);
            }
            assertEquals(300L * 64, accepted);
            assertEquals(accepted, tx.datagramsSent(), "accepted by send == handed to the kernel");
        }
    }

    @Test
    void recordsCarryingAConnectionIdMatchTheJavaRecordLayerBothWays() throws IOException {
        Keys keys = Keys.of(CipherSuite.TLS_AES_128_GCM_SHA256, 4);
        byte[] cid = {9, 8, 7, 6, 5};
        var options = new UdpEngineOptions().gso(false);
        try (Engine rx = openEngine(options);
                Engine tx = openEngine(options);
                RecordProtection seal = nativeProtection(keys);
                EpochCipher reference = keys.javaCipher(EPOCH);
                EpochCipher open = new EpochCipher(EPOCH, nativeProtection(keys))) {
            List<ByteBuffer> contents = List.of(ByteBuffer.wrap(content(0, 300)), ByteBuffer.wrap(content(1, 17)),
                    ByteBuffer.wrap(new byte[0]));
            assertEquals(3, tx.sealAndSend(seal, EPOCH, cid, ContentType.APPLICATION_DATA, 0, contents,
                    new InetSocketAddress(LOOPBACK, rx.localPort())));
            List<ByteBuffer> batch = new ArrayList<>();
            while (batch.size() < 3) {
                List<Received> r = rx.receive(WAIT);
                assertTrue(r.size() > 0, "timed out after " + batch.size() + " records");
                for (Received d : r) {
                    batch.add(direct(d.bytes()));
                }
            }
            byte[][] expected = {content(0, 300), content(1, 17), new byte[0]};
            for (int i = 0; i < 3; i++) {
                byte[] wire = new byte[batch.get(i).remaining()];
                batch.get(i).duplicate().get(wire);
                assertArrayEquals(javaRecord(reference, expected[i], cid), wire, "record " + i + " on the wire");
            }
            EpochCipher.BatchResult r = new EpochCipher.BatchResult();
            assertTrue(open.unprotectBatch(batch, cid.length, r));
            for (int i = 0; i < 3; i++) {
                assertEquals(ContentType.APPLICATION_DATA, r.status[i], "record " + i);
                assertEquals(1 + cid.length + 4, r.contentOffsets[i], "content follows the header with the CID");
                assertEquals(expected[i].length, r.contentLengths[i]);
            }
            EpochCipher.BatchResult withoutCid = new EpochCipher.BatchResult();
            try (EpochCipher other = new EpochCipher(EPOCH, nativeProtection(keys))) {
                assertTrue(other.unprotectBatch(batch, 0, withoutCid));
            }
            assertEquals(RecordBatchOpener.SKIPPED, withoutCid.status[0], "a CID we did not issue: left to the Java path");
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void oneBatchWithReplayedForgedTruncatedAndForeignRecordsLosesNothingAuthentic(CipherSuite suite) {
        Keys keys = Keys.of(suite, 2);
        try (EpochCipher sender = keys.javaCipher(EPOCH);
                EpochCipher nextEpoch = Keys.of(suite, 3).javaCipher(EPOCH + 1);
                EpochCipher open = new EpochCipher(EPOCH, nativeProtection(keys))) {
            List<byte[]> records = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                records.add(javaRecord(sender, content(i, 100 + i)));
            }
            byte[] forged3 = records.get(3).clone();
            forged3[forged3.length - 1] ^= 1; // last tag byte
            byte[] truncated = java.util.Arrays.copyOf(records.get(6), 10);
            byte[] twoRecords = new byte[records.get(6).length + records.get(7).length];
            System.arraycopy(records.get(6), 0, twoRecords, 0, records.get(6).length);
            System.arraycopy(records.get(7), 0, twoRecords, records.get(6).length, records.get(7).length);
            byte[] foreignEpoch = javaRecord(nextEpoch, content(99, 50));

            List<ByteBuffer> batch = new ArrayList<>();
            for (byte[] b : List.of(records.get(0), records.get(1), records.get(1), forged3, records.get(3),
                    records.get(2), truncated, twoRecords, foreignEpoch, records.get(5), records.get(4))) {
                batch.add(direct(b));
            }
            batch.add(ByteBuffer.wrap(records.get(5))); // a heap buffer: left to the Java path
            EpochCipher.BatchResult r = new EpochCipher.BatchResult();
            assertTrue(open.unprotectBatch(batch, 0, r));

            int data = ContentType.APPLICATION_DATA;
            int[] expected = {data, data, RecordBatchOpener.REPLAYED, RecordBatchOpener.BAD_MAC, data, data,
                RecordBatchOpener.SKIPPED, RecordBatchOpener.SKIPPED, RecordBatchOpener.SKIPPED, data, data,
                RecordBatchOpener.SKIPPED};
            long[] sequences = {0, 1, -1, -1, 3, 2, -1, -1, -1, 5, 4, -1};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], r.status[i], "outcome of datagram " + i);
                if (expected[i] > 0) {
                    assertEquals(sequences[i], r.sequences[i], "sequence number of datagram " + i);
                    int n = (int) sequences[i];
                    byte[] got = new byte[r.contentLengths[i]];
                    batch.get(i).get(r.contentOffsets[i], got);
                    assertArrayEquals(content(n, 100 + n), got, "content of record " + n);
                }
            }
            assertEquals(1, open.authenticationFailures(), "the forgery counts against this key (RFC 9147 §4.5.3)");
            // The batch left the window where the Java path continues: 0..5 seen, a forgery changed nothing.
            ByteBuffer again = ByteBuffer.wrap(records.get(3).clone());
            assertEquals(EpochCipher.Drop.REPLAYED, open.unprotect(again, 0,
                    dev.pqdtls.internal.recordlayer.UnifiedHeader.parse(again, 0, again.limit(), 0)));
            ByteBuffer six = ByteBuffer.wrap(records.get(6).clone());
            assertTrue(open.unprotect(six, 0, dev.pqdtls.internal.recordlayer.UnifiedHeader.parse(six, 0, six.limit(), 0))
                    instanceof EpochCipher.Opened o && o.sequenceNumber() == 6);
        }
    }

    /** AES-CCM-8 does not resynchronise: each extra open would be a forgery trial, of only 2^7 per key. */
    @org.junit.jupiter.api.Test
    void anAesCcm8ReceiverDoesNotSearchLaterCyclesAfterALostBurst() {
        Keys keys = Keys.of(CipherSuite.TLS_AES_128_CCM_8_SHA256, 4);
        try (EpochCipher sender = keys.javaCipher(EPOCH);
                EpochCipher batchOpen = new EpochCipher(EPOCH, nativeProtection(keys));
                EpochCipher javaOpen = keys.javaCipher(EPOCH)) {
            sender.reserve(100_000); // the nearest 16-bit reconstruction is 65,536 behind
            List<ByteBuffer> batch = new ArrayList<>();
            List<byte[]> wire = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                byte[] record = javaRecord(sender, content(i, 64));
                wire.add(record);
                batch.add(direct(record.clone()));
            }
            EpochCipher.BatchResult r = new EpochCipher.BatchResult();
            assertTrue(batchOpen.unprotectBatch(batch, 0, r));
            for (int i = 0; i < wire.size(); i++) {
                assertTrue(r.status[i] == RecordBatchOpener.BAD_MAC || r.status[i] == RecordBatchOpener.REPLAYED,
                        "batch: datagram " + i + " opened at a later cycle: " + r.status[i]);
                ByteBuffer d = ByteBuffer.wrap(wire.get(i).clone());
                assertTrue(javaOpen.unprotect(d, 0, dev.pqdtls.internal.recordlayer.UnifiedHeader.parse(d, 0, d.limit(), 0))
                        instanceof EpochCipher.Drop, "one by one: datagram " + i + " opened at a later cycle");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, mode = EnumSource.Mode.EXCLUDE, names = "TLS_AES_128_CCM_8_SHA256")
    void aLostBurstLongerThanHalfASequenceCycleIsFoundAgainInBatchesAndOneByOne(CipherSuite suite) {
        Keys keys = Keys.of(suite, 4);
        try (EpochCipher sender = keys.javaCipher(EPOCH);
                EpochCipher batchOpen = new EpochCipher(EPOCH, nativeProtection(keys));
                EpochCipher javaOpen = keys.javaCipher(EPOCH)) {
            EpochCipher.BatchResult r = new EpochCipher.BatchResult();
            long next = 0;
            int failures = 3; // one forgery per round
            // Gaps of 100,000 (the nearest 16-bit reconstruction is 65,536 behind), then 200,000.
            for (long gap : new long[] {0, 100_000, 200_000}) {
                sender.reserve((int) gap); // a burst the receiver never saw
                next += gap;
                List<byte[]> records = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    records.add(javaRecord(sender, content(i, 64)));
                }
                byte[] forged = records.get(4).clone();
                forged[forged.length - 1] ^= 1;
                List<byte[]> wire = List.of(records.get(0), records.get(1), records.get(2), records.get(2), forged,
                        records.get(4), records.get(5));
                List<ByteBuffer> batch = new ArrayList<>();
                for (byte[] b : wire) {
                    batch.add(direct(b));
                }
                assertTrue(batchOpen.unprotectBatch(batch, 0, r));
                int data = ContentType.APPLICATION_DATA;
                // After a long gap the first record is lost (stale, or a failed open, at its nearest
                // number); the run of failures then makes the next one be tried at later cycles too,
                // where it authenticates.
                int first = gap > 32_768 ? r.status[0] : data;
                assertTrue(first == data || first == RecordBatchOpener.REPLAYED || first == RecordBatchOpener.BAD_MAC);
                failures += first == RecordBatchOpener.BAD_MAC ? 1 : 0;
                int[] expected = {first, data, data, RecordBatchOpener.REPLAYED, RecordBatchOpener.BAD_MAC, data, data};
                long[] sequences = {next, next + 1, next + 2, -1, -1, next + 4, next + 5};
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], r.status[i], "batch: outcome of datagram " + i + " after a gap of " + gap);
                    if (expected[i] > 0) {
                        assertEquals(sequences[i], r.sequences[i], "batch: sequence number of datagram " + i);
                    }
                }
                for (int i = 0; i < expected.length; i++) {
                    byte[] copy = wire.get(i).clone();
                    ByteBuffer d = ByteBuffer.wrap(copy);
                    EpochCipher.Unprotected u = javaOpen.unprotect(d, 0,
                            dev.pqdtls.internal.recordlayer.UnifiedHeader.parse(d, 0, d.limit(), 0));
                    if (expected[i] > 0) {
                        assertTrue(u instanceof EpochCipher.Opened o && o.sequenceNumber() == sequences[i],
                                "one by one: datagram " + i + " after a gap of " + gap + ": " + u);
                    } else {
                        assertEquals(expected[i] == RecordBatchOpener.REPLAYED ? EpochCipher.Drop.REPLAYED
                                : EpochCipher.Drop.BAD_MAC, u, "one by one: datagram " + i + " after a gap of " + gap);
                    }
                }
                next += 6;
            }
            assertEquals(failures, batchOpen.authenticationFailures(), "forgeries and failed opens count against the key");
            assertEquals(failures, javaOpen.authenticationFailures(), "the same on the Java path");
        }
    }

    // ---------------------------------------------------------------- KeyUpdate inside one batch



    private static List<ByteBuffer> drain(Connection c) {
        List<ByteBuffer> out = new ArrayList<>();
        for (ByteBuffer d = c.pollOutgoing(); d != null; d = c.pollOutgoing()) {
            ByteBuffer copy = ByteBuffer.allocateDirect(d.remaining()); // as the native transport hands them over
            out.add(copy.put(d).flip());
        }
        return out;
    }

    @Test
    void aReceiveBatchSpanningAKeyUpdateDeliversEveryRecordOnce() {
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(PKI.ca().certificate()))
                .serverName("localhost").build();
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(PKI.leaf().chain(), PKI.leaf().privateKey())
                .cookiePolicy(DtlsConfig.CookiePolicy.NEVER).build();
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 4433);
        ClientConnection c = new ClientConnection(clientConfig, nativeBackend(), addr,
                PeerAuthenticator.builder().trustAnchors(clientConfig.trustedCertificates()).build(), null, 0);
        ServerConnection s = new ServerConnection(serverConfig, nativeBackend(), addr,
                LocalCredentials.of(serverConfig.certificateChain(), serverConfig.privateKey().get()),
                PeerAuthenticator.insecure(), 0);
        c.start(0);
        EnginePump.exchangeAll(c, s);
        assertEquals(Connection.State.CONNECTED, s.state(), () -> String.valueOf(s.failure()));

        for (int i = 0; i < 10; i++) {
            c.send(ByteBuffer.wrap(("old key " + i).getBytes(StandardCharsets.UTF_8)), 0);
        }
        List<ByteBuffer> oldKey = drain(c); // held back: they arrive late, behind the new epoch's records
        assertTrue(c.startKeyUpdate(false, 0));
        EnginePump.exchangeAll(c, s); // KeyUpdate in, ACK back: the client now writes epoch 4
        assertEquals(1, c.stats().keyUpdates());
        for (int i = 0; i < 10; i++) {
            c.send(ByteBuffer.wrap(("new key " + i).getBytes(StandardCharsets.UTF_8)), 0);
        }
        List<ByteBuffer> batch = new ArrayList<>(drain(c));
        ByteBuffer replay = ByteBuffer.allocateDirect(batch.get(0).remaining()).put(batch.get(0).duplicate()).flip();
        batch.addAll(oldKey); // epoch 4 first (opened natively), then epoch 3 (left for the old keys)
        batch.add(replay); // and a copy of the first: a replay, not a forgery
        s.onDatagrams(batch, 0);

        Set<String> got = new HashSet<>();
        for (byte[] d = s.pollApplicationData(); d != null; d = s.pollApplicationData()) {
            assertTrue(got.add(new String(d, StandardCharsets.UTF_8)), "delivered twice: " + new String(d, StandardCharsets.UTF_8));
        }
        assertEquals(20, got.size(), got.toString());
        assertEquals(1, s.stats().recordsDropped(), "the replay");
        assertEquals(Connection.State.CONNECTED, s.state());
    }

    // ---------------------------------------------------------------- through the public API

    @Test
    void sendBatchSpanningKeyUpdatesOverTheNativeTransportDeliversEveryDatagram() throws Exception {
        DtlsConfig serverConfig = DtlsConfig.builder().certificate(PKI.leaf().chain(), PKI.leaf().privateKey())
                .backend(nativeBackend().name()).build();
        DtlsConfig clientConfig = DtlsConfig.builder().trustedCertificates(List.of(PKI.ca().certificate()))
                .serverName("localhost").backend(nativeBackend().name()).keyUpdateAfterRecords(20).build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(LOOPBACK, 0), serverConfig);
                DtlsConnection client = DtlsClient.connect(server.localAddress(), clientConfig);
                DtlsConnection accepted = server.accept(WAIT).orElseThrow()) {
            int total = 0;
            Set<String> got = new HashSet<>();
            for (int round = 0; round < 3; round++) {
                List<ByteBuffer> batch = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    batch.add(ByteBuffer.wrap(("round " + round + " datagram " + i).getBytes(StandardCharsets.UTF_8)));
                }
                client.sendBatch(batch);
                assertTrue(batch.stream().noneMatch(ByteBuffer::hasRemaining), "sendBatch consumes every buffer");
                total += batch.size();
                while (got.size() < total) {
                    byte[] d = accepted.receive(WAIT).orElseThrow(() -> new AssertionError("missing datagrams: got " + got.size()));
                    assertTrue(got.add(new String(d, StandardCharsets.UTF_8)), "delivered twice");
                }
                // The batch crossed keyUpdateAfterRecords: a KeyUpdate follows it, and the client
                // switches keys when the server's ACK arrives (round trips until then, not sleeps).
                for (int i = 0; client.stats().keyUpdates() < round + 1; i++) {
                    assertTrue(i < 50, "KeyUpdate " + (round + 1) + " not acknowledged after 50 round trips");
                    accepted.send("sync".getBytes(StandardCharsets.UTF_8));
                    assertEquals("sync", new String(client.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
                }
                assertEquals(round + 1, client.stats().keyUpdates(), "one KeyUpdate per batch that crossed the limit");
            }
            assertEquals(75, got.size(), "every datagram of the three batches arrived once");

            List<ByteBuffer> tooBig = List.of(ByteBuffer.allocate(10), ByteBuffer.allocate(client.maxDatagramSize() + 1));
            assertThrows(IllegalArgumentException.class, () -> client.sendBatch(tooBig));
            assertEquals(10, tooBig.get(0).remaining(), "nothing of a refused batch is sent");
        }
    }
}
