package dev.pqdtls.internal.server;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.ServerMetrics.DropReason;
import dev.pqdtls.ServerMetrics.Limit;
import dev.pqdtls.internal.engine.ServerConnection;
import dev.pqdtls.internal.engine.StatelessReplies;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.recordlayer.ContentType;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import dev.pqdtls.internal.reliability.MessageReassembler;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.spi.CryptoBackend;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The server's front door for datagrams from addresses without a connection (RFC 9147 §5.1). It
 * answers a ClientHello with a stateless cookie HelloRetryRequest when the policy asks for one, and
 * creates a connection only for a ClientHello whose cookie proves the client's address, so no key
 * exchange runs and no connection state exists for spoofed sources.
 *
 * <p>It applies the server's {@link Admission} limits: beyond a server-wide cap it answers nothing, not
 * even a cookie; a ClientHello with a valid cookie (or none, where none is demanded) is admitted only
 * within every limit, else dropped without an answer. Everything it drops or refuses is counted
 * ({@link ServerCounters}) and the security-relevant part goes to the {@link AuditLog}.
 *
 * <p>The one thing kept before the cookie round trip is the reassembly of fragmented ClientHellos (a
 * hybrid one needs two datagrams): a fixed-size table, globally bounded in entries, bytes per entry
 * and age, in which the oldest entry gives way. It holds only public bytes and does no crypto.
 */
public final class ClientHelloGate {
    /** Largest ClientHello accepted; a hybrid one is about 1.5 KB. */
    static final int MAX_CLIENT_HELLO = 8 * 1024;
    /** Fragmented ClientHellos being reassembled at once, across all sources. */
    static final int MAX_PARTIAL_HELLOS = 512;
    /** How long fragments of an incomplete ClientHello are kept. */
    static final long PARTIAL_HELLO_MILLIS = 5_000;

    /** Makes the connection for an admitted client. */
    public interface ConnectionFactory {
        ServerConnection create(InetSocketAddress client, long nowMillis);
    }

    /** Told about every ClientHello refused with an alert (the server's listener). */
    public interface Refusals {
        void refused(InetSocketAddress client, DtlsAlert alert, String reason);
    }

    private final DtlsConfig config;
    private final CryptoBackend crypto;
    private final CookieIssuer cookies;
    private final Admission admission;
    private final ServerCounters counters;
    private final AuditLog audit;
    private final Refusals refusals;
    private final Map<InetSocketAddress, Partial> partials = new LinkedHashMap<>();

    private record Partial(MessageReassembler reassembler, long firstSeen, long recordSeq) {
    }

    public ClientHelloGate(DtlsConfig config, CryptoBackend crypto, CookieIssuer cookies, Admission admission,
            ServerCounters counters, AuditLog audit, Refusals refusals) {
        this.config = config;
        this.crypto = crypto;
        this.cookies = cookies;
        this.admission = admission;
        this.counters = counters;
        this.audit = audit;
        this.refusals = refusals;
    }

    /**
     * Handles a datagram from {@code from}: replies (through {@code reply}) with a HelloRetryRequest,
     * or returns the new connection that has processed the ClientHello (admitted: counted in the
     * {@link Admission}), or drops it.
     */
    public Optional<ServerConnection> onDatagram(ByteBuffer datagram, InetSocketAddress from, long nowMillis,
            ConnectionFactory factory, Consumer<ByteBuffer> reply) {
        return onDatagram(datagram, from, nowMillis, false, 0, factory, reply);
    }

    /**
     * As above; {@code proveAddress} demands the cookie round trip whatever the policy (a new
     * handshake from an address that has a live connection must prove it owns the address before it
     * may replace that connection); {@code liveHello} is {@link ServerConnection#clientHelloTag} of
     * that connection: a copy of the ClientHello that made it (resent by the client, delayed in the
     * network; its cookie still valid) is dropped instead of replacing what it made.
     */
    public Optional<ServerConnection> onDatagram(ByteBuffer datagram, InetSocketAddress from, long nowMillis,
            boolean proveAddress, long liveHello, ConnectionFactory factory, Consumer<ByteBuffer> reply) {
        expire(nowMillis);
        int pos = datagram.position();
        int end = datagram.limit();
        if (end - pos < StatelessReplies.PLAINTEXT_HEADER) {
            counters.dropped(DropReason.UNKNOWN_CONNECTION, 1); // not even one record header
            return Optional.empty();
        }
        while (end - pos >= StatelessReplies.PLAINTEXT_HEADER) {
            int type = datagram.get(pos) & 0xFF;
            int epoch = datagram.getShort(pos + 3) & 0xFFFF;
            long recordSeq = (datagram.getShort(pos + 5) & 0xFFFFL) << 32 | (datagram.getInt(pos + 7) & 0xFFFF_FFFFL);
            int length = datagram.getShort(pos + 11) & 0xFFFF;
            int contentEnd = pos + StatelessReplies.PLAINTEXT_HEADER + length;
            if (type != ContentType.HANDSHAKE || epoch != 0 || contentEnd > end) {
                counters.dropped(DropReason.UNKNOWN_CONNECTION, 1);
                return Optional.empty();
            }
            int f = pos + StatelessReplies.PLAINTEXT_HEADER;
            while (f < contentEnd) {
                HandshakeFragment frag = HandshakeFragment.parse(datagram, f, contentEnd);
                if (frag == null || frag.msgType() != HandshakeType.CLIENT_HELLO || frag.messageLength() > MAX_CLIENT_HELLO) {
                    counters.dropped(frag == null ? DropReason.MALFORMED : DropReason.UNKNOWN_CONNECTION, 1);
                    return Optional.empty();
                }
                f += frag.encodedLength();
                Optional<MessageReassembler.Message> hello = assemble(from, frag, recordSeq, nowMillis);
                if (hello.isPresent()) {
                    long firstRecord = partials.containsKey(from) ? partials.remove(from).recordSeq() : recordSeq;
                    return admit(hello.get(), firstRecord, from, nowMillis, proveAddress, liveHello, factory, reply);
                }
            }
            pos = contentEnd;
        }
        return Optional.empty();
    }

    private Optional<MessageReassembler.Message> assemble(InetSocketAddress from, HandshakeFragment frag, long recordSeq,
            long nowMillis) {
        Partial p = partials.get(from);
        if (p == null) {
            if (frag.fragmentOffset() == 0 && frag.fragmentLength() == frag.messageLength()) {
                // Unfragmented: nothing to keep.
                MessageReassembler single = new MessageReassembler(MAX_CLIENT_HELLO, frag.messageSeq());
                single.accept(frag);
                return single.poll();
            }
            if (partials.size() >= MAX_PARTIAL_HELLOS) {
                Iterator<InetSocketAddress> oldest = partials.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            p = new Partial(new MessageReassembler(MAX_CLIENT_HELLO, frag.messageSeq()), nowMillis, recordSeq);
            partials.put(from, p);
        }
        if (p.reassembler().accept(frag) == MessageReassembler.Outcome.DROPPED) {
            counters.dropped(DropReason.MALFORMED, 1);
        }
        return p.reassembler().poll();
    }

    private Optional<ServerConnection> admit(MessageReassembler.Message hello, long recordSeq, InetSocketAddress from,
            long nowMillis, boolean proveAddress, long liveHello, ConnectionFactory factory, Consumer<ByteBuffer> reply) {
        byte[] body = hello.body();
        if (proveAddress && ServerConnection.clientHelloTag(body) == liveHello) {
            counters.dropped(DropReason.REPLAY, 1);
            return Optional.empty();
        }
        StatelessReplies.Hello parsed;
        try {
            parsed = StatelessReplies.parse(config, body);
        } catch (DecodeException e) {
            refuse(DtlsAlert.DECODE_ERROR, e.getMessage(), recordSeq, from, nowMillis, reply);
            return Optional.empty();
        } catch (DtlsException e) {
            refuse(e.alert(), e.getMessage(), recordSeq, from, nowMillis, reply);
            return Optional.empty();
        }
        Optional<byte[]> cookie = parsed.cookie();
        if (cookie.isPresent()) {
            CookieIssuer.Verification v = cookies.check(from, cookie.get());
            if (v.state().isEmpty()) {
                counters.cookiesRejected.increment();
                audit.cookieRejected(from, v.rejection(), nowMillis);
                return Optional.empty();
            }
            counters.cookiesVerified.increment();
            return start(from, nowMillis, true, factory).map(c -> {
                c.acceptClientHello(body, hello.messageSeq(), recordSeq, v.state().get(), cookie.get(), nowMillis);
                return c;
            });
        }
        Limit cap = admission.capReached();
        if (cap != null) {
            audit.rateLimited(from, cap, true, nowMillis); // beyond the caps: no answer at all
            return Optional.empty();
        }
        boolean wantCookie = proveAddress || switch (config.cookiePolicy()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case UNDER_LOAD -> admission.handshakesInProgress() >= config.cookieThreshold();
        };
        if (!wantCookie) {
            return start(from, nowMillis, false, factory).map(c -> {
                c.acceptClientHello(body, hello.messageSeq(), recordSeq, null, null, nowMillis);
                return c;
            });
        }
        StatelessReplies.sendHelloRetryRequest(parsed, crypto, cookies, from, hello.messageSeq(), recordSeq, config.mtu(),
                reply);
        counters.cookiesIssued.increment();
        return Optional.empty();
    }

    /** A new connection if the admission limits allow one for {@code from}; nothing (and no answer) otherwise. */
    private Optional<ServerConnection> start(InetSocketAddress from, long nowMillis, boolean proven,
            ConnectionFactory factory) {
        Limit refused = admission.tryStart(from.getAddress(), nowMillis);
        if (refused != null) {
            audit.rateLimited(from, refused, !proven, nowMillis);
            return Optional.empty();
        }
        counters.handshakesStarted.increment();
        return Optional.of(factory.create(from, nowMillis));
    }

    /**
     * Answers an unacceptable ClientHello with a fatal alert (RFC 8446 §4.1.1: handshake_failure when
     * nothing is in common), so the client fails at once instead of timing out. Stateless: the
     * 15-byte plaintext alert goes back in the epoch-0 record number the client used, and is far
     * below the 3× anti-amplification bound of RFC 9147 §5.1 (a ClientHello is at least 100 bytes).
     */
    private void refuse(DtlsAlert alert, String reason, long recordSeq, InetSocketAddress from, long nowMillis,
            Consumer<ByteBuffer> reply) {
        counters.handshakeFailed(alert);
        reply.accept(StatelessReplies.alert(alert, recordSeq));
        audit.handshakeFailed(from, alert, reason, true, nowMillis);
        refusals.refused(from, alert, reason);
    }

    private void expire(long nowMillis) {
        partials.values().removeIf(p -> nowMillis - p.firstSeen() > PARTIAL_HELLO_MILLIS);
    }
}
