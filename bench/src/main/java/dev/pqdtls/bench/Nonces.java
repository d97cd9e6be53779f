package dev.pqdtls.bench;

/** RFC 8446 §5.3 per-record nonce for the raw JCA and BC comparisons. */
final class Nonces {
    private Nonces() {
    }

    /** {@code out} = {@code iv} XOR the 64-bit sequence number left-padded to 12 bytes. */
    static void nonce(byte[] iv, long sequenceNumber, byte[] out) {
        System.arraycopy(iv, 0, out, 0, out.length);
        for (int i = 0; i < 8; i++) {
            out[out.length - 1 - i] ^= (byte) (sequenceNumber >>> (8 * i));
        }
    }
}
