package dev.pqdtls;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a client keeps the session tickets servers send it, to resume with them later
 * ({@link DtlsConfig.Builder#sessionCache}). Keyed by the server's name and port. A ticket is taken
 * out when it is offered: a client should not offer one ticket twice (RFC 8446 §C.4), and a server
 * usually sends a fresh one in each resumed session. Implementations must be thread-safe.
 */
public interface SessionCache {
    /** Tickets kept per server by {@link #inMemory}. */
    int TICKETS_PER_SERVER = 4;

    /** Keeps a ticket the server {@code server} sent. */
    void put(String server, SessionTicket ticket);

    /** Removes and returns the newest unexpired ticket for {@code server}, if any. */
    Optional<SessionTicket> take(String server, long nowMillis);

    /**
     * A bounded cache in this process's memory: at most {@code servers} servers (the least recently
     * used goes first) and {@value #TICKETS_PER_SERVER} tickets each.
     */
    static SessionCache inMemory(int servers) {
        if (servers < 1) {
            throw new IllegalArgumentException("sessionCache: capacity must be at least 1 server, was " + servers);
        }
        return new SessionCache() {
            private final Map<String, Deque<SessionTicket>> byServer = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Deque<SessionTicket>> eldest) {
                    if (size() <= servers) {
                        return false;
                    }
                    eldest.getValue().forEach(SessionTicket::destroy);
                    return true;
                }
            };

            @Override
            public synchronized void put(String server, SessionTicket ticket) {
                Deque<SessionTicket> tickets = byServer.computeIfAbsent(server, s -> new ArrayDeque<>());
                tickets.addFirst(ticket);
                while (tickets.size() > TICKETS_PER_SERVER) {
                    tickets.removeLast().destroy();
                }
            }

            @Override
            public synchronized Optional<SessionTicket> take(String server, long nowMillis) {
                Deque<SessionTicket> tickets = byServer.get(server);
                if (tickets == null) {
                    return Optional.empty();
                }
                Optional<SessionTicket> found = Optional.empty();
                for (Iterator<SessionTicket> it = tickets.iterator(); it.hasNext(); ) {
                    SessionTicket t = it.next();
                    it.remove();
                    if (!t.expired(nowMillis)) {
                        found = Optional.of(t);
                        break;
                    }
                    t.destroy();
                }
                if (tickets.isEmpty()) {
                    byServer.remove(server);
                }
                return found;
            }
        };
    }
}
