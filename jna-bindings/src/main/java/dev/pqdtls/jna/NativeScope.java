package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.PublicKeyRules;
import java.util.ArrayList;
import java.util.List;

/**
 * Native memory for one public-key operation: byte arrays copied in, out-cells and OSSL_PARAM arrays,
 * every piece wiped and released on {@link #close()}. Each piece is its own allocation, so scopes nest
 * freely (handshake-time code, not the record path).
 */
final class NativeScope implements AutoCloseable {
    private final List<NativeMemory> pieces = new ArrayList<>();

    /** {@code length} zeroed bytes (at least one, so an empty input is never NULL). */
    NativeMemory allocate(long length) {
        NativeMemory m = NativeMemory.allocate(Math.max(1, length), 16);
        pieces.add(m);
        return m;
    }

    /** A native copy of {@code bytes}; its address. */
    long copyIn(byte[] bytes) {
        NativeMemory m = allocate(bytes.length);
        m.put(0, bytes);
        return m.address;
    }

    /** A size_t (or pointer) cell holding {@code value}. */
    NativeMemory cell(long value) {
        NativeMemory m = allocate(Long.BYTES);
        m.buffer.putLong(0, value);
        return m;
    }

    /** A NUL-terminated copy of {@code s}. */
    long cString(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        NativeMemory m = allocate(b.length + 1L);
        m.put(0, b);
        return m.address;
    }

    /** One OSSL_PARAM: key, type and the address and size of its data. */
    record Param(String key, int type, long data, long size) {
    }

    Param octets(String key, byte[] value) {
        return new Param(key, PublicKeyRules.OSSL_PARAM_OCTET_STRING, copyIn(value), value.length);
    }

    Param utf8(String key, String value) {
        return new Param(key, PublicKeyRules.OSSL_PARAM_UTF8_STRING, cString(value),
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    /** An unsigned BIGNUM parameter (given big-endian; OSSL_PARAM integers are in native byte order). */
    Param unsignedBigEndian(String key, byte[] bigEndian) {
        byte[] nativeOrder = PublicKeyRules.nativeOrder(bigEndian);
        try {
            return new Param(key, PublicKeyRules.OSSL_PARAM_UNSIGNED_INTEGER, copyIn(nativeOrder), bigEndian.length);
        } finally {
            java.util.Arrays.fill(nativeOrder, (byte) 0);
        }
    }

    /** A NULL-key-terminated OSSL_PARAM array; its address. */
    long params(Param... params) {
        NativeMemory array = allocate((long) PublicKeyRules.OSSL_PARAM_SIZE * (params.length + 1));
        for (int i = 0; i < params.length; i++) {
            int base = i * PublicKeyRules.OSSL_PARAM_SIZE;
            array.buffer.putLong(base, cString(params[i].key()));
            array.buffer.putInt(base + 8, params[i].type());
            array.buffer.putLong(base + 16, params[i].data());
            array.buffer.putLong(base + 24, params[i].size());
            array.buffer.putLong(base + 32, PublicKeyRules.OSSL_PARAM_UNMODIFIED);
        }
        return array.address; // the last element stays zeroed: OSSL_PARAM_END
    }

    @Override
    public void close() {
        for (NativeMemory m : pieces) {
            m.wipe(m.size());
        }
        pieces.clear();
    }
}
