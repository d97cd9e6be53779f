package dev.pqdtls;

import dev.pqdtls.internal.engine.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;

/** Opens DTLS 1.3 client connections. */
public final class DtlsClient {
    private DtlsClient() {
    }

    /**
     * Connects to {@code server} and completes the handshake, blocking for at most
     * {@link DtlsConfig#handshakeTimeout()}.
     *
     * @throws DtlsException if the handshake fails (its alert says why) or times out
     * @throws IllegalStateException if no crypto backend is usable (the message says why)
     */
    public static DtlsConnection connect(InetSocketAddress server, DtlsConfig config) throws IOException {
        return Endpoint.connect(server, config);
    }
}
