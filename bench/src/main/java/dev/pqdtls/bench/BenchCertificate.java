package dev.pqdtls.bench;

import dev.pqdtls.SelfSignedCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * A throw-away self-signed ECDSA P-256 server certificate for localhost, the only one the benchmark
 * clients trust; {@link #writePem} puts it where a server in another process (a pqdtls server JVM,
 * wolfSSL) reads it.
 */
record BenchCertificate(X509Certificate certificate, PrivateKey key) {

    /** The PEM files of {@link #writePem}. */
    record PemFiles(Path certificate, Path key) {
    }

    static BenchCertificate create() {
        SelfSignedCertificate c = SelfSignedCertificate.create("localhost");
        return new BenchCertificate(c.certificate(), c.privateKey());
    }

    /** {@code cert.pem} (X.509) and {@code key.pem} (unencrypted PKCS#8, owner-only) in {@code dir}. */
    PemFiles writePem(Path dir) throws IOException {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        try {
            Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        } catch (CertificateEncodingException e) {
            throw new IOException("encoding the certificate: " + e.getMessage(), e);
        }
        Files.deleteIfExists(key);
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(key, pem("PRIVATE KEY", this.key.getEncoded()), StandardCharsets.US_ASCII);
        return new PemFiles(cert, key);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
