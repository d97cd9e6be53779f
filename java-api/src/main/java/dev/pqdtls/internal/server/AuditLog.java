package dev.pqdtls.internal.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.ServerMetrics.Limit;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's security audit log: one JSON object per line, at INFO, to the SLF4J logger
 * {@value #LOGGER}. Every line has {@code time} (ISO-8601 UTC), {@code event}, {@code server} and
 * {@code peer} (address:port), {@code alert} (RFC 8446 name, or null) and {@code detail}; some add
 * {@code subject} (certificate_rejected), {@code limit} (rate_limited, aead_limit) and
 * {@code suppressed} (lines left out before this one). Events: handshake_failed, cookie_rejected,
 * certificate_rejected, aead_limit, rate_limited, idle_timeout.
 *
 * <p>It never carries a secret, a key or application data: only addresses, alert names, certificate
 * subjects and the engine's reason texts. It cannot be flooded: at most {@link #LINES_PER_SECOND} lines
 * a second (the next line counts what was left out), and events about sources whose address is not
 * proven (no cookie yet) at most once per {@link #QUIET_MILLIS} per address, remembering the last
 * {@link #SOURCES} addresses only — bounded, whatever a spoofing client sends.
 */
public final class AuditLog {
    public static final String LOGGER = dev.pqdtls.DtlsServer.AUDIT_LOGGER;
    static final int LINES_PER_SECOND = 20;
    static final int SOURCES = 1024;
    static final long QUIET_MILLIS = 60_000;
    private static final int MAX_DETAIL = 400;
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final JsonFactory JSON = new JsonFactory();

    private final String server;
    private final Map<InetAddress, Long> recentSources = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Long> eldest) {
            return size() > SOURCES;
        }
    };
    private long windowStart = Long.MIN_VALUE;
    private int linesInWindow;
    private long suppressed;

    public AuditLog(InetSocketAddress server) {
        this.server = hostPort(server);
    }

    /** A ClientHello refused with an alert before any state (unproven source), or a handshake that failed. */
    public void handshakeFailed(InetSocketAddress peer, DtlsAlert alert, String detail, boolean unproven, long nowMillis) {
        write("handshake_failed", peer, alert, detail, null, null, unproven, nowMillis);
    }

    public void cookieRejected(InetSocketAddress peer, CookieIssuer.Rejection why, long nowMillis) {
        write("cookie_rejected", peer, null, switch (why) {
            case FORGED -> "cookie does not verify: forged, altered, for another address or from a retired secret";
            case EXPIRED -> "cookie expired";
            case MALFORMED -> "not a cookie of this server";
        }, null, null, true, nowMillis);
    }

    public void rateLimited(InetSocketAddress peer, Limit limit, boolean unproven, long nowMillis) {
        write("rate_limited", peer, null, "new handshake not admitted; the client gets no answer", null,
                limit.name().toLowerCase(Locale.ROOT), unproven, nowMillis);
    }

    /** The peer's certificate was rejected; {@code subject} is its leaf's subject (null if none was sent). */
    public void certificateRejected(InetSocketAddress peer, String subject, DtlsAlert alert, String detail, long nowMillis) {
        write("certificate_rejected", peer, alert, detail, subject, null, false, nowMillis);
    }

    /** An AEAD key reached its usage or forgery limit (RFC 9147 §4.5.3) and the connection ended. */
    public void aeadLimit(InetSocketAddress peer, String limit, String detail, long nowMillis) {
        write("aead_limit", peer, DtlsAlert.INTERNAL_ERROR, detail, null, limit, false, nowMillis);
    }

    public void idleTimeout(InetSocketAddress peer, String detail, long nowMillis) {
        write("idle_timeout", peer, null, detail, null, null, false, nowMillis);
    }

    private synchronized void write(String event, InetSocketAddress peer, DtlsAlert alert, String detail,
            String subject, String limit, boolean unproven, long nowMillis) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        if (unproven) {
            Long last = recentSources.get(peer.getAddress());
            if (last != null && nowMillis - last < QUIET_MILLIS) {
                return;
            }
            recentSources.put(peer.getAddress(), nowMillis);
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
        LOG.info(json(event, peer, alert, detail, subject, limit));
        suppressed = 0;
    }

    private String json(String event, InetSocketAddress peer, DtlsAlert alert, String detail, String subject,
            String limit) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("event", event);
            g.writeStringField("server", server);
            g.writeStringField("peer", hostPort(peer));
            g.writeStringField("alert", alert == null ? null : alert.name().toLowerCase(Locale.ROOT));
            g.writeStringField("detail", detail == null || detail.length() <= MAX_DETAIL ? detail
                    : detail.substring(0, MAX_DETAIL) + "...");
            if (subject != null) {
                g.writeStringField("subject", subject);
            }
            if (limit != null) {
                g.writeStringField("limit", limit);
            }
            if (suppressed > 0) {
                g.writeNumberField("suppressed", suppressed);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** {@code HOST:PORT} with the numeric address ({@code [v6]:PORT}), as logs and metric tags show it. */
    public static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
