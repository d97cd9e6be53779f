package dev.pqdtls.fallback.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.fallback.auth.TestPki.KeyType;
import dev.pqdtls.internal.auth.CertificateMessage;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.Pem;
import dev.pqdtls.internal.auth.SignatureSchemes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalCredentialsTest {
    private static final String CONVERT = "openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem";

    @TempDir
    Path dir;

    private static List<Integer> cps(SignatureScheme... s) {
        return SignatureSchemes.codepoints(List.of(s));
    }

    @Test
    void chooseFollowsOurPreferenceAndNeverPkcs1() {
        PrivateKey ec = TestPki.keyPair(KeyType.EC_P256).getPrivate();
        PrivateKey ed = TestPki.keyPair(KeyType.ED25519).getPrivate();
        PrivateKey rsa = TestPki.keyPair(KeyType.RSA_2048).getPrivate();
        List<Integer> all = SignatureSchemes.codepoints(SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS_CERT);
        assertEquals(Optional.of(SignatureScheme.ECDSA_SECP256R1_SHA256), SignatureSchemes.choose(ec, all));
        assertEquals(Optional.of(SignatureScheme.ED25519), SignatureSchemes.choose(ed, all));
        assertEquals(Optional.of(SignatureScheme.RSA_PSS_RSAE_SHA256), SignatureSchemes.choose(rsa,
                cps(SignatureScheme.RSA_PSS_RSAE_SHA384, SignatureScheme.RSA_PSS_RSAE_SHA256)));
        assertEquals(Optional.of(SignatureScheme.RSA_PSS_RSAE_SHA384), SignatureSchemes.choose(rsa,
                List.of(0x0401, 0x0805, 0x0806)));
        assertEquals(Optional.empty(), SignatureSchemes.choose(rsa, cps(SignatureScheme.RSA_PKCS1_SHA256,
                SignatureScheme.RSA_PKCS1_SHA384)));
        assertEquals(Optional.empty(), SignatureSchemes.choose(ec, cps(SignatureScheme.ED25519)));
        assertEquals(Optional.empty(), SignatureSchemes.choose(TestPki.keyPair(KeyType.EC_P384).getPrivate(), all));
        assertEquals(List.of(SignatureScheme.ED25519, SignatureScheme.ECDSA_SECP256R1_SHA256),
                SignatureSchemes.known(List.of(0x0807, 0xFEFE, 0x0403, 0x0807)));
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "ED25519", "RSA_2048"})
    void pemRoundTrip(KeyType type) throws Exception {
        TestPki.Authority ca = TestPki.root("PEM Root");
        TestPki.Issued id = ca.intermediate("PEM Int").leaf("pem").keyType(type).dns("pem.test").issue();
        Path certs = dir.resolve("chain.pem");
        Path key = dir.resolve("key.pem");
        // Leading text as "openssl x509 -text" or a PKCS#12 export leaves it must not disturb us.
        Files.writeString(certs, "subject=CN = pem\nBag Attributes: none\n" + TestPki.pem(id.chain()),
                StandardCharsets.US_ASCII);
        Files.writeString(key, TestPki.pem(id.privateKey()), StandardCharsets.US_ASCII);
        LocalCredentials creds = LocalCredentials.fromPem(certs, key);
        assertEquals(id.chain(), creds.chain());
        assertEquals(id.leaf(), creds.leaf());
        assertEquals(id.privateKey().getAlgorithm(), creds.privateKey().getAlgorithm());
        assertEquals(SignatureSchemes.forKey(id.privateKey()), creds.signatureSchemes());
        CertificateMessage m = CertificateMessage.parse(creds.certificateMessage(new byte[0]).encode());
        assertEquals(id.chain(), m.certificates());
    }

    @Test
    void singleDerCertificateFileIsAccepted() throws Exception {
        X509Certificate c = TestPki.selfSigned("der", KeyType.EC_P256, "der.test").leaf();
        Path f = dir.resolve("cert.der");
        Files.write(f, c.getEncoded());
        assertEquals(List.of(c), Pem.certificates(f));
    }

    @Test
    void legacyKeyFormatsSayHowToConvert() throws Exception {
        PrivateKeyInfo ecInfo = PrivateKeyInfo.getInstance(TestPki.keyPair(KeyType.EC_P256).getPrivate().getEncoded());
        String sec1 = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + TestPki.pem("EC PRIVATE KEY", ecInfo.parsePrivateKey().toASN1Primitive().getEncoded());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(sec1));
        assertTrue(e.getMessage().contains(CONVERT), e.getMessage());
        assertTrue(e.getMessage().contains("EC PRIVATE KEY"), e.getMessage());

        PrivateKeyInfo rsaInfo = PrivateKeyInfo.getInstance(TestPki.keyPair(KeyType.RSA_2048).getPrivate().getEncoded());
        String pkcs1 = TestPki.pem("RSA PRIVATE KEY", rsaInfo.parsePrivateKey().toASN1Primitive().getEncoded());
        e = assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(pkcs1));
        assertTrue(e.getMessage().contains(CONVERT), e.getMessage());

        Path file = dir.resolve("server-key.pem");
        Files.writeString(file, pkcs1, StandardCharsets.US_ASCII);
        e = assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(file));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt -in " + file + " -out "), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> Pem.privateKey(TestPki.pem("ENCRYPTED PRIVATE KEY", new byte[] {0x30, 0})));
        assertTrue(e.getMessage().contains("openssl pkcs8"), e.getMessage());
    }

    @Test
    void malformedPemIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> Pem.privateKey("no pem here"));
        assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(TestPki.pem("PRIVATE KEY", new byte[] {1, 2, 3})));
        assertThrows(IllegalArgumentException.class,
                () -> Pem.privateKey("-----BEGIN PRIVATE KEY-----\n!!!notbase64\n-----END PRIVATE KEY-----\n"));
        assertThrows(IllegalArgumentException.class, () -> Pem.certificates("nothing"));
        assertThrows(IllegalArgumentException.class, () -> Pem.certificates(TestPki.pem("CERTIFICATE", new byte[] {0x30, 1, 0})));
    }

    @Test
    void keyMustMatchTheLeafCertificate() {
        TestPki.Issued id = TestPki.root("Match Root").leaf("m").dns("m.test").issue();
        PrivateKey otherEc = TestPki.freshKeyPair(KeyType.EC_P256).getPrivate();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalCredentials.of(id.chain(), otherEc));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> LocalCredentials.of(id.chain(), TestPki.keyPair(KeyType.RSA_2048).getPrivate()));
        assertThrows(IllegalArgumentException.class, () -> LocalCredentials.of(List.of(), id.privateKey()));
        TestPki.Issued p384 = TestPki.root("P384 Root").leaf("p").keyType(KeyType.EC_P384).issue();
        assertThrows(IllegalArgumentException.class, () -> LocalCredentials.of(p384.chain(), p384.privateKey()));
    }

    @Test
    void serverSelectsCredentialsByPeerAlgorithms() {
        TestPki.Authority ca = TestPki.root("Select Root");
        LocalCredentials rsa = ca.leaf("rsa").keyType(KeyType.RSA_2048).issue().credentials();
        LocalCredentials ed = ca.leaf("ed").keyType(KeyType.ED25519).issue().credentials();
        LocalCredentials ec = ca.leaf("ec").keyType(KeyType.EC_P256).issue().credentials();
        List<LocalCredentials> all = List.of(rsa, ed, ec);
        List<Integer> defaults = SignatureSchemes.codepoints(SignatureSchemes.DEFAULT_SIGNATURE_ALGORITHMS);

        LocalCredentials.Selection s = LocalCredentials.select(all, defaults, defaults).orElseThrow();
        assertEquals(rsa, s.credentials());
        assertEquals(SignatureScheme.RSA_PSS_RSAE_SHA256, s.scheme());

        s = LocalCredentials.select(all, cps(SignatureScheme.ED25519), defaults).orElseThrow();
        assertEquals(ed, s.credentials());

        // All chains are signed by an ECDSA CA; a client that accepts only Ed25519 chain signatures
        // still gets a usable chain (§4.4.2.2 "SHOULD continue").
        s = LocalCredentials.select(all, defaults, cps(SignatureScheme.ED25519)).orElseThrow();
        assertEquals(rsa, s.credentials());

        assertTrue(LocalCredentials.select(all, cps(SignatureScheme.RSA_PKCS1_SHA256), defaults).isEmpty());
    }
}
