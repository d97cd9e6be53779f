package dev.pqdtls.conformance.support;

import java.util.HexFormat;

/** Hex for test vectors. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    public static byte[] decode(String hex) {
        return HEX.parseHex(hex);
    }

    public static String encode(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
