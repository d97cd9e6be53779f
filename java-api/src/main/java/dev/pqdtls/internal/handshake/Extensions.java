package dev.pqdtls.internal.handshake;

import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An ordered list of extensions as they appear on the wire. Parsing rejects duplicates (RFC 8446
 * §4.2: "There MUST NOT be more than one extension of the same type") and keeps unknown ones so
 * callers can ignore them.
 */
public final class Extensions {
    /** One extension: its type and its raw extension_data. */
    public record Extension(int type, byte[] data) {
    }

    private final List<Extension> list;

    public Extensions(List<Extension> list) {
        this.list = List.copyOf(list);
    }

    public static Extensions empty() {
        return new Extensions(Collections.emptyList());
    }

    /** Parses {@code Extension extensions<0..2^16-1>}. */
    public static Extensions parse(WireReader r, String what) throws DecodeException {
        WireReader all = r.sub16(0, 0xFFFF, what);
        List<Extension> out = new ArrayList<>();
        while (all.hasRemaining()) {
            int type = all.uint16("extension type");
            byte[] data;
            try {
                data = all.vector16(0, 0xFFFF, "extension_data");
            } catch (DecodeException e) {
                // Named here rather than built into a label for every extension that parses.
                throw new DecodeException(what + " extension " + type + ": " + e.getMessage());
            }
            for (Extension e : out) {
                if (e.type() == type) {
                    throw new DecodeException(what + " repeat extension " + type);
                }
            }
            out.add(new Extension(type, data));
        }
        return new Extensions(out);
    }

    public void write(WireWriter w) {
        w.begin16();
        for (Extension e : list) {
            w.uint16(e.type()).vector16(e.data());
        }
        w.end();
    }

    public Optional<byte[]> get(int type) {
        for (Extension e : list) {
            if (e.type() == type) {
                return Optional.of(e.data());
            }
        }
        return Optional.empty();
    }

    public boolean has(int type) {
        return get(type).isPresent();
    }

    public List<Extension> list() {
        return list;
    }

    /** Builds an extension list in insertion order. */
    public static final class Builder {
        private final List<Extension> list = new ArrayList<>();

        public Builder add(int type, byte[] data) {
            list.add(new Extension(type, data));
            return this;
        }

        public Builder add(int type, WireWriter data) {
            return add(type, data.toByteArray());
        }

        public Extensions build() {
            return new Extensions(list);
        }
    }
}
