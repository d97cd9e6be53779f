package dev.pqdtls.fallback.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.fallback.auth.TestPki.KeyType;
import dev.pqdtls.internal.auth.CertificateRejectedException;
import dev.pqdtls.internal.auth.CertificateVerifyContent;
import dev.pqdtls.internal.auth.CertificateVerifyMessage;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.auth.SignatureSchemes;
import dev.pqdtls.spi.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CertificateVerifyTest {
    private static final List<SignatureScheme> OFFERED = SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS;
    private final FallbackBackend backend = new FallbackBackend();
    private final byte[] transcript = backend.digest(HashAlgorithm.SHA256,
            "ClientHello..Certificate".getBytes(StandardCharsets.US_ASCII));

    private static TestPki.Issued identity(KeyType type) {
        return TestPki.root("CV Root " + type).leaf("server").keyType(type).dns("server.example").issue();
    }

    private static TestPki.Pki pki(KeyType type) {
        TestPki.Authority ca = TestPki.root("CV Root " + type);
        return new TestPki.Pki(ca, ca.leaf("server").keyType(type).dns("server.example").issue());
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "ED25519", "RSA_2048"})
    void serverSignsClientVerifies(KeyType type) throws Exception {
        TestPki.Pki pki = pki(type);
        TestPki.Issued id = pki.leaf();
        LocalCredentials creds = id.credentials();
        PeerAuthenticator client = PeerAuthenticator.builder().trustAnchors(List.of(pki.ca().certificate())).build();
        client.verifyServer(id.chain(), "server.example");

        SignatureScheme scheme = SignatureSchemes.choose(creds.privateKey(), SignatureSchemes.codepoints(OFFERED))
                .orElseThrow();
        // Sign with the backend directly over the content, as the engine might.
        byte[] signature = backend.sign(scheme, creds.privateKey(), CertificateVerifyContent.build(true, transcript));
        CertificateVerifyMessage wire = CertificateVerifyMessage.parse(
                new CertificateVerifyMessage(scheme.codepoint(), signature).encode());
        assertEquals(scheme, wire.verify(backend, true, id.leaf().getPublicKey(), transcript, OFFERED));

        // And through the helper, as a client would sign.
        CertificateVerifyMessage clientCv = CertificateVerifyMessage.sign(backend, false, scheme, creds.privateKey(),
                transcript);
        clientCv.verify(backend, false, id.leaf().getPublicKey(), transcript, OFFERED);
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "ED25519", "RSA_2048"})
    void tamperedSignatureIsDecryptError(KeyType type) {
        TestPki.Issued id = identity(type);
        SignatureScheme scheme = SignatureSchemes.forKey(id.privateKey()).get(0);
        CertificateVerifyMessage good = CertificateVerifyMessage.sign(backend, true, scheme, id.privateKey(), transcript);
        PublicKey key = id.leaf().getPublicKey();
        byte[] bad = good.signature().clone();
        bad[bad.length / 2] ^= 0x01;
        assertEquals(CertificateRejectedException.DECRYPT_ERROR, alert(() ->
                new CertificateVerifyMessage(good.scheme(), bad).verify(backend, true, key, transcript, OFFERED)));
        // Wrong role: a server signature does not verify as a client's (RFC 8446 §4.4.3 context strings).
        assertEquals(CertificateRejectedException.DECRYPT_ERROR,
                alert(() -> good.verify(backend, false, key, transcript, OFFERED)));
        // Other transcript.
        byte[] other = transcript.clone();
        other[0] ^= 1;
        assertEquals(CertificateRejectedException.DECRYPT_ERROR,
                alert(() -> good.verify(backend, true, key, other, OFFERED)));
        // Empty and truncated signatures.
        assertEquals(CertificateRejectedException.DECRYPT_ERROR, alert(() ->
                new CertificateVerifyMessage(good.scheme(), new byte[0]).verify(backend, true, key, transcript, OFFERED)));
        // Signed by another key of the same type.
        TestPki.Issued other2 = TestPki.root("CV other").leaf("x").keys(TestPki.freshKeyPair(type)).issue();
        CertificateVerifyMessage foreign = CertificateVerifyMessage.sign(backend, true, scheme, other2.privateKey(),
                transcript);
        assertEquals(CertificateRejectedException.DECRYPT_ERROR,
                alert(() -> foreign.verify(backend, true, key, transcript, OFFERED)));
    }

    @Test
    void schemeMustBeOfferedAndFitTheKey() {
        TestPki.Issued ec = identity(KeyType.EC_P256);
        TestPki.Issued rsa = identity(KeyType.RSA_2048);
        PublicKey ecKey = ec.leaf().getPublicKey();
        CertificateVerifyMessage ecCv = CertificateVerifyMessage.sign(backend, true,
                SignatureScheme.ECDSA_SECP256R1_SHA256, ec.privateKey(), transcript);
        // Not offered by us.
        assertEquals(CertificateRejectedException.ILLEGAL_PARAMETER, alert(() -> ecCv.verify(backend, true, ecKey,
                transcript, List.of(SignatureScheme.ED25519))));
        // Does not fit the certificate's key.
        assertEquals(CertificateRejectedException.ILLEGAL_PARAMETER, alert(() ->
                new CertificateVerifyMessage(0x0807, new byte[64]).verify(backend, true, ecKey, transcript, OFFERED)));
        // Unknown codepoint.
        assertEquals(CertificateRejectedException.ILLEGAL_PARAMETER, alert(() ->
                new CertificateVerifyMessage(0x0905, new byte[64]).verify(backend, true, ecKey, transcript, OFFERED)));
        // rsa_pkcs1 is never acceptable in CertificateVerify, even if (wrongly) offered.
        byte[] pkcs1 = backend.sign(SignatureScheme.RSA_PSS_RSAE_SHA256, rsa.privateKey(), transcript);
        assertEquals(CertificateRejectedException.ILLEGAL_PARAMETER, alert(() ->
                new CertificateVerifyMessage(0x0401, pkcs1).verify(backend, true, rsa.leaf().getPublicKey(), transcript,
                        SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS_CERT)));
        assertThrows(IllegalArgumentException.class, () -> CertificateVerifyMessage.sign(backend, true,
                SignatureScheme.RSA_PKCS1_SHA256, rsa.privateKey(), transcript));
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static int alert(ThrowingRunnable r) {
        return assertThrows(CertificateRejectedException.class, r::run).alert();
    }
}
