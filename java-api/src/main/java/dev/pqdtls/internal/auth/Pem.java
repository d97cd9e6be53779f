package dev.pqdtls.internal.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads X.509 certificates and PKCS#8 private keys from PEM (RFC 7468) with the JDK alone: the
 * base64 between the markers goes to {@link CertificateFactory} or {@link KeyFactory}. Legacy
 * SEC1/PKCS#1 and encrypted keys are refused with the OpenSSL command that converts them.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String GENERIC_NAME = "key.pem";

    private Pem() {
    }

    /** One PEM block: its label and decoded contents. */
    record Block(String label, byte[] der) {
    }

    /** The certificates in a PEM file (leaf first, as written), or a single DER certificate. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return certificates(bytes, file.toString());
    }

    /** A public key found in a PEM file: its DER SubjectPublicKeyInfo and where it came from. */
    public record PublicKeyInfo(byte[] spki, String source) {
    }

    /**
     * The public keys in a PEM file, in order: each certificate's ({@code CERTIFICATE} blocks, the
     * source naming its subject) and each {@code PUBLIC KEY} block's (as {@code openssl pkey -pubout}
     * writes). Other blocks are skipped.
     *
     * @throws IllegalArgumentException if the file holds neither
     */
    public static List<PublicKeyInfo> publicKeys(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        List<PublicKeyInfo> out = new ArrayList<>();
        for (Block b : blocks(text, file.toString())) {
            if (b.label().equals("PUBLIC KEY")) {
                out.add(new PublicKeyInfo(b.der(), "public key"));
            } else if (b.label().equals("CERTIFICATE")) {
                X509Certificate c = certificates(b.der(), file.toString()).get(0); // one DER certificate
                out.add(new PublicKeyInfo(c.getPublicKey().getEncoded(), "certificate " + c.getSubjectX500Principal().getName()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no CERTIFICATE or PUBLIC KEY PEM block");
        }
        return out;
    }

    /** The certificates in PEM text, in order. */
    public static List<X509Certificate> certificates(String pem) {
        return certificates(pem.getBytes(StandardCharsets.ISO_8859_1), "PEM text");
    }

    private static List<X509Certificate> certificates(byte[] bytes, String source) {
        CertificateFactory cf;
        try {
            cf = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 CertificateFactory", e);
        }
        List<Block> blocks = blocks(new String(bytes, StandardCharsets.ISO_8859_1), source);
        List<byte[]> ders = new ArrayList<>();
        if (blocks.isEmpty()) {
            if (bytes.length == 0 || bytes[0] != 0x30) { // not even a DER SEQUENCE
                throw new IllegalArgumentException(source + " is not a certificate file: it has no \"-----BEGIN "
                        + "CERTIFICATE-----\" block (PEM) and is no DER certificate; pass the PEM certificate file");
            }
            ders.add(bytes); // perhaps a single DER certificate
        } else {
            for (Block b : blocks) {
                if (b.label().equals("CERTIFICATE") || b.label().equals("X509 CERTIFICATE")) {
                    ders.add(b.der());
                }
            }
        }
        List<X509Certificate> out = new ArrayList<>();
        for (byte[] der : ders) {
            try {
                Certificate c = cf.generateCertificate(new ByteArrayInputStream(der));
                out.add((X509Certificate) c);
            } catch (CertificateException | RuntimeException e) {
                throw new IllegalArgumentException(source + ": certificate " + out.size()
                        + " is not a valid X.509 certificate: " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            boolean key = blocks.stream().anyMatch(b -> b.label().endsWith("PRIVATE KEY"));
            throw new IllegalArgumentException(source + " contains no \"-----BEGIN CERTIFICATE-----\" block"
                    + (key ? " but a private key; were the certificate and key files swapped?" : "; pass the PEM certificate file"));
        }
        return List.copyOf(out);
    }

    /** The private key in a PKCS#8 PEM file ("BEGIN PRIVATE KEY"): EC, RSA or Ed25519. */
    public static PrivateKey privateKey(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return privateKey(new String(bytes, StandardCharsets.ISO_8859_1), file.toString());
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The private key in PKCS#8 PEM text. */
    public static PrivateKey privateKey(String pem) {
        return privateKey(pem, GENERIC_NAME);
    }

    private static PrivateKey privateKey(String pem, String source) {
        String convert = "openssl pkcs8 -topk8 -nocrypt -in " + source + " -out "
                + (source.endsWith(".pem") ? source.substring(0, source.length() - 4) : source) + ".pk8.pem";
        for (Block b : blocks(pem, source)) {
            switch (b.label()) {
                case "PRIVATE KEY":
                    try {
                        return pkcs8(b.der(), source);
                    } finally {
                        Arrays.fill(b.der(), (byte) 0);
                    }
                case "EC PRIVATE KEY":
                    throw new IllegalArgumentException(source + " holds a SEC1 \"EC PRIVATE KEY\"; pqdtls reads "
                            + "PKCS#8 (\"BEGIN PRIVATE KEY\") only. Convert it with: " + convert);
                case "RSA PRIVATE KEY":
                    throw new IllegalArgumentException(source + " holds a PKCS#1 \"RSA PRIVATE KEY\"; pqdtls reads "
                            + "PKCS#8 (\"BEGIN PRIVATE KEY\") only. Convert it with: " + convert);
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException(source + " holds an encrypted PKCS#8 key; pqdtls reads "
                            + "unencrypted PKCS#8 only. Decrypt it (keep the result private) with: " + convert);
                case "OPENSSH PRIVATE KEY":
                    throw new IllegalArgumentException(source + " holds an OpenSSH key; pqdtls reads PKCS#8 "
                            + "(\"BEGIN PRIVATE KEY\"). Convert a copy with: ssh-keygen -p -m PKCS8 -f COPY");
                default:
                    break; // e.g. "EC PARAMETERS" before the key, or a certificate in the same file
            }
        }
        boolean certificate = pem.contains("-----BEGIN CERTIFICATE-----");
        throw new IllegalArgumentException(source + " contains no \"-----BEGIN PRIVATE KEY-----\" block"
                + (certificate ? " but a certificate; were the certificate and key files swapped?"
                        : "; pass the certificate's private key as unencrypted PKCS#8 PEM"));
    }

    /** PKCS#8 PrivateKeyInfo through the JDK's KeyFactory for each algorithm we sign with. */
    private static PrivateKey pkcs8(byte[] der, String source) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        List<String> errors = new ArrayList<>();
        for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (NoSuchAlgorithmException e) {
                errors.add(algorithm + ": not in this JDK");
            } catch (GeneralSecurityException | RuntimeException e) {
                errors.add(algorithm + ": " + e.getMessage());
            }
        }
        throw new IllegalArgumentException(source + " holds a PKCS#8 key that is not an EC, RSA or Ed25519 key "
                + "the JDK can read (" + String.join("; ", errors) + "); pqdtls signs with EC secp256r1, Ed25519 or RSA keys");
    }

    static List<Block> blocks(String text, String source) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            // RFC 1421 headers (e.g. "Proc-Type: 4,ENCRYPTED") sit before a blank line.
            if (body.contains(":")) {
                int blank = body.indexOf("\n\n");
                int blankCrLf = body.indexOf("\r\n\r\n");
                int cut = blank >= 0 ? blank : blankCrLf;
                if (cut >= 0) {
                    body = body.substring(cut);
                }
            }
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body.trim())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": the \"" + m.group(1) + "\" block is not valid base64: "
                        + e.getMessage(), e);
            }
        }
        return out;
    }
}
