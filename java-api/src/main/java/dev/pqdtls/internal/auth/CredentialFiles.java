package dev.pqdtls.internal.auth;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Reads and checks the certificate and key files of {@code DtlsConfig} at {@code build()}. Every
 * problem becomes one {@link IllegalArgumentException} that names the option, the file and what to
 * fix, e.g. {@code certificate: the private key file /etc/x/key.pem does not exist; give ...}.
 */
public final class CredentialFiles {
    /** What each kind of file should hold: the fix when it is missing or unreadable. */
    public enum Kind {
        CHAIN("certificate chain file", "give a PEM file with the certificate chain, end-entity certificate first"),
        PRIVATE_KEY("private key file", "give the certificate's private key as an unencrypted PKCS#8 PEM file "
                + "(\"-----BEGIN PRIVATE KEY-----\")"),
        TRUST_ANCHORS("trusted certificates file", "give a PEM file with the CA certificates to trust");

        private final String noun;
        private final String fix;

        Kind(String noun, String fix) {
            this.noun = noun;
            this.fix = fix;
        }
    }

    private CredentialFiles() {
    }

    /** The certificates of a PEM file ({@link Kind#CHAIN} or {@link Kind#TRUST_ANCHORS}). */
    public static List<X509Certificate> certificates(String option, Kind kind, Path file) {
        try {
            return Pem.certificates(readable(option, kind, file));
        } catch (IOException e) {
            throw unreadable(option, kind, file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /** The PKCS#8 private key of a PEM file. */
    public static PrivateKey privateKey(String option, Path file) {
        try {
            return Pem.privateKey(readable(option, Kind.PRIVATE_KEY, file));
        } catch (IOException e) {
            throw unreadable(option, Kind.PRIVATE_KEY, file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that pqdtls can sign with the key and that it belongs to the chain's first certificate
     * (see {@link LocalCredentials#of}); {@code chainFile}/{@code keyFile} are named when not null.
     */
    public static void checkPair(String option, List<X509Certificate> chain, PrivateKey key, Path chainFile, Path keyFile) {
        try {
            LocalCredentials.of(chain, key);
        } catch (IllegalArgumentException e) {
            String files = chainFile == null ? "" : " (certificate chain file " + chainFile + ", private key file " + keyFile + ")";
            throw new IllegalArgumentException(option + ": " + e.getMessage() + files, e);
        }
    }

    private static Path readable(String option, Kind kind, Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException(option + ": the " + kind.noun + " is null; " + kind.fix);
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + ": the " + kind.noun + " " + file + " is a directory; " + kind.fix);
        }
        return file;
    }

    private static IllegalArgumentException unreadable(String option, Kind kind, Path file, IOException e) {
        String problem;
        if (e instanceof NoSuchFileException) {
            problem = "does not exist; " + kind.fix;
        } else if (e instanceof AccessDeniedException) {
            problem = "cannot be read (permission denied); make it readable by the user running this JVM";
        } else {
            problem = "cannot be read (" + e + "); " + kind.fix;
        }
        return new IllegalArgumentException(option + ": the " + kind.noun + " " + file + " " + problem, e);
    }
}
