package dev.pqdtls.internal.handshake;

import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * ClientHello as DTLS 1.3 sends it (RFC 9147 §5.3): legacy_version {254, 253}, a 32-byte random,
 * legacy_session_id, the empty legacy_cookie, cipher_suites, the null compression method and the
 * extensions. Cipher suites are kept as codepoints so unknown ones can be ignored.
 */
public record ClientHello(int legacyVersion, byte[] random, byte[] legacySessionId, byte[] legacyCookie,
        List<Integer> cipherSuites, Extensions extensions) {

    /** DTLS 1.2's version number, which DTLS 1.3 puts in legacy_version. */
    public static final int DTLS12 = 0xFEFD;

    /** Parses a ClientHello body (without the handshake header). */
    public static ClientHello parse(byte[] body) throws DecodeException {
        WireReader r = new WireReader(body);
        int version = r.uint16("legacy_version");
        byte[] random = r.bytes(32, "random");
        byte[] sessionId = r.vector8(0, 32, "legacy_session_id");
        byte[] cookie = r.vector8(0, 255, "legacy_cookie");
        WireReader suites = r.sub16(2, 0xFFFE, "cipher_suites");
        if (suites.remaining() % 2 != 0) {
            throw new DecodeException("cipher_suites has odd length");
        }
        List<Integer> list = new ArrayList<>();
        while (suites.hasRemaining()) {
            list.add(suites.uint16("cipher suite"));
        }
        byte[] compression = r.vector8(1, 255, "legacy_compression_methods");
        boolean hasNull = false;
        for (byte c : compression) {
            hasNull |= c == 0;
        }
        if (!hasNull) {
            throw new DecodeException("legacy_compression_methods lacks the null method");
        }
        Extensions ext = r.hasRemaining() ? Extensions.parse(r, "ClientHello extensions") : Extensions.empty();
        r.finish("ClientHello");
        return new ClientHello(version, random, sessionId, cookie, List.copyOf(list), ext);
    }

    /** Encodes the body (without the handshake header). */
    public byte[] encode() {
        WireWriter w = new WireWriter().uint16(legacyVersion).bytes(random).vector8(legacySessionId)
                .vector8(legacyCookie).begin16();
        for (int s : cipherSuites) {
            w.uint16(s);
        }
        w.end().vector8(new byte[] {0});
        extensions.write(w);
        return w.toByteArray();
    }
}
