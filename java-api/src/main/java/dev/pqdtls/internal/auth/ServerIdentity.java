package dev.pqdtls.internal.auth;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks that a server certificate names the host the client meant to reach (RFC 6125 §6, as RFC
 * 8446 §4.4.2.4 and RFC 9525 require). A DNS name matches subjectAltName dNSName entries, with a
 * wildcard allowed only as the whole leftmost label and matching exactly one label; an IP literal
 * matches only iPAddress entries. The subject CN is never consulted (RFC 9525 §6.3 drops the CN
 * fallback; RFC 6125 §6.4.4 allows it only without any SAN).
 */
public final class ServerIdentity {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private ServerIdentity() {
    }

    /** Whether {@code serverName} (host name or IP literal) is named by {@code cert}. */
    public static boolean matches(X509Certificate cert, String serverName) {
        try {
            check(cert, serverName);
            return true;
        } catch (CertificateRejectedException e) {
            return false;
        }
    }

    /** @throws CertificateRejectedException certificate_unknown saying which names the certificate has */
    static void check(X509Certificate cert, String serverName) throws CertificateRejectedException {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE,
                    "the server certificate's subjectAltName extension does not parse: " + e.getMessage(), e);
        }
        List<String> dnsNames = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        if (sans != null) {
            for (List<?> san : sans) {
                if (san.size() < 2 || !(san.get(0) instanceof Integer) || !(san.get(1) instanceof String)) {
                    continue;
                }
                int type = (Integer) san.get(0);
                if (type == SAN_DNS) {
                    dnsNames.add((String) san.get(1));
                } else if (type == SAN_IP) {
                    ips.add((String) san.get(1));
                }
            }
        }
        Optional<byte[]> ip = ipLiteral(serverName);
        if (ip.isPresent()) {
            for (String s : ips) {
                Optional<byte[]> sanIp = ipLiteral(s);
                if (sanIp.isPresent() && Arrays.equals(sanIp.get(), ip.get())) {
                    return;
                }
            }
            throw mismatch(serverName, "IP address", ips, dnsNames);
        }
        String reference = normalizeDns(serverName);
        if (reference != null) {
            for (String pattern : dnsNames) {
                if (dnsMatches(pattern, reference)) {
                    return;
                }
            }
        }
        throw mismatch(serverName, "DNS name", dnsNames, ips);
    }

    private static CertificateRejectedException mismatch(String serverName, String kind, List<String> same,
            List<String> other) {
        String msg;
        if (same.isEmpty() && other.isEmpty()) {
            msg = "the server certificate has no subjectAltName, so it cannot match \"" + serverName
                    + "\" (the subject CN is not checked, RFC 9525 §6.3); reissue it with a SAN for that name";
        } else {
            msg = "the server certificate does not name \"" + serverName + "\": its " + kind + " SANs are " + same
                    + (other.isEmpty() ? "" : " (other SANs: " + other + ")")
                    + "; connect using one of those names or reissue the certificate with this one";
        }
        return new CertificateRejectedException(CertificateRejectedException.CERTIFICATE_UNKNOWN, msg);
    }

    /** Lower-case A-label form without a trailing dot, or null if it is not a usable host name. */
    private static String normalizeDns(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        try {
            n = IDN.toASCII(n, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (n.isEmpty() || n.startsWith(".") || n.contains("..")) {
            return null;
        }
        return n.toLowerCase(Locale.ROOT);
    }

    /** RFC 6125 §6.4.1 (case-insensitive exact) and §6.4.3 (wildcard, whole leftmost label only). */
    static boolean dnsMatches(String pattern, String reference) {
        String p = pattern.endsWith(".") ? pattern.substring(0, pattern.length() - 1) : pattern;
        p = p.toLowerCase(Locale.ROOT);
        if (!p.startsWith("*.")) {
            return !p.contains("*") && p.equals(reference);
        }
        String suffix = p.substring(1); // ".example.com"
        // The wildcard's own domain must have at least two labels ("*.com" names a whole TLD) and no
        // further wildcards.
        if (suffix.contains("*") || suffix.indexOf('.', 1) < 0) {
            return false;
        }
        if (!reference.endsWith(suffix)) {
            return false;
        }
        String left = reference.substring(0, reference.length() - suffix.length());
        // Exactly one non-empty label; never an IDN A-label matched by a wildcard (RFC 6125 §6.4.3).
        return !left.isEmpty() && left.indexOf('.') < 0 && !left.startsWith("xn--");
    }

    /**
     * The address bytes if {@code s} is an IPv4 dotted quad or an IPv6 literal (optionally in
     * brackets); never a DNS lookup.
     */
    static Optional<byte[]> ipLiteral(String s) {
        if (s == null || s.isEmpty()) {
            return Optional.empty();
        }
        if (s.indexOf(':') >= 0) {
            String inner = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
            if (inner.isEmpty() || inner.indexOf('%') >= 0 || !inner.matches("[0-9A-Fa-f:.]+")) {
                return Optional.empty();
            }
            try {
                // Brackets make the JDK parse it as an IPv6 literal or fail; it never resolves.
                byte[] a = InetAddress.getByName("[" + inner + "]").getAddress();
                return Optional.of(a);
            } catch (UnknownHostException | RuntimeException e) {
                return Optional.empty();
            }
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return Optional.empty();
            }
            out[i] = (byte) v;
        }
        return Optional.of(out);
    }
}
