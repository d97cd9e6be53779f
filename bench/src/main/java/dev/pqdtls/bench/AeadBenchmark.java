package dev.pqdtls.bench;

import dev.pqdtls.CipherSuite;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * AEAD record protection, primitive level: seal and open of DTLS 1.3 records, one at a time and in
 * batches of {@value #BATCH}, for every suite, across four implementations measured in the same run:
 * <ul>
 *   <li>{@code ffm} — pqdtls' native backend ({@code RecordProtection} of the backend named "ffm":
 *       OpenSSL EVP via our C data plane), records in direct buffers (its zero-copy path);
 *   <li>{@code fallback} — pqdtls' pure-Java backend ("fallback"), records on the heap;
 *   <li>{@code sunjce} — raw {@code javax.crypto.Cipher} from SunJCE, no pqdtls code;
 *   <li>{@code bc} — raw Bouncy Castle lightweight API, no pqdtls code.
 * </ul>
 * One JMH operation is one record in every method ({@link OperationsPerInvocation} on the batch
 * methods), so scores are records/s throughout and MB/s = score × {@code size} / 10⁶ (plaintext
 * bytes; the 16-byte tag is not counted).
 *
 * <p>Seal uses a fresh sequence number on every record (SunJCE, BC and OpenSSL users must never
 * reuse a key+nonce for encryption, and the JDK refuses to). Open works on genuine records: a ring
 * of {@value #RING} records sealed in setup by the SunJCE reference with sequence numbers
 * 0..{@value #RING}-1; since open decrypts in place, each operation first copies the pristine
 * ciphertext into the working buffer ({@code size}+16 bytes of memcpy, the same for every
 * implementation) and fails the run if the tag does not verify.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class AeadBenchmark {
    /** Records per sealBatch/openBatch call (a typical recvmmsg/sendmmsg burst). */
    public static final int BATCH = 32;
    /** Pre-sealed records opened in rotation; a power of two, at least {@link #BATCH}. */
    public static final int RING = 64;
    /** The DTLS 1.3 unified header (RFC 9147 §4): flags, 16-bit sequence number, length. */
    static final int AAD_LENGTH = 5;
    private static final long FIRST_SEAL_SEQUENCE = 1L << 32;

    @Param({"ffm", "fallback", "sunjce", "bc"})
    public String impl;

    /**
     * The suites measured: those the JDK's SunJCE reference implements (it has no AES-CCM; the CCM
     * suites are checked against Wycheproof's aes_ccm vectors on every backend instead).
     */
    static final List<CipherSuite> SUITES = Arrays.stream(CipherSuite.values()).filter(s -> !s.isCcm()).toList();

    @Param({"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})
    public String suite;

    /** Plaintext bytes per record. */
    @Param({"1200"})
    public int size;

    RecordAead aead;
    ByteBuffer aad;
    private long nextSeal = FIRST_SEAL_SEQUENCE;

    ByteBuffer sealRecord;
    ByteBuffer openRecord;
    private int ringIndex;
    /** Ciphertext-and-tag of record i, sealed with sequence number i. */
    byte[][] ring;

    private final long[] batchSequences = new long[BATCH];
    private final long[] ringSequences = new long[BATCH];
    private ByteBuffer[] batchAads;
    ByteBuffer[] batchRecords;
    private final boolean[] authentic = new boolean[BATCH];

    /** Deterministic key material so that every implementation seals the same bytes. */
    static final class Keys {
        final byte[] key;
        final byte[] iv;
        final byte[] recordNumberKey;

        Keys(CipherSuite suite) {
            Random random = new Random(0x5EED ^ suite.codepoint());
            key = new byte[suite.keyLength()];
            iv = new byte[CipherSuite.IV_LENGTH];
            recordNumberKey = new byte[suite.keyLength()];
            random.nextBytes(key);
            random.nextBytes(iv);
            random.nextBytes(recordNumberKey);
        }
    }

    /**
     * The implementation named {@code impl} for {@code suite}.
     *
     * @throws IllegalStateException if it cannot run here (e.g. the native backend is unusable), saying why
     */
    static RecordAead create(String impl, CipherSuite suite) {
        Keys k = new Keys(suite);
        return switch (impl) {
            case "ffm" -> SpiRecordAead.create("ffm", true, suite, k.key, k.iv, k.recordNumberKey);
            case "fallback" -> SpiRecordAead.create("fallback", false, suite, k.key, k.iv, k.recordNumberKey);
            case "sunjce" -> new JceRecordAead(suite, k.key, k.iv);
            case "bc" -> new BcRecordAead(suite, k.key, k.iv);
            default -> throw new IllegalArgumentException("unknown impl '" + impl
                    + "'; expected ffm, fallback, sunjce or bc");
        };
    }

    static byte[] header(int size) {
        int length = size + CipherSuite.TAG_LENGTH;
        return new byte[] {0x2C, 0, 0, (byte) (length >>> 8), (byte) length};
    }

    @Setup(Level.Trial)
    public void setUp() {
        CipherSuite cipherSuite = CipherSuite.byName(suite);
        if (size < 0 || size > (1 << 14)) {
            throw new IllegalArgumentException("size must be 0..16384 (a DTLS record), got " + size);
        }
        aead = create(impl, cipherSuite);
        byte[] header = header(size);
        aad = aead.allocate(AAD_LENGTH).put(header).flip();

        byte[] plaintext = new byte[size];
        new Random(42).nextBytes(plaintext);
        sealRecord = aead.allocate(size + CipherSuite.TAG_LENGTH).put(plaintext).flip();
        openRecord = aead.allocate(size + CipherSuite.TAG_LENGTH);
        batchAads = new ByteBuffer[BATCH];
        batchRecords = new ByteBuffer[BATCH];
        for (int i = 0; i < BATCH; i++) {
            batchAads[i] = aad;
            batchRecords[i] = aead.allocate(size + CipherSuite.TAG_LENGTH).put(plaintext).flip();
            ringSequences[i] = i;
        }

        // The ring is sealed by the SunJCE reference, so open also proves interoperability.
        ring = new byte[RING][];
        Keys k = new Keys(cipherSuite);
        try (JceRecordAead sealer = new JceRecordAead(cipherSuite, k.key, k.iv)) {
            ByteBuffer headerBuffer = ByteBuffer.wrap(header);
            for (int i = 0; i < RING; i++) {
                ByteBuffer r = ByteBuffer.allocate(size + CipherSuite.TAG_LENGTH).put(plaintext).flip();
                sealer.seal(i, headerBuffer, r);
                ring[i] = r.array().clone();
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (aead != null) {
            aead.close();
            aead = null;
        }
    }

    @Benchmark
    public void seal(Blackhole bh) {
        ByteBuffer record = sealRecord;
        record.clear().limit(size); // re-seal whatever is there: contents do not matter, the nonce does
        aead.seal(nextSeal++, aad, record);
        bh.consume(record.get(size));
    }

    @Benchmark
    public void open(Blackhole bh) {
        int i = ringIndex;
        ringIndex = (i + 1) & (RING - 1);
        ByteBuffer record = openRecord;
        record.clear();
        record.put(ring[i]).flip();
        if (!aead.open(i, aad, record)) {
            throw new IllegalStateException(impl + " " + suite + ": record " + i + " did not authenticate");
        }
        bh.consume(record.get(0));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sealBatch(Blackhole bh) {
        long seq = nextSeal;
        for (int i = 0; i < BATCH; i++) {
            batchSequences[i] = seq + i;
            batchRecords[i].clear().limit(size);
        }
        nextSeal = seq + BATCH;
        aead.sealBatch(batchSequences, batchAads, batchRecords, BATCH);
        bh.consume(batchRecords[BATCH - 1].get(size));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void openBatch(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            ByteBuffer record = batchRecords[i];
            record.clear();
            record.put(ring[i]).flip();
        }
        int ok = aead.openBatch(ringSequences, batchAads, batchRecords, BATCH, authentic);
        if (ok != BATCH) {
            throw new IllegalStateException(impl + " " + suite + ": " + (BATCH - ok) + " of " + BATCH
                    + " records did not authenticate");
        }
        bh.consume(batchRecords[BATCH - 1].get(0));
    }
}
