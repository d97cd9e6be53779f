package dev.pqdtls.internal.server;

import dev.pqdtls.DtlsAlert;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs refused ClientHellos once per source address, at most {@link #LINES_PER_SECOND} lines a
 * second in all, so a flood of bad (or spoofed) ClientHellos cannot flood the log. Remembers only
 * the last {@link #SOURCES} addresses it logged: bounded, and no state a client can grow.
 */
final class RefusalLog {
    private static final Logger LOG = Logger.getLogger("dev.pqdtls.server");
    static final int SOURCES = 1024;
    static final int LINES_PER_SECOND = 10;

    private final Map<InetAddress, Boolean> logged = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Boolean> eldest) {
            return size() > SOURCES;
        }
    };
    private long windowStart = Long.MIN_VALUE;
    private int linesInWindow;
    private long suppressed;

    void log(InetSocketAddress from, DtlsAlert alert, String reason, long nowMillis) {
        if (logged.put(from.getAddress(), Boolean.TRUE) != null) {
            return;
        }
        if (nowMillis - windowStart >= 1000) {
            windowStart = nowMillis;
            linesInWindow = 0;
        }
        if (linesInWindow >= LINES_PER_SECOND) {
            suppressed++;
            return;
        }
        linesInWindow++;
        String more = suppressed == 0 ? "" : " (" + suppressed + " similar lines suppressed before this one)";
        suppressed = 0;
        LOG.log(Level.INFO, "pqdtls: refused a ClientHello from " + from.getAddress().getHostAddress() + ":"
                + from.getPort() + " with alert " + alert.name().toLowerCase(java.util.Locale.ROOT) + ": " + reason + more);
    }
}
