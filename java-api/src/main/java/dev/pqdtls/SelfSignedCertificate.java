package dev.pqdtls;

import dev.pqdtls.spi.CertificateIssuer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * A throw-away self-signed ECDSA P-256 certificate for tests and demos. The server presents it and
 * the client trusts exactly it, so both sides run the real certificate and name checks without any
 * file:
 *
 * <pre>{@code
 * SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
 * DtlsConfig server = DtlsConfig.builder().certificate(cert.chain(), cert.privateKey()).build();
 * DtlsConfig client = DtlsConfig.builder().trustedCertificates(cert.chain()).serverName("localhost").build();
 * }</pre>
 *
 * <p>Valid from one hour before creation (clock skew) for {@link #VALIDITY}; the names go in
 * subjectAltName, the first also in the subject's CN. The key pair and the signature are the
 * JDK's own; the X.509 encoding comes from a {@link CertificateIssuer}, which the pure-Java backend
 * module (pqdtls-fallback, part of {@code dev.pqdtls:pqdtls}) provides. Real deployments load a
 * CA-issued chain with {@link DtlsConfig.Builder#certificate(java.nio.file.Path, java.nio.file.Path)}.
 */
public final class SelfSignedCertificate {
    /** How long a new certificate is valid. */
    public static final Duration VALIDITY = Duration.ofDays(7);

    // One or more LDH labels (RFC 1123), optionally a leading "*." wildcard.
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    private SelfSignedCertificate(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /** A certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}. */
    public static SelfSignedCertificate create() {
        return create("localhost", "127.0.0.1", "::1");
    }

    /**
     * A certificate for these names: DNS names ({@code localhost}, {@code server.example},
     * {@code *.example}) and IP address literals ({@code 127.0.0.1}, {@code ::1}). Nothing is
     * looked up.
     *
     * @throws IllegalArgumentException if no name is given or a name is neither a DNS name nor an IP
     *     address literal
     * @throws IllegalStateException if no {@link CertificateIssuer} is on the class path or module
     *     path (the message says which artifact to add)
     */
    public static SelfSignedCertificate create(String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("SelfSignedCertificate: give at least one name, e.g. \"localhost\"");
        }
        List<String> dnsNames = new ArrayList<>();
        List<InetAddress> ipAddresses = new ArrayList<>();
        for (String name : names) {
            if (name != null && (IPV4.matcher(name).matches() || IPV6.matcher(name).matches())) {
                ipAddresses.add(ipLiteral(name));
            } else if (name != null && DNS_NAME.matcher(name).matches() && !name.matches("[0-9.]+")) {
                dnsNames.add(name);
            } else {
                throw new IllegalArgumentException("SelfSignedCertificate: '" + name + "' is neither a DNS name "
                        + "(letters, digits, hyphens, dot-separated labels) nor an IP address literal");
            }
        }
        Instant now = Instant.now();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X509Certificate certificate = issuer().selfSigned(keys, names[0], dnsNames, ipAddresses,
                    now.minus(Duration.ofHours(1)), now.plus(VALIDITY));
            return new SelfSignedCertificate(certificate, keys.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a self-signed ECDSA P-256 certificate: " + e.getMessage(), e);
        }
    }

    private static InetAddress ipLiteral(String name) {
        try {
            return InetAddress.getByName(name); // a literal (checked above): parsed, never resolved
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("SelfSignedCertificate: '" + name + "' is not a valid IP address literal", e);
        }
    }

    /** The certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The chain to present, and to trust on the other side: just the certificate. */
    public List<X509Certificate> chain() {
        return List.of(certificate);
    }

    /** The certificate's private key. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** SHA-256 of the DER encoding as colon-separated hex, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot hash the certificate", e);
        }
    }

    @Override
    public String toString() {
        return "SelfSignedCertificate[" + certificate.getSubjectX500Principal().getName() + ", SHA-256 " + fingerprint() + "]";
    }

    private static CertificateIssuer issuer() {
        if (Issuer.INSTANCE == null) {
            throw new IllegalStateException("SelfSignedCertificate needs a dev.pqdtls.spi.CertificateIssuer on the class "
                    + "path or module path; depend on dev.pqdtls:pqdtls (its pqdtls-fallback module provides one)");
        }
        return Issuer.INSTANCE;
    }

    /** The {@link CertificateIssuer}, looked up once. */
    private static final class Issuer {
        static final CertificateIssuer INSTANCE = ServiceLoader.load(CertificateIssuer.class,
                SelfSignedCertificate.class.getClassLoader()).findFirst().orElse(null);
    }
}
