package dev.pqdtls.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.conformance.support.BackendConformance;
import dev.pqdtls.spi.CryptoBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Randomness of a {@link CryptoBackend}: the buffer is filled and successive calls differ. (Only
 * gross failures can be seen from outside: an unfilled buffer, a constant or repeating output.)
 */
public abstract class RandomConformanceTest extends BackendConformance {

    @Override
    protected abstract CryptoBackend backend();

    @Test
    void fillsTheWholeBuffer() {
        for (int length : new int[] {1, 16, 32, 33, 1000, 65536}) {
            // Each 32-byte window being all zero has probability 2^-256; for short arrays, retry twice.
            byte[] out = new byte[length];
            boolean filled = false;
            for (int attempt = 0; attempt < 3 && !filled; attempt++) {
                cryptoBackend().randomBytes(out);
                filled = noZeroWindow(out);
            }
            assertTrue(filled, length + "-byte buffer: randomBytes left a run of zero bytes (buffer not filled?)");
        }
    }

    @Test
    void emptyBufferIsFine() {
        cryptoBackend().randomBytes(new byte[0]);
    }

    @Test
    void twoCallsDiffer() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        cryptoBackend().randomBytes(a);
        cryptoBackend().randomBytes(b);
        assertFalse(Arrays.equals(a, b), "two 32-byte outputs of randomBytes are equal");
        byte[] big = new byte[4096];
        cryptoBackend().randomBytes(big);
        for (int i = 32; i + 32 <= big.length; i += 32) {
            assertFalse(Arrays.equals(big, 0, 32, big, i, i + 32), "randomBytes repeats itself at offset " + i);
        }
    }

    /** True unless some window of min(32, length) bytes is all zero; a 1-byte buffer may be zero by chance. */
    private static boolean noZeroWindow(byte[] out) {
        int window = Math.min(32, out.length);
        if (window < 8) {
            return true;
        }
        int zeros = 0;
        for (byte v : out) {
            zeros = v == 0 ? zeros + 1 : 0;
            if (zeros >= window) {
                return false;
            }
        }
        return true;
    }
}
