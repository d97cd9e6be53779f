package dev.pqdtls.nativeabi.testing;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.fallback.auth.TestPki;
import dev.pqdtls.spi.CryptoBackend;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Base of the suites every native backend runs (ffm on JDK 22+, jna on JDK 17+): a subclass names its
 * backend, and the suites' parameter lists say {@code "native"} where that backend goes, next to
 * {@code "fallback"} (so every case also runs mixed).
 */
public abstract class NativeBackendSuite {
    /** The placeholder for the backend under test in parameter lists. */
    protected static final String NATIVE = "native";

    /** A CA and a localhost server certificate it issued. */
    protected static final TestPki.Pki PKI = TestPki.quickServer();
    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** A new instance of the backend under test. */
    protected abstract CryptoBackend nativeBackend();

    /** The backend name to configure: {@code "native"} becomes the backend under test's name. */
    protected final String resolve(String name) {
        return name.equals(NATIVE) ? nativeBackend().name() : name;
    }

    /** A server on an ephemeral loopback port with {@link #PKI}'s certificate on {@code backend}. */
    protected final DtlsServer server(String backend, DtlsConfig.Builder extra) throws Exception {
        return DtlsServer.bind(new InetSocketAddress("127.0.0.1", 0),
                extra.certificate(PKI.leaf().chain(), PKI.leaf().privateKey()).backend(resolve(backend)).build());
    }

    /** A client configuration trusting {@link #PKI} on {@code backend}, retransmitting after 200 ms. */
    protected final DtlsConfig.Builder client(String backend) {
        return DtlsConfig.builder().trustedCertificates(List.of(PKI.ca().certificate())).serverName("localhost")
                .backend(resolve(backend)).initialRetransmitTimeout(Duration.ofMillis(200));
    }
}
