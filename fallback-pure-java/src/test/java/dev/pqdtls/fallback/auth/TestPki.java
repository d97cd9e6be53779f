package dev.pqdtls.fallback.auth;

import dev.pqdtls.internal.auth.LocalCredentials;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Mints test PKIs with Bouncy Castle's certificate builder over the JDK's own key generators and
 * signature providers (no provider is registered). Keys are cached per type, so a CA plus a leaf
 * costs two signatures; ask for {@link #freshKeyPair} when a test needs an unrelated key.
 *
 * <pre>
 * TestPki.Authority ca = TestPki.root("Test Root");
 * TestPki.Issued server = ca.leaf("server").dns("localhost").ip("127.0.0.1").issue();
 * LocalCredentials creds = server.credentials();
 * </pre>
 */
public final class TestPki {
    /** Key types the tests use; EC_P384 is one pqdtls does not sign with. */
    public enum KeyType { EC_P256, ED25519, RSA_2048, EC_P384 }

    private static final Map<KeyType, List<KeyPair>> CACHE = new EnumMap<>(KeyType.class);
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime() & 0xFFFF_FFFFL);
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestPki() {
    }

    /** The {@code index}-th cached key pair of this type (distinct indices give distinct keys). */
    public static synchronized KeyPair keyPair(KeyType type, int index) {
        List<KeyPair> list = CACHE.computeIfAbsent(type, t -> new ArrayList<>());
        while (list.size() <= index) {
            list.add(freshKeyPair(type));
        }
        return list.get(index);
    }

    public static KeyPair keyPair(KeyType type) {
        return keyPair(type, 0);
    }

    public static KeyPair freshKeyPair(KeyType type) {
        try {
            KeyPairGenerator g;
            switch (type) {
                case EC_P256:
                    g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                    break;
                case EC_P384:
                    g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec("secp384r1"), RANDOM);
                    break;
                case ED25519:
                    g = KeyPairGenerator.getInstance("Ed25519");
                    break;
                default:
                    g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(2048, RANDOM);
                    break;
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed root CA with a fresh EC P-256 key, valid from a day ago for ten years. */
    public static Authority root(String commonName) {
        return root(commonName, freshKeyPair(KeyType.EC_P256));
    }

    /** A self-signed root CA with the given key. */
    public static Authority root(String commonName, KeyPair keys) {
        X500Name name = new X500Name("CN=" + commonName + ",O=pqdtls test");
        Instant now = Instant.now();
        X509Certificate cert = build(name, keys.getPublic(), name, keys.getPrivate(), keys.getPublic(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)), true, null, List.of(), List.of(),
                new KeyPurposeId[0]);
        return new Authority(cert, keys, List.of());
    }

    /** A self-signed end-entity certificate (no CA flag) for {@code dnsNames}. */
    public static Issued selfSigned(String commonName, KeyType type, String... dnsNames) {
        KeyPair keys = keyPair(type, 1);
        X500Name name = new X500Name("CN=" + commonName);
        Instant now = Instant.now();
        X509Certificate cert = build(name, keys.getPublic(), name, keys.getPrivate(), keys.getPublic(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), false,
                new KeyUsage(KeyUsage.digitalSignature), List.of(dnsNames), List.of(),
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
        return new Issued(List.of(cert), keys);
    }

    /** The quickest usable server identity: a fresh root and an EC P-256 leaf for localhost/127.0.0.1. */
    public static Pki quickServer() {
        Authority ca = root("Quick Root");
        return new Pki(ca, ca.leaf("localhost").dns("localhost").ip("127.0.0.1").ip("::1").issue());
    }

    /** A root and one leaf issued by it. */
    public record Pki(Authority ca, Issued leaf) {
    }

    /** A CA: its certificate, keys, and the certificates between it and the root (excluded). */
    public static final class Authority {
        private final X509Certificate certificate;
        private final KeyPair keys;
        /** Certificates above this one up to, not including, the root; this one first if not a root. */
        private final List<X509Certificate> chainToRoot;

        Authority(X509Certificate certificate, KeyPair keys, List<X509Certificate> above) {
            this.certificate = certificate;
            this.keys = keys;
            this.chainToRoot = above;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        public KeyPair keys() {
            return keys;
        }

        /** Intermediates from this CA up to but excluding the root (empty for a root). */
        public List<X509Certificate> intermediates() {
            return chainToRoot;
        }

        /** A subordinate CA with a fresh EC P-256 key. */
        public Authority intermediate(String commonName) {
            return intermediate(commonName, freshKeyPair(KeyType.EC_P256));
        }

        public Authority intermediate(String commonName, KeyPair subKeys) {
            Instant now = Instant.now();
            X509Certificate cert = build(new X500Name("CN=" + commonName + ",O=pqdtls test"), subKeys.getPublic(),
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), keys.getPrivate(),
                    keys.getPublic(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1825)), true, null,
                    List.of(), List.of(), new KeyPurposeId[0]);
            List<X509Certificate> above = new ArrayList<>();
            above.add(cert);
            above.addAll(chainToRoot);
            return new Authority(cert, subKeys, List.copyOf(above));
        }

        public LeafBuilder leaf(String commonName) {
            return new LeafBuilder(this, commonName);
        }
    }

    /** Options for an end-entity certificate; defaults: EC P-256, valid now, serverAuth+clientAuth. */
    public static final class LeafBuilder {
        private final Authority issuer;
        private final String commonName;
        private final List<String> dns = new ArrayList<>();
        private final List<String> ips = new ArrayList<>();
        private KeyPair keys = keyPair(KeyType.EC_P256, 0);
        private Instant notBefore = Instant.now().minus(Duration.ofDays(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(365));
        private KeyUsage keyUsage = new KeyUsage(KeyUsage.digitalSignature);
        private KeyPurposeId[] eku = {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};

        LeafBuilder(Authority issuer, String commonName) {
            this.issuer = issuer;
            this.commonName = commonName;
        }

        public LeafBuilder keyType(KeyType type) {
            this.keys = keyPair(type, 0);
            return this;
        }

        public LeafBuilder keys(KeyPair keys) {
            this.keys = keys;
            return this;
        }

        public LeafBuilder dns(String name) {
            dns.add(name);
            return this;
        }

        public LeafBuilder ip(String address) {
            ips.add(address);
            return this;
        }

        public LeafBuilder validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        /** null to omit the keyUsage extension. */
        public LeafBuilder keyUsage(KeyUsage keyUsage) {
            this.keyUsage = keyUsage;
            return this;
        }

        /** No arguments omits the extendedKeyUsage extension. */
        public LeafBuilder extendedKeyUsage(KeyPurposeId... purposes) {
            this.eku = purposes;
            return this;
        }

        public Issued issue() {
            X509Certificate cert = build(new X500Name("CN=" + commonName), keys.getPublic(),
                    X500Name.getInstance(issuer.certificate.getSubjectX500Principal().getEncoded()),
                    issuer.keys.getPrivate(), issuer.keys.getPublic(), notBefore, notAfter, false, keyUsage, dns, ips,
                    eku);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(cert);
            chain.addAll(issuer.chainToRoot);
            return new Issued(List.copyOf(chain), keys);
        }
    }

    /** An end-entity chain (leaf first, intermediates after, root excluded) and its key pair. */
    public record Issued(List<X509Certificate> chain, KeyPair keyPair) {
        public X509Certificate leaf() {
            return chain.get(0);
        }

        public PrivateKey privateKey() {
            return keyPair.getPrivate();
        }

        public LocalCredentials credentials() {
            return LocalCredentials.of(chain, keyPair.getPrivate());
        }
    }

    private static X509Certificate build(X500Name subject, PublicKey subjectKey, X500Name issuer, PrivateKey issuerKey,
            PublicKey issuerPublic, Instant notBefore, Instant notAfter, boolean ca, KeyUsage keyUsage,
            List<String> dnsNames, List<String> ipAddresses, KeyPurposeId[] eku) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKey);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerPublic));
            if (ca) {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                if (keyUsage != null) {
                    b.addExtension(Extension.keyUsage, true, keyUsage);
                }
                if (eku.length > 0) {
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
                }
            }
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            ipAddresses.forEach(n -> names.add(new GeneralName(GeneralName.iPAddress, n)));
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(new GeneralName[0])));
            }
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(issuerKey)).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build test certificate " + subject + ": " + e, e);
        }
    }

    private static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "EC":
                return "SHA256withECDSA";
            case "RSA":
                return "SHA256withRSA";
            default:
                return "Ed25519";
        }
    }

    // PEM ---------------------------------------------------------------------------------------

    public static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    public static String pem(List<X509Certificate> certificates) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certificates) {
            try {
                sb.append(pem("CERTIFICATE", c.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }

    /** PKCS#8 "PRIVATE KEY" PEM. */
    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }
}
