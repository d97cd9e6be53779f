package dev.pqdtls.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Proves the benchmark code right without timing anything (no JMH run in the build): every
 * implementation seals the same bytes as the SunJCE reference, opens the ring, rejects a tampered
 * record, and each benchmark method runs a few times.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeadBenchmarkSmokeTest {

    static java.util.stream.Stream<Arguments> cases() {
        return java.util.Arrays.stream(new String[] {"ffm", "fallback", "sunjce", "bc"})
                .flatMap(impl -> AeadBenchmark.SUITES.stream().map(s -> Arguments.of(impl, s)));
    }

    private static RecordAead createOrSkip(String impl, CipherSuite suite) {
        try {
            return AeadBenchmark.create(impl, suite);
        } catch (IllegalStateException e) {
            // The native backend may be unusable on a build machine; say why instead of failing.
            Assumptions.assumeTrue(!"ffm".equals(impl), "skipping ffm: " + e.getMessage());
            throw e;
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void sealsLikeSunJceAndOpens(String impl, CipherSuite suite) {
        int size = 1200;
        byte[] plaintext = new byte[size];
        new Random(7).nextBytes(plaintext);
        AeadBenchmark.Keys k = new AeadBenchmark.Keys(suite);
        try (RecordAead reference = new JceRecordAead(suite, k.key, k.iv); RecordAead aead = createOrSkip(impl, suite)) {
            ByteBuffer expected = ByteBuffer.allocate(size + 16).put(plaintext).flip();
            reference.seal(12345, ByteBuffer.wrap(AeadBenchmark.header(size)), expected);

            ByteBuffer aad = aead.allocate(AeadBenchmark.AAD_LENGTH).put(AeadBenchmark.header(size)).flip();
            ByteBuffer record = aead.allocate(size + 16).put(plaintext).flip();
            aead.seal(12345, aad, record);
            assertEquals(size + 16, record.remaining());
            assertEquals(AeadBenchmark.AAD_LENGTH, aad.remaining(), "AAD position must be unchanged");
            assertArrayEquals(bytes(expected), bytes(record), impl + " ciphertext differs from SunJCE");

            assertTrue(aead.open(12345, aad, record));
            assertArrayEquals(plaintext, bytes(record));

            ByteBuffer tampered = aead.allocate(size + 16).put(bytes(expected)).flip();
            tampered.put(3, (byte) (tampered.get(3) ^ 1));
            assertFalse(aead.open(12345, aad, tampered), impl + " accepted a tampered record");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void benchmarkMethodsRun(String impl, CipherSuite suite) {
        AeadBenchmark bench = new AeadBenchmark();
        bench.impl = impl;
        bench.suite = suite.name();
        bench.size = 1200;
        try {
            bench.setUp();
        } catch (IllegalStateException e) {
            Assumptions.assumeTrue(!"ffm".equals(impl), "skipping ffm: " + e.getMessage());
            throw e;
        }
        Blackhole bh = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        try {
            for (int i = 0; i < AeadBenchmark.RING + 3; i++) { // wraps the ring
                bench.seal(bh);
                bench.open(bh);
            }
            assertEquals(1216, bench.sealRecord.remaining());
            for (int i = 0; i < 3; i++) {
                bench.sealBatch(bh);
                bench.openBatch(bh); // throws unless all verify
            }
            // After openBatch, record 0 of the batch holds the ring's plaintext again.
            assertEquals(1200, bench.batchRecords[0].remaining());
        } finally {
            bench.tearDown();
            bh.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }
}
