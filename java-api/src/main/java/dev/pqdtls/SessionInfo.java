package dev.pqdtls;

import dev.pqdtls.internal.text.Display;
import dev.pqdtls.internal.auth.PublicKeyPins;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a completed handshake negotiated.
 *
 * @param protocol always {@code DTLSv1.3}
 * @param helloRetryRequest whether the handshake took a HelloRetryRequest (cookie or group change)
 * @param connectionIds whether records carry connection IDs (RFC 9146)
 * @param backend the crypto backend that ran the handshake and protects records
 * @param peerCertificates the peer's certificate chain, end-entity first; empty when it sent none or
 *     authenticated with a raw public key
 * @param peerPublicKey the key the peer authenticated with (its end-entity certificate's or its raw
 *     public key, RFC 7250), or null when it did not authenticate (a client without a certificate)
 */
public record SessionInfo(String protocol, CipherSuite cipherSuite, NamedGroup group, String backend,
        InetSocketAddress peer, List<X509Certificate> peerCertificates, boolean helloRetryRequest,
        boolean connectionIds, PublicKey peerPublicKey) {

    public SessionInfo {
        peerCertificates = List.copyOf(peerCertificates);
        if (peerPublicKey == null && !peerCertificates.isEmpty()) {
            peerPublicKey = peerCertificates.get(0).getPublicKey();
        }
    }

    /** As the canonical constructor, with the peer's key taken from its end-entity certificate. */
    public SessionInfo(String protocol, CipherSuite cipherSuite, NamedGroup group, String backend,
            InetSocketAddress peer, List<X509Certificate> peerCertificates, boolean helloRetryRequest,
            boolean connectionIds) {
        this(protocol, cipherSuite, group, backend, peer, peerCertificates, helloRetryRequest, connectionIds, null);
    }

    /**
     * The pin of {@link #peerPublicKey()} ({@code sha256/<base64>}, as {@link DtlsConfig.Builder#pinnedPublicKeys}
     * takes it), or empty when the peer did not authenticate.
     */
    public Optional<String> peerPublicKeyPin() {
        return Optional.ofNullable(peerPublicKey).map(PublicKeyPins::pin);
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
