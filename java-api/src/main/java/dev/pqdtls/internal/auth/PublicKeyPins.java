package dev.pqdtls.internal.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Public-key pins: SHA-256 digests of DER SubjectPublicKeyInfo structures, the value HPKP's
 * {@code pin-sha256} (RFC 7469 §2.4) and {@code openssl x509 -pubkey -noout | openssl pkey -pubin
 * -outform der | sha256sum} give. A pin names a key, not a certificate: it survives re-issuing a
 * certificate for the same key, and identifies a raw public key (RFC 7250) as well. Immutable.
 */
public final class PublicKeyPins {
    /** The prefix of the canonical form, {@code sha256/<base64>} (as curl's {@code --pinnedpubkey}). */
    public static final String PREFIX = "sha256/";
    private static final int DIGEST_LENGTH = 32;

    private final List<byte[]> digests;

    private PublicKeyPins(List<byte[]> digests) {
        this.digests = digests;
    }

    /**
     * Parses pins, each {@code sha256/<base64>} or {@code sha256//<base64>} or plain base64 (44
     * characters, or 43 without padding), or 64 hex digits (colons and spaces between them allowed, as
     * {@code openssl dgst -c} prints).
     *
     * @param option the configuration option's name, for the error
     * @throws IllegalArgumentException naming the option, the entry and the accepted forms
     */
    public static PublicKeyPins parse(String option, List<String> pins) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < pins.size(); i++) {
            out.add(parseOne(option, i, pins.get(i)));
        }
        return new PublicKeyPins(List.copyOf(out));
    }

    private static byte[] parseOne(String option, int index, String pin) {
        if (pin == null) {
            throw new IllegalArgumentException(option + ": entry " + index + " is null");
        }
        String s = pin.trim();
        if (s.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
            s = s.substring(PREFIX.length());
        }
        String hex = s.replace(":", "").replace(" ", "");
        if (hex.length() == 2 * DIGEST_LENGTH && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return HexFormat.of().parseHex(hex);
        }
        // The base64 after "sha256/" may itself start with '/' (a digest whose first six bits are 63),
        // so "sha256//..." is tried as written before as the "sha256//" spelling of the prefix.
        byte[] d = base64Digest(s);
        if (d == null && s.startsWith("/")) {
            d = base64Digest(s.substring(1));
        }
        if (d != null) {
            return d;
        }
        throw new IllegalArgumentException(option + ": entry " + index + " (\"" + pin + "\") is not a SHA-256 public-key "
                + "pin: give sha256/<44 base64 characters> or 64 hex digits, the SHA-256 of the DER SubjectPublicKeyInfo "
                + "(./pqdtls pin FILE prints it; or openssl x509 -in FILE -pubkey -noout | openssl pkey -pubin "
                + "-outform der | sha256sum)");
    }

    /** The 32 bytes {@code s} encodes in base64, or null. */
    private static byte[] base64Digest(String s) {
        try {
            byte[] d = Base64.getDecoder().decode(s);
            return d.length == DIGEST_LENGTH ? d : null;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    public int size() {
        return digests.size();
    }

    /**
     * Whether the DER SubjectPublicKeyInfo {@code spki} has one of the pinned digests. Every pin is
     * compared, each in constant time, so the time taken says nothing about which pin came closest.
     */
    public boolean matches(byte[] spki) {
        byte[] d = sha256(spki);
        boolean found = false;
        for (byte[] pin : digests) {
            found |= MessageDigest.isEqual(pin, d);
        }
        return found;
    }

    /**
     * @param role "server" or "client", for the message
     * @throws CertificateRejectedException bad_certificate, saying which pin the peer's key has and how to pin it
     */
    public void check(PublicKey key, String role) throws CertificateRejectedException {
        byte[] spki = key.getEncoded();
        if (!matches(spki)) {
            throw new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE,
                    "the " + role + "'s public key (" + SignatureSchemes.describe(key) + ") has pin " + pin(spki)
                            + " (hex " + hex(spki) + "), which is not among the "
                            + digests.size() + " pinned key(s); if this is the " + role + "'s genuine key, pin it "
                            + "(DtlsConfig pinnedPublicKeys, or --pin " + pin(spki) + ")");
        }
    }

    /** The canonical pin of a key: {@code sha256/} and the base64 SHA-256 of its DER SubjectPublicKeyInfo. */
    public static String pin(PublicKey key) {
        return pin(key.getEncoded());
    }

    /** The canonical pin of a DER SubjectPublicKeyInfo. */
    public static String pin(byte[] spki) {
        return PREFIX + Base64.getEncoder().encodeToString(sha256(spki));
    }

    /** The pin of a DER SubjectPublicKeyInfo as 64 lower-case hex digits, as {@code sha256sum} prints it. */
    public static String hex(byte[] spki) {
        return HexFormat.of().formatHex(sha256(spki));
    }

    /** The canonical form of each pin, in order. */
    public List<String> canonical() {
        return digests.stream().map(d -> PREFIX + Base64.getEncoder().encodeToString(d)).toList();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "PublicKeyPins" + canonical();
    }
}
