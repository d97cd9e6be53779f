package dev.pqdtls.bench;

import dev.pqdtls.PreSharedKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What a handshake of the handshake benchmark authenticates with (the load generator's {@code --kind}): a
 * certificate, a ticket from the slot's previous handshake, or the benchmark's external PSK. The key exchange
 * (psk_dhe_ke) runs in the measured group in all three.
 */
public enum HandshakeKind {
    /** Certificate and signature; the client offers no ticket and no PSK. */
    FULL,
    /** A ticket resumption (psk_dhe_ke): no certificate, no signature. */
    RESUMED,
    /** The external PSK {@link #PSK_IDENTITY} (psk_dhe_ke): no certificate, no signature. */
    PSK;

    /**
     * The external PSK every server of the benchmark accepts and the psk kind's clients offer: a fixed, public
     * key (loopback benchmarks only), SHA-256, so TLS_AES_128_GCM_SHA256 on both sides.
     */
    static final String PSK_IDENTITY = "pqdtls-bench";
    private static final byte[] PSK_KEY = HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    /** Short mode and {@code --full} measure full handshakes only; {@code --kinds} adds the others. */
    static final List<HandshakeKind> DEFAULT = List.of(FULL);

    /** "full", "resumed", "psk": the load generator's {@code --kind} and the report's words. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named by its label, else an exception naming the valid ones. */
    static HandshakeKind byLabel(String label) {
        return Arrays.stream(values()).filter(k -> k.label().equals(label)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("kinds must be among full, resumed, psk, got '" + label + "'"));
    }

    /** The benchmark's PSK for a pqdtls server or client. */
    static PreSharedKey preSharedKey() {
        return PreSharedKey.of(PSK_IDENTITY, PSK_KEY.clone());
    }

    /** {@code IDENTITY:HEXKEY}: the C programs' and BenchServer's {@code --psk}. */
    static String pskArgument() {
        return PSK_IDENTITY + ":" + HexFormat.of().formatHex(PSK_KEY);
    }
}
