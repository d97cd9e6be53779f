package dev.pqdtls;

import dev.pqdtls.internal.text.Display;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a completed handshake negotiated.
 *
 * @param protocol always {@code DTLSv1.3}
 * @param helloRetryRequest whether the handshake took a HelloRetryRequest (cookie or group change)
 * @param connectionIds whether records carry connection IDs (RFC 9146)
 * @param backend the crypto backend that ran the handshake and protects records
 */
public record SessionInfo(String protocol, CipherSuite cipherSuite, NamedGroup group, String backend,
        InetSocketAddress peer, List<X509Certificate> peerCertificates, boolean helloRetryRequest,
        boolean connectionIds) {

    public SessionInfo {
        peerCertificates = List.copyOf(peerCertificates);
    }

    /**
     * The one-line summary the CLI prints after each handshake, e.g. {@code handshake: version=DTLSv1.3
     * suite=TLS_AES_128_GCM_SHA256 group=X25519MLKEM768 backend=ffm peer=[::1]:4433}.
     */
    public String summary() {
        return "handshake: version=" + protocol + " suite=" + cipherSuite.name() + " group=" + group.displayName()
                + " backend=" + backend + " peer=" + Display.address(peer);
    }
}
