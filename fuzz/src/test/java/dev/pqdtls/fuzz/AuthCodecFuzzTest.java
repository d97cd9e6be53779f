package dev.pqdtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.conformance.support.Rfc8448Simple1Rtt;
import dev.pqdtls.internal.auth.CertificateMessage;
import dev.pqdtls.internal.auth.CertificateRejectedException;
import dev.pqdtls.internal.auth.CertificateRequestMessage;
import dev.pqdtls.internal.auth.CertificateVerifyMessage;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.auth.SignatureSchemes;
import dev.pqdtls.internal.wire.DecodeException;
import java.security.PublicKey;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Certificate, CertificateVerify and CertificateRequest (RFC 8446 §4.3.2, §4.4.2–4.4.3). A parse
 * throws {@link DecodeException} or re-encodes to its input; what follows a parse — decoding the
 * certificates, validating the chain, checking the signature — refuses hostile content with a
 * {@link CertificateRejectedException} carrying the alert, never another exception.
 */
class AuthCodecFuzzTest {
    private static final int MAX_INPUT = 32 * 1024;
    private static final PeerAuthenticator TRUST = PeerAuthenticator.builder()
            .trustAnchors(List.of(Duel.PKI.ca().certificate())).build();
    private static final byte[] TRANSCRIPT_HASH = new byte[32];

    static Stream<Arguments> certificateSeeds() {
        return Stream.of(
                Seeds.named("real server chain", CertificateMessage.of(new byte[0], Duel.PKI.leaf().chain()).encode()),
                Seeds.named("chain with context and CA", CertificateMessage.of(new byte[] {7},
                        List.of(Duel.PKI.leaf().chain().get(0), Duel.PKI.ca().certificate())).encode()),
                Seeds.named("empty (no client certificate)", CertificateMessage.of(new byte[0], List.of()).encode()),
                Seeds.named("RFC 8448 Certificate", Seeds.rfc8448Body(Rfc8448Simple1Rtt.CERTIFICATE)));
    }

    @MethodSource("certificateSeeds")
    @FuzzTest(maxDuration = "10m")
    void certificate(byte[] input) throws Exception {
        byte[] body = Bounds.cap(input, MAX_INPUT);
        Bounds.allocation(4 << 20, 256, body.length, () -> {
            CertificateMessage cm;
            try {
                cm = CertificateMessage.parse(body);
            } catch (DecodeException e) {
                return;
            }
            assertArrayEquals(body, cm.encode(), "a Certificate re-encodes to its input");
            try {
                assertEquals(cm.entries().size(), cm.certificates().size());
                List<java.security.cert.X509Certificate> chain = TRUST.verifyServer(cm, "localhost");
                // What the CA signed must be the real leaf's. (The encoding outside it may differ: the
                // JDK accepts a signature BIT STRING with a non-zero unused-bits count, same signature.)
                assertArrayEquals(Duel.PKI.leaf().chain().get(0).getTBSCertificate(), chain.get(0).getTBSCertificate(),
                        "only the real chain validates");
            } catch (CertificateRejectedException e) {
                assertTrue(e.alert() > 0, "a rejection names its alert");
            }
        });
    }

    static Stream<Arguments> certificateVerifySeeds() {
        return Stream.of(
                Seeds.named("real ECDSA CertificateVerify", CertificateVerifyMessage.sign(Duel.CRYPTO, true,
                        SignatureScheme.ECDSA_SECP256R1_SHA256, Duel.PKI.leaf().privateKey(), TRANSCRIPT_HASH).encode()),
                Seeds.named("RFC 8448 CertificateVerify", Seeds.rfc8448Body(Rfc8448Simple1Rtt.CERTIFICATE_VERIFY)));
    }

    @MethodSource("certificateVerifySeeds")
    @FuzzTest(maxDuration = "10m")
    void certificateVerify(byte[] input) throws Exception {
        byte[] body = Bounds.cap(input, MAX_INPUT);
        PublicKey key = Duel.PKI.leaf().chain().get(0).getPublicKey();
        Bounds.allocation(1 << 20, 64, body.length, () -> {
            CertificateVerifyMessage cv;
            try {
                cv = CertificateVerifyMessage.parse(body);
            } catch (DecodeException e) {
                return;
            }
            assertArrayEquals(body, cv.encode(), "a CertificateVerify re-encodes to its input");
            try {
                SignatureScheme s = cv.verify(Duel.CRYPTO, true, key, TRANSCRIPT_HASH, SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS);
                assertEquals(SignatureScheme.ECDSA_SECP256R1_SHA256, s, "only a real signature verifies");
            } catch (CertificateRejectedException e) {
                assertTrue(e.alert() > 0, "a rejection names its alert");
            }
        });
    }

    static Stream<Arguments> certificateRequestSeeds() {
        return Stream.of(
                Seeds.named("server's CertificateRequest", CertificateRequestMessage.create(new byte[0],
                        SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS, SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS_CERT,
                        List.of()).encode()),
                Seeds.named("with context and authorities", CertificateRequestMessage.create(new byte[] {1, 2},
                        SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS, List.of(),
                        List.of(Duel.PKI.ca().certificate().getSubjectX500Principal())).encode()));
    }

    @MethodSource("certificateRequestSeeds")
    @FuzzTest(maxDuration = "10m")
    void certificateRequest(byte[] input) throws Exception {
        byte[] body = Bounds.cap(input, MAX_INPUT);
        Bounds.allocation(1 << 20, 64, body.length, () -> {
            CertificateRequestMessage cr;
            try {
                cr = CertificateRequestMessage.parse(body);
            } catch (DecodeException e) {
                return;
            }
            assertArrayEquals(body, cr.encode(), "a CertificateRequest re-encodes to its input");
            // Checked at parse: the accessors never fail afterwards.
            assertFalse(cr.signatureAlgorithms().isEmpty());
            assertNotNull(cr.chainSignatureAlgorithms());
            cr.certificateAuthorities().forEach(name -> assertTrue(name.length >= 1));
        });
    }
}
