package dev.pqdtls.spi;

import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Encodes and signs the self-signed certificates of {@link dev.pqdtls.SelfSignedCertificate}; found
 * with {@link java.util.ServiceLoader}. The api module has no ASN.1 encoder of its own (and takes no
 * Bouncy Castle dependency): the pure-Java backend module, part of every pqdtls installation,
 * provides one.
 */
public interface CertificateIssuer {

    /**
     * A self-signed X.509 v3 end-entity certificate: subject and issuer {@code CN=commonName}, a
     * random 127-bit serial number, subjectAltName with the given names, basicConstraints CA:false,
     * keyUsage digitalSignature, extendedKeyUsage serverAuth and clientAuth, signed with ECDSA
     * SHA-256 by the JDK's {@link java.security.Signature}.
     *
     * @param keys an EC P-256 key pair; the certificate holds its public key
     * @throws GeneralSecurityException if signing or parsing the result fails
     */
    X509Certificate selfSigned(KeyPair keys, String commonName, List<String> dnsNames, List<InetAddress> ipAddresses,
            Instant notBefore, Instant notAfter) throws GeneralSecurityException;
}
