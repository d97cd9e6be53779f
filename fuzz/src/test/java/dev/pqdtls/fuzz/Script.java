package dev.pqdtls.fuzz;

import java.io.ByteArrayOutputStream;

/**
 * A fuzz input read as a short script of steps, for the targets that drive a whole connection: each
 * step is one opcode byte and its operands. Reading past the end yields zeros, so every byte string
 * is a valid script and the fuzzer never wastes inputs on a format. {@link Builder} writes seeds.
 */
public final class Script {
    /** What a step does; the opcode byte modulo the number of steps picks one. */
    public enum Step {
        /** Deliver the next {@code u16} bytes of the input as a datagram from the attacker. */
        RAW,
        /** Deliver the honest peer's next datagram unchanged. */
        PEER_NEXT,
        /** Deliver the honest peer's next datagram with the byte at {@code u16} (mod length) XORed with {@code u8}. */
        PEER_FLIP,
        /** Deliver the honest peer's next datagram cut to {@code u16} (mod length) bytes. */
        PEER_TRUNCATE,
        /** Deliver the honest peer's next datagram followed by {@code u8} bytes of the input. */
        PEER_APPEND,
        /** Deliver again the last datagram delivered (a duplicate or replay). */
        REPLAY,
        /** Deliver everything the side under test sent so far to the honest peer. */
        FLUSH,
        /** Let {@code u16 × 16} milliseconds pass and fire both sides' timers. */
        TIMER
    }

    private static final Step[] STEPS = Step.values();
    private final byte[] input;
    private int pos;

    public Script(byte[] input) {
        this.input = input;
    }

    public boolean hasNext() {
        return pos < input.length;
    }

    public Step next() {
        return STEPS[u8() % STEPS.length];
    }

    public int u8() {
        return pos < input.length ? input[pos++] & 0xFF : 0;
    }

    public int u16() {
        return u8() << 8 | u8();
    }

    /** The next {@code n} input bytes (fewer at the end of the input). */
    public byte[] bytes(int n) {
        int take = Math.max(0, Math.min(n, input.length - pos));
        byte[] out = java.util.Arrays.copyOfRange(input, pos, pos + take);
        pos += take;
        return out;
    }

    /** Writes scripts, for seeds and regression inputs. */
    public static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Builder step(Step s) {
            out.write(s.ordinal());
            return this;
        }

        public Builder raw(byte[] datagram) {
            step(Step.RAW);
            out.write(datagram.length >>> 8);
            out.write(datagram.length);
            out.write(datagram, 0, datagram.length);
            return this;
        }

        public Builder flip(int position, int xor) {
            step(Step.PEER_FLIP);
            out.write(position >>> 8);
            out.write(position);
            out.write(xor);
            return this;
        }

        public Builder truncate(int length) {
            step(Step.PEER_TRUNCATE);
            out.write(length >>> 8);
            out.write(length);
            return this;
        }

        public Builder append(byte[] extra) {
            step(Step.PEER_APPEND);
            out.write(extra.length);
            out.write(extra, 0, extra.length);
            return this;
        }

        public Builder timer(int sixteenths) {
            step(Step.TIMER);
            out.write(sixteenths >>> 8);
            out.write(sixteenths);
            return this;
        }

        public byte[] build() {
            return out.toByteArray();
        }
    }
}
