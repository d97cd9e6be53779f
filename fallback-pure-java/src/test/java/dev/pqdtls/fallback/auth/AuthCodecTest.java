package dev.pqdtls.fallback.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.internal.auth.CertificateMessage;
import dev.pqdtls.internal.auth.CertificateRejectedException;
import dev.pqdtls.internal.auth.CertificateRequestMessage;
import dev.pqdtls.internal.auth.CertificateVerifyContent;
import dev.pqdtls.internal.auth.CertificateVerifyMessage;
import dev.pqdtls.internal.auth.SignatureSchemes;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireWriter;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthCodecTest {

    /** Parses bytes; the parser may only return or throw DecodeException. */
    private interface Parser {
        void parse(byte[] body) throws Exception;
    }

    private static CertificateMessage sampleCertificate() {
        TestPki.Authority root = TestPki.root("Codec Root");
        TestPki.Issued leaf = root.intermediate("Codec Int").leaf("codec").dns("codec.test").issue();
        CertificateMessage plain = CertificateMessage.of(new byte[0], leaf.chain());
        // Give the first entry an extension (e.g. an OCSP status, RFC 8446 §4.4.2.1) to cover that path.
        Extensions ext = new Extensions.Builder().add(5, new byte[] {1, 0, 0, 0}).build();
        CertificateMessage.Entry first = new CertificateMessage.Entry(plain.entries().get(0).certData(), ext);
        return new CertificateMessage(new byte[] {7, 8}, List.of(first, plain.entries().get(1)));
    }

    private static CertificateRequestMessage sampleRequest() {
        return CertificateRequestMessage.create(new byte[0], SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS,
                SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS_CERT,
                List.of(new X500Principal("CN=Root A,O=pqdtls test"), new X500Principal("CN=Root B")));
    }

    @Test
    void certificateRoundTrip() throws Exception {
        CertificateMessage m = sampleCertificate();
        byte[] wire = m.encode();
        CertificateMessage back = CertificateMessage.parse(wire);
        assertArrayEquals(wire, back.encode());
        assertArrayEquals(new byte[] {7, 8}, back.context());
        assertEquals(2, back.entries().size());
        assertTrue(back.entries().get(0).extensions().has(5));
        List<X509Certificate> certs = back.certificates();
        assertEquals("CN=codec", certs.get(0).getSubjectX500Principal().getName());
    }

    @Test
    void emptyCertificateRoundTrip() throws Exception {
        CertificateMessage empty = CertificateMessage.of(new byte[0], List.of());
        byte[] wire = empty.encode();
        assertArrayEquals(new byte[] {0, 0, 0, 0}, wire);
        assertTrue(CertificateMessage.parse(wire).isEmpty());
    }

    @Test
    void certificateRejectsEmptyCertDataAndTrailingBytes() {
        byte[] emptyCert = new WireWriter().vector8(new byte[0]).begin24().uint24(0).uint16(0).end().toByteArray();
        assertThrows(DecodeException.class, () -> CertificateMessage.parse(emptyCert));
        byte[] good = CertificateMessage.of(new byte[0], List.of()).encode();
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(DecodeException.class, () -> CertificateMessage.parse(trailing));
    }

    @Test
    void certificateWithGarbageCertDataIsBadCertificate() throws Exception {
        byte[] wire = new WireWriter().vector8(new byte[0]).begin24().vector24(new byte[] {0x30, 0x03, 1, 2, 3})
                .uint16(0).end().toByteArray();
        CertificateMessage m = CertificateMessage.parse(wire);
        CertificateRejectedException e = assertThrows(CertificateRejectedException.class, m::certificates);
        assertEquals(CertificateRejectedException.BAD_CERTIFICATE, e.alert());
    }

    @Test
    void certificateRequestRoundTrip() throws Exception {
        CertificateRequestMessage m = sampleRequest();
        byte[] wire = m.encode();
        CertificateRequestMessage back = CertificateRequestMessage.parse(wire);
        assertArrayEquals(wire, back.encode());
        assertEquals(SignatureSchemes.codepoints(SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS),
                back.signatureAlgorithms());
        assertEquals(SignatureSchemes.codepoints(SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS_CERT),
                back.signatureAlgorithmsCert().orElseThrow());
        assertEquals(back.signatureAlgorithmsCert().orElseThrow(), back.chainSignatureAlgorithms());
        assertEquals(2, back.certificateAuthorities().size());
        assertEquals(new X500Principal("CN=Root B"), new X500Principal(back.certificateAuthorities().get(1)));
    }

    @Test
    void certificateRequestMinimal() throws Exception {
        CertificateRequestMessage m = CertificateRequestMessage.create(new byte[0],
                List.of(SignatureScheme.ED25519), List.of(), List.of());
        CertificateRequestMessage back = CertificateRequestMessage.parse(m.encode());
        assertTrue(back.signatureAlgorithmsCert().isEmpty());
        assertTrue(back.certificateAuthorities().isEmpty());
        assertEquals(List.of(0x0807), back.chainSignatureAlgorithms());
    }

    @Test
    void certificateRequestWithoutSignatureAlgorithmsIsRejected() {
        WireWriter w = new WireWriter().vector8(new byte[0]);
        new Extensions.Builder().add(ExtensionType.SIGNATURE_ALGORITHMS_CERT, new byte[] {0, 2, 8, 7}).build().write(w);
        byte[] wire = w.toByteArray();
        assertThrows(DecodeException.class, () -> CertificateRequestMessage.parse(wire));
    }

    @Test
    void certificateRequestChecksExtensionSyntaxAtParse() {
        for (byte[] bad : List.of(new byte[] {0, 3, 8, 7, 4}, new byte[] {0, 0}, new byte[] {0, 2, 8})) {
            WireWriter w = new WireWriter().vector8(new byte[0]);
            new Extensions.Builder().add(ExtensionType.SIGNATURE_ALGORITHMS, bad).build().write(w);
            byte[] wire = w.toByteArray();
            assertThrows(DecodeException.class, () -> CertificateRequestMessage.parse(wire));
        }
        // certificate_authorities<3..2^16-1>
        WireWriter w = new WireWriter().vector8(new byte[0]);
        new Extensions.Builder().add(ExtensionType.SIGNATURE_ALGORITHMS, new byte[] {0, 2, 8, 7})
                .add(ExtensionType.CERTIFICATE_AUTHORITIES, new byte[] {0, 0}).build().write(w);
        byte[] wire = w.toByteArray();
        assertThrows(DecodeException.class, () -> CertificateRequestMessage.parse(wire));
    }

    @Test
    void certificateVerifyRoundTrip() throws Exception {
        CertificateVerifyMessage m = new CertificateVerifyMessage(0x0804, new byte[300]);
        byte[] wire = m.encode();
        assertEquals(2 + 2 + 300, wire.length);
        CertificateVerifyMessage back = CertificateVerifyMessage.parse(wire);
        assertEquals(0x0804, back.scheme());
        assertArrayEquals(wire, back.encode());
        assertEquals(0, CertificateVerifyMessage.parse(new byte[] {4, 3, 0, 0}).signature().length);
        assertThrows(DecodeException.class, () -> CertificateVerifyMessage.parse(new byte[] {4, 3, 0, 1}));
        assertThrows(DecodeException.class, () -> CertificateVerifyMessage.parse(new byte[] {4, 3, 0, 0, 0}));
    }

    @Test
    void certificateVerifyContentLayout() {
        byte[] hash = new byte[32];
        Arrays.fill(hash, (byte) 0xAB);
        for (boolean server : new boolean[] {true, false}) {
            byte[] c = CertificateVerifyContent.build(server, hash);
            String label = server ? "TLS 1.3, server CertificateVerify" : "TLS 1.3, client CertificateVerify";
            assertEquals(64 + label.length() + 1 + 32, c.length);
            for (int i = 0; i < 64; i++) {
                assertEquals(0x20, c[i]);
            }
            assertEquals(label, new String(c, 64, label.length(), StandardCharsets.US_ASCII));
            assertEquals(0, c[64 + label.length()]);
            assertArrayEquals(hash, Arrays.copyOfRange(c, c.length - 32, c.length));
        }
    }

    @Test
    void mutatedInputOnlyEverThrowsDecodeException() {
        Random random = new Random(0x5eed);
        fuzz("Certificate", sampleCertificate().encode(), CertificateMessage::parse, random);
        fuzz("CertificateRequest", sampleRequest().encode(), CertificateRequestMessage::parse, random);
        fuzz("CertificateVerify", new CertificateVerifyMessage(0x0403, new byte[71]).encode(),
                CertificateVerifyMessage::parse, random);
        // Decoding the certificates of a mutated message may only end in a CertificateRejectedException.
        fuzz("Certificate.certificates", sampleCertificate().encode(), body -> {
            try {
                CertificateMessage.parse(body).certificates();
            } catch (CertificateRejectedException e) {
                assertEquals(CertificateRejectedException.BAD_CERTIFICATE, e.alert());
            }
        }, random);
    }

    private static void fuzz(String what, byte[] valid, Parser parser, Random random) {
        for (int i = 0; i < 4000; i++) {
            byte[] m = mutate(valid, random);
            try {
                parser.parse(m);
            } catch (DecodeException expected) {
                // fine
            } catch (Throwable t) {
                fail(what + " mutation " + i + " threw " + t, t);
            }
        }
        // Every truncation too.
        for (int n = 0; n < valid.length; n += Math.max(1, valid.length / 200)) {
            try {
                parser.parse(Arrays.copyOf(valid, n));
            } catch (DecodeException expected) {
                // fine
            } catch (Throwable t) {
                fail(what + " truncated to " + n + " threw " + t, t);
            }
        }
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] m = valid.clone();
        int kind = random.nextInt(5);
        switch (kind) {
            case 0: // flip a few bytes
                for (int k = 0, n = 1 + random.nextInt(4); k < n; k++) {
                    m[random.nextInt(m.length)] ^= (byte) (1 + random.nextInt(255));
                }
                return m;
            case 1: // a header byte (where the lengths live) set to an extreme
                m[random.nextInt(Math.min(m.length, 16))] = (byte) (random.nextBoolean() ? 0xFF : 0);
                return m;
            case 2: // truncate
                return Arrays.copyOf(m, random.nextInt(m.length));
            case 3: // extend
                byte[] longer = Arrays.copyOf(m, m.length + 1 + random.nextInt(8));
                longer[longer.length - 1] = (byte) random.nextInt(256);
                return longer;
            default: // random bytes of similar length
                byte[] r = new byte[random.nextInt(m.length + 8)];
                random.nextBytes(r);
                return r;
        }
    }
}
