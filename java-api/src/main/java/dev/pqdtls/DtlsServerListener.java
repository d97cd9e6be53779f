package dev.pqdtls;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Receives a server's events, as an alternative to {@link DtlsServer#accept} and
 * {@link DtlsConnection#receive}: give one to {@link DtlsServer#bind(InetSocketAddress, DtlsConfig,
 * DtlsServerListener)}. Every method has an empty default; implement what you need.
 *
 * <p><b>Threading.</b> Callbacks run on the event loop that owns the connection, one at a time per
 * connection and in order: {@code onConnected}, then {@code onDatagrams}, then {@code onClosed}. They
 * must not block — the loop serves every other client of its socket meanwhile. Sending from a callback
 * ({@link DtlsConnection#send}) is fine. Code that blocks (a database, a slow disk) sets
 * {@link DtlsConfig.Builder#callbackExecutor}: the callbacks then run on that executor, still in order
 * per connection. A callback that throws is logged and does not harm the server.
 */
public interface DtlsServerListener {

    /** A client completed its handshake; the connection is ready for {@link DtlsConnection#send}. */
    default void onConnected(DtlsConnection connection) {
    }

    /** One authentic application datagram arrived on {@code connection}. */
    default void onDatagram(DtlsConnection connection, byte[] datagram) {
    }

    /**
     * The application datagrams that arrived on {@code connection} in one receive batch, in order. The
     * default hands each to {@link #onDatagram}; override it to process a batch at once (the list is
     * yours to keep).
     */
    default void onDatagrams(DtlsConnection connection, List<byte[]> datagrams) {
        for (byte[] d : datagrams) {
            onDatagram(connection, d);
        }
    }

    /**
     * The connection ended: {@code reason.alert()} is {@link DtlsAlert#CLOSE_NOTIFY} for an orderly
     * close (by the peer when {@code reason.fromPeer()}, else by this side: the application, the idle
     * timeout or the server's shutdown), any other alert for a failure. The message says which.
     */
    default void onClosed(DtlsConnection connection, DtlsException reason) {
    }

    /**
     * A handshake with {@code peer} failed, or its ClientHello was refused at once (for example
     * {@link DtlsAlert#HANDSHAKE_FAILURE} when nothing in it is acceptable). Not called for datagrams
     * the server ignores without answering (bad cookies, admission limits): those are counted in
     * {@link DtlsServer#metrics()}.
     */
    default void onHandshakeFailed(InetSocketAddress peer, DtlsAlert alert, String reason) {
    }
}
