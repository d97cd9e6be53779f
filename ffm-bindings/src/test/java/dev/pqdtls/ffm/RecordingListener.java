package dev.pqdtls.ffm;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsException;
import dev.pqdtls.DtlsServerListener;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A server listener that echoes every datagram and records each event as a line, with its thread. */
class RecordingListener implements DtlsServerListener {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final BlockingQueue<String> threads = new LinkedBlockingQueue<>();
    volatile DtlsConnection last;

    private void record(String event) {
        threads.add(Thread.currentThread().getName());
        events.add(event);
    }

    @Override
    public void onConnected(DtlsConnection connection) {
        last = connection;
        record("connected");
    }

    @Override
    public void onDatagrams(DtlsConnection connection, List<byte[]> datagrams) {
        for (byte[] d : datagrams) {
            record("datagram " + new String(d, StandardCharsets.UTF_8));
            try {
                connection.send(d);
            } catch (java.io.IOException e) {
                record("send failed " + e);
            }
        }
    }

    @Override
    public void onClosed(DtlsConnection connection, DtlsException reason) {
        record("closed " + reason.alert() + (reason.fromPeer() ? " by peer" : " here"));
    }

    @Override
    public void onHandshakeFailed(InetSocketAddress peer, DtlsAlert alert, String reason) {
        record("handshake failed " + alert);
    }

    /** The next event, failing after {@code timeout}. */
    String next(Duration timeout) throws InterruptedException {
        String e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + timeout);
        }
        return e;
    }
}
