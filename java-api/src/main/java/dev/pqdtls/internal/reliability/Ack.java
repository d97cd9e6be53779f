package dev.pqdtls.internal.reliability;

import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/** The ACK message of RFC 9147 §7: a list of (epoch, sequence number) record numbers. */
public final class Ack {
    /** One acknowledged record. */
    public record RecordNumber(long epoch, long sequenceNumber) {
    }

    private Ack() {
    }

    public static byte[] encode(List<RecordNumber> records) {
        WireWriter w = new WireWriter().begin16();
        for (RecordNumber r : records) {
            w.uint32(r.epoch() >>> 32).uint32(r.epoch()).uint32(r.sequenceNumber() >>> 32).uint32(r.sequenceNumber());
        }
        return w.end().toByteArray();
    }

    public static List<RecordNumber> parse(byte[] body) throws DecodeException {
        WireReader r = new WireReader(body);
        WireReader list = r.sub16(0, 0xFFFF, "record_numbers");
        r.finish("ACK");
        if (list.remaining() % 16 != 0) {
            throw new DecodeException("record_numbers length is not a multiple of 16");
        }
        List<RecordNumber> out = new ArrayList<>();
        while (list.hasRemaining()) {
            long epoch = list.uint32("epoch") << 32 | list.uint32("epoch");
            long seq = list.uint32("sequence_number") << 32 | list.uint32("sequence_number");
            out.add(new RecordNumber(epoch, seq));
        }
        return out;
    }
}
