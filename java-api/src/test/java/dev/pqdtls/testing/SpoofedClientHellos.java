package dev.pqdtls.testing;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionCodec;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.internal.reliability.HandshakeFragment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A flood of ClientHellos from many source addresses, as an attacker spoofing them would send: one UDP
 * socket per address, bound to 127.77.x.y (Linux routes all of 127.0.0.0/8 to loopback, so any of
 * these addresses can be bound without configuration), each sending first ClientHellos and never
 * answering. The sockets do receive, so the bytes the server sends to these unverified addresses can
 * be counted against the bytes they sent it (the anti-amplification bound of RFC 9147 §5.1 is 3×).
 *
 * <p>Each ClientHello is the smallest one a server answers with a HelloRetryRequest rather than an
 * alert — a hybrid group without a key share, one suite, one signature scheme, a fresh random — so the
 * ratio measured is the worst an attacker gets from the cookie exchange. Sending is paced to a target
 * rate, in bursts, round-robin over the addresses.
 */
public final class SpoofedClientHellos implements AutoCloseable {
    /** Totals as they stand; {@code maxAddressRatio} is the largest bytes-in / bytes-out of one address. */
    public record Counts(long sent, long bytesSent, long received, long bytesReceived, double maxAddressRatio) {
        /** Bytes the server sent these addresses per byte they sent it. */
        public double amplification() {
            return bytesSent == 0 ? 0 : (double) bytesReceived / bytesSent;
        }
    }

    private static final int BURST = 32;
    private final InetSocketAddress server;
    private final int perSecond;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final AtomicLongArray bytesOut;
    private final AtomicLongArray bytesIn;
    private final AtomicLongArray datagramsOut;
    private final AtomicLongArray datagramsIn;
    private final Selector selector;
    private final Thread sender;
    private final Thread receiver;
    private volatile boolean sending = true;
    private volatile boolean closed;

    /**
     * Binds {@code addresses} sockets (at most 62,500) and starts sending {@code perSecond} ClientHellos
     * per second to {@code server} in all, until {@link #close()}.
     */
    public SpoofedClientHellos(InetSocketAddress server, int addresses, int perSecond) throws IOException {
        if (addresses < 1 || addresses > 62_500 || perSecond < 1) {
            throw new IllegalArgumentException("addresses in [1, 62500] and a positive rate, got " + addresses + ", " + perSecond);
        }
        this.server = server;
        this.perSecond = perSecond;
        this.bytesOut = new AtomicLongArray(addresses);
        this.bytesIn = new AtomicLongArray(addresses);
        this.datagramsOut = new AtomicLongArray(addresses);
        this.datagramsIn = new AtomicLongArray(addresses);
        this.selector = Selector.open();
        try {
            for (int i = 0; i < addresses; i++) {
                DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
                channels.add(ch);
                ch.bind(new InetSocketAddress(address(i), 0));
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, i);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        sender = new Thread(this::send, "spoofed-client-hellos-send");
        receiver = new Thread(this::receive, "spoofed-client-hellos-receive");
        sender.setDaemon(true);
        receiver.setDaemon(true);
        receiver.start();
        sender.start();
    }

    /** The source address of socket {@code i}: 127.77.x.y. */
    public static InetAddress address(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 77, (byte) (i / 250 + 1), (byte) (i % 250 + 1)});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The smallest first ClientHello a server answers with a cookie: one DTLSPlaintext record. */
    public static byte[] clientHello(Random random) {
        byte[] clientRandom = new byte[32];
        random.nextBytes(clientRandom);
        Extensions ext = new Extensions.Builder()
                .add(ExtensionType.SUPPORTED_VERSIONS, ExtensionCodec.clientSupportedVersions())
                .add(ExtensionType.SUPPORTED_GROUPS, ExtensionCodec.uint16List(List.of(NamedGroup.X25519_MLKEM768.codepoint())))
                .add(ExtensionType.SIGNATURE_ALGORITHMS, ExtensionCodec.uint16List(
                        List.of(SignatureScheme.ECDSA_SECP256R1_SHA256.codepoint())))
                .add(ExtensionType.KEY_SHARE, ExtensionCodec.clientKeyShares(List.of()))
                .build();
        byte[] body = new ClientHello(ClientHello.DTLS12, clientRandom, new byte[0], new byte[0],
                List.of(CipherSuite.TLS_AES_128_GCM_SHA256.codepoint()), ext).encode();
        ByteBuffer d = ByteBuffer.allocate(13 + HandshakeFragment.HEADER_LENGTH + body.length);
        d.put((byte) 22).putShort((short) 0xFEFD).putShort((short) 0).putShort((short) 0).putInt(0)
                .putShort((short) (HandshakeFragment.HEADER_LENGTH + body.length));
        HandshakeFragment.writeHeader(d, HandshakeType.CLIENT_HELLO, body.length, 0, 0, body.length);
        return d.put(body).array();
    }

    private void send() {
        Random random = new Random(77);
        long interval = TimeUnit.SECONDS.toNanos(1) * BURST / perSecond;
        long next = System.nanoTime();
        int i = 0;
        try {
            while (sending && !closed) {
                for (int b = 0; b < BURST && sending; b++, i = (i + 1) % channels.size()) {
                    byte[] hello = clientHello(random);
                    if (channels.get(i).send(ByteBuffer.wrap(hello), server) > 0) {
                        datagramsOut.incrementAndGet(i);
                        bytesOut.addAndGet(i, hello.length);
                    }
                }
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing to the target rate, not synchronisation
                } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                    next = System.nanoTime(); // fell behind: send as fast as we can, without catching up later
                }
            }
        } catch (IOException e) {
            if (!closed) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        try {
            while (!closed) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    int i = (Integer) key.attachment();
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    while (true) {
                        buf.clear();
                        if (ch.receive(buf) == null) {
                            break;
                        }
                        datagramsIn.incrementAndGet(i);
                        bytesIn.addAndGet(i, buf.position());
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed: the generator ends
        }
    }

    public Counts counts() {
        long sent = 0;
        long out = 0;
        long received = 0;
        long in = 0;
        double max = 0;
        for (int i = 0; i < bytesOut.length(); i++) {
            sent += datagramsOut.get(i);
            out += bytesOut.get(i);
            received += datagramsIn.get(i);
            in += bytesIn.get(i);
            if (bytesOut.get(i) > 0) {
                max = Math.max(max, (double) bytesIn.get(i) / bytesOut.get(i));
            }
        }
        return new Counts(sent, out, received, in, max);
    }

    /** Stops sending; the sockets keep receiving until {@link #close()}, so late answers are counted. */
    public void stopSending() throws InterruptedException {
        sending = false;
        sender.join(5_000);
    }

    @Override
    public void close() {
        sending = false;
        closed = true;
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (DatagramChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
