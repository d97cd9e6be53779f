package dev.pqdtls.internal.text;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Addresses and durations as people write them, for messages and the CLI: {@code 127.0.0.1:4433},
 * {@code [::1]:4433}, {@code 10 s}, {@code 250 ms} (not {@code /127.0.0.1:4433} and {@code PT10S},
 * the JDK's {@code toString}).
 */
public final class Display {
    /** Two or more zero groups in a row, with the colons around them. */
    private static final Pattern ZERO_RUN = Pattern.compile("(?:^|:)0(?::0)+(?::|$)");

    private Display() {
    }

    /** {@code 127.0.0.1:4433}, {@code [::1]:4433}, or {@code host:4433} if unresolved. */
    public static String address(InetSocketAddress a) {
        if (a.getAddress() == null) {
            String host = a.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        if (!(a.getAddress() instanceof Inet6Address)) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        // The JDK writes 0:0:0:0:0:0:0:1; people write ::1 (RFC 5952 §4.2: the first longest run of
        // two or more zero groups becomes ::).
        String host = a.getAddress().getHostAddress();
        String best = null;
        Matcher m = ZERO_RUN.matcher(host);
        while (m.find()) {
            if (best == null || m.group().length() > best.length()) {
                best = m.group();
            }
        }
        if (best != null) {
            int at = host.indexOf(best);
            host = host.substring(0, at) + "::" + host.substring(at + best.length());
        }
        return "[" + host + "]:" + a.getPort();
    }

    /** {@code 250 ms}, {@code 1.5 s}, {@code 10 s}, {@code 10 min}, {@code 2 h}, {@code 365 d}. */
    public static String duration(Duration d) {
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            return d.toString(); // not a configuration value; keep every digit
        }
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms % 1000 != 0) {
            return String.format(Locale.ROOT, "%.3f", ms / 1000.0).replaceAll("0+$", "") + " s";
        }
        long s = ms / 1000;
        if (s % 86_400 == 0) {
            return s / 86_400 + " d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + " h";
        }
        if (s % 60 == 0 && s >= 120) {
            return s / 60 + " min";
        }
        return s + " s";
    }
}
