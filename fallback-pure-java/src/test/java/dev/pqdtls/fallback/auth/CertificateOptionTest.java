package dev.pqdtls.fallback.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.fallback.auth.TestPki.KeyType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DtlsConfig.Builder#build()} on real certificates and keys: each problem names the option,
 * the file and the fix. (Missing, unreadable and non-PEM files: DtlsConfigTest in the api module.)
 */
class CertificateOptionTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
    }

    private static String rejected(DtlsConfig.Builder b, String... parts) {
        String m = assertThrows(IllegalArgumentException.class, b::build).getMessage();
        for (String part : parts) {
            assertTrue(m.contains(part), "expected '" + part + "' in: " + m);
        }
        return m;
    }

    @Test
    void matchingFilesBuild() throws Exception {
        TestPki.Pki pki = TestPki.quickServer();
        Path chain = write("chain.pem", TestPki.pem(pki.leaf().chain()));
        Path key = write("key.pk8.pem", TestPki.pem(pki.leaf().privateKey()));
        Path ca = write("ca.pem", TestPki.pem(List.of(pki.ca().certificate())));
        DtlsConfig c = DtlsConfig.builder().certificate(chain, key).trustedCertificates(ca).build();
        assertEquals(pki.leaf().chain(), c.certificateChain());
        assertEquals(pki.leaf().privateKey(), c.privateKey().orElseThrow());
        assertEquals(List.of(pki.ca().certificate()), c.trustedCertificates());
    }

    @Test
    void theKeyOfAnotherCertificateIsRejected() throws Exception {
        TestPki.Issued id = TestPki.root("Mismatch Root").leaf("server").dns("localhost").issue();
        Path chain = write("chain.pem", TestPki.pem(id.chain()));
        Path key = write("other.pk8.pem", TestPki.pem(TestPki.freshKeyPair(KeyType.EC_P256).getPrivate()));
        String m = rejected(DtlsConfig.builder().certificate(chain, key), "does not belong to the certificate CN=server",
                "pass the key file that was used to request this certificate",
                "(certificate chain file " + chain + ", private key file " + key + ")");
        assertTrue(m.startsWith("certificate: the private key (EC secp256r1)"), m);
        // The same check for in-memory credentials, without file names.
        m = rejected(DtlsConfig.builder().certificate(id.chain(), TestPki.keyPair(KeyType.RSA_2048).getPrivate()),
                "does not belong");
        assertTrue(m.startsWith("certificate: ") && !m.contains("(certificate chain file"), m);
    }

    @Test
    void aKeyTypePqdtlsCannotSignWithIsRejected() throws Exception {
        TestPki.Issued p384 = TestPki.selfSigned("p384", KeyType.EC_P384, "localhost");
        Path chain = write("p384.pem", TestPki.pem(p384.chain()));
        Path key = write("p384.pk8.pem", TestPki.pem(p384.privateKey()));
        String m = rejected(DtlsConfig.builder().certificate(chain, key), "holds a EC (not secp256r1) key",
                "pqdtls signs with EC secp256r1, Ed25519 or RSA keys", "certificate chain file " + chain);
        assertTrue(m.startsWith("certificate: "), m);

        // A key the JDK reads but pqdtls never signs with fails when the file is read.
        PrivateKey ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPrivate();
        Path edKey = write("ed448.pk8.pem", TestPki.pem("PRIVATE KEY", ed448.getEncoded()));
        m = rejected(DtlsConfig.builder().certificate(chain, edKey), edKey + " holds a PKCS#8 key that is not an EC, RSA or Ed25519",
                "pqdtls signs with EC secp256r1, Ed25519 or RSA keys");
        assertTrue(m.startsWith("certificate: "), m);
    }

    @Test
    void aLegacyKeyFileGetsTheConversionCommand() throws Exception {
        TestPki.Pki pki = TestPki.quickServer();
        Path chain = write("chain.pem", TestPki.pem(pki.leaf().chain()));
        byte[] sec1 = PrivateKeyInfo.getInstance(pki.leaf().privateKey().getEncoded()).parsePrivateKey().toASN1Primitive()
                .getEncoded();
        Path key = write("server-key.pem", TestPki.pem("EC PRIVATE KEY", sec1));
        String m = rejected(DtlsConfig.builder().certificate(chain, key),
                key + " holds a SEC1 \"EC PRIVATE KEY\"", "openssl pkcs8 -topk8 -nocrypt -in " + key);
        assertTrue(m.startsWith("certificate: "), m);
    }

    @Test
    void backendNamesAreCheckedAgainstTheBackendsOnTheClassPath() {
        String m = rejected(DtlsConfig.builder().backend("nope"), "unknown backend 'nope'; valid values: fallback");
        assertTrue(m.startsWith("backend: "), m);
        assertEquals("fallback", DtlsConfig.builder().backend("fallback").build().backend().orElseThrow());
    }
}
