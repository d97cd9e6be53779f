package dev.pqdtls.internal.handshake;

import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * ServerHello and HelloRetryRequest (RFC 8446 §4.1.3–4.1.4), which share one encoding; a
 * HelloRetryRequest is a ServerHello whose random is the SHA-256 of "HelloRetryRequest".
 */
public record ServerHello(int legacyVersion, byte[] random, byte[] legacySessionIdEcho, int cipherSuite,
        Extensions extensions) {

    /** The special random that marks a HelloRetryRequest. */
    public static final byte[] HELLO_RETRY_REQUEST_RANDOM = HexFormat.of().parseHex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    public boolean isHelloRetryRequest() {
        return Arrays.equals(random, HELLO_RETRY_REQUEST_RANDOM);
    }

    /** Parses a ServerHello body (without the handshake header). */
    public static ServerHello parse(byte[] body) throws DecodeException {
        WireReader r = new WireReader(body);
        int version = r.uint16("legacy_version");
        byte[] random = r.bytes(32, "random");
        byte[] sessionId = r.vector8(0, 32, "legacy_session_id_echo");
        int suite = r.uint16("cipher_suite");
        int compression = r.uint8("legacy_compression_method");
        if (compression != 0) {
            throw new DecodeException("legacy_compression_method must be 0, was " + compression);
        }
        Extensions ext = Extensions.parse(r, "ServerHello extensions");
        r.finish("ServerHello");
        return new ServerHello(version, random, sessionId, suite, ext);
    }

    /** Encodes the body (without the handshake header). */
    public byte[] encode() {
        WireWriter w = new WireWriter().uint16(legacyVersion).bytes(random).vector8(legacySessionIdEcho)
                .uint16(cipherSuite).uint8(0);
        extensions.write(w);
        return w.toByteArray();
    }
}
