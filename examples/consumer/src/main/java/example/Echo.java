package example;

import dev.pqdtls.DtlsClient;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsConnection;
import dev.pqdtls.DtlsServer;
import dev.pqdtls.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A DTLS 1.3 echo server and a client in one process, over UDP on the loopback interface. */
public final class Echo {
    public static void main(String[] args) throws Exception {
        // Tests and demos: a fresh self-signed certificate for "localhost", no files needed. Real servers
        // load theirs: .certificate(Path.of("cert.pem"), Path.of("key.pk8.pem")) (PEM chain, PKCS#8 key).
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");

        // Server: one UDP socket, many clients; a new client proves its address with a stateless cookie first.
        DtlsConfig serverConfig = DtlsConfig.builder()
                .certificate(cert.chain(), cert.privateKey())
                .build();
        try (DtlsServer server = DtlsServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig)) {
            Thread echo = new Thread(() -> {
                try (DtlsConnection c = server.accept(Duration.ofSeconds(30)).orElseThrow()) {
                    c.send(c.receive());                          // one datagram back: authentic and fresh
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            echo.start();

            // Client: X25519MLKEM768 by default; trusts exactly the server's certificate and checks its name.
            DtlsConfig clientConfig = DtlsConfig.builder()
                    .trustedCertificates(cert.chain())            // real clients: .trustedCertificates(Path.of("ca.pem"))
                    .serverName("localhost")
                    .build();
            try (DtlsConnection c = DtlsClient.connect(server.localAddress(), clientConfig)) {
                System.out.println(c.session().summary());        // handshake: version=DTLSv1.3 ... backend=ffm ...
                c.send("hello".getBytes(StandardCharsets.UTF_8));
                byte[] reply = c.receive(Duration.ofSeconds(5)).orElseThrow();
                System.out.println("echo: " + new String(reply, StandardCharsets.UTF_8));
            }
            echo.join();
        }
    }
}
