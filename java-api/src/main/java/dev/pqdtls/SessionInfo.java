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
 * @param group the key-exchange group, or null for a PSK handshake without one ({@code PSK_KE})
 * @param backend the crypto backend that ran the handshake and protects records
 * @param peerCertificates the peer's chain as verified, end-entity first; on a resumed session, as
 *     verified when the ticket was issued (a server keeps only the client's end-entity certificate);
 *     empty when it sent none, authenticated with a raw public key or with an external PSK
 * @param authentication how the peer was authenticated
 * @param peerPublicKey the key the peer authenticated with (its end-entity certificate's or its raw
 *     public key, RFC 7250), or null when it did not authenticate with one (a client without a
 *     certificate, an external PSK)
 */
public record SessionInfo(String protocol, CipherSuite cipherSuite, NamedGroup group, String backend,
        InetSocketAddress peer, List<X509Certificate> peerCertificates, boolean helloRetryRequest,
        boolean connectionIds, Authentication authentication, PublicKey peerPublicKey) {

    /** How a handshake authenticated the peer. */
    public enum Authentication {
        /** Certificates (or a raw public key) and a signature over the handshake. */
        CERTIFICATE,
        /** A session ticket from an earlier certificate handshake (RFC 8446 §2.2). */
        RESUMPTION,
        /** An external pre-shared key ({@link DtlsConfig.Builder#preSharedKeys}). */
        PRE_SHARED_KEY
    }

    /** Whether the session was resumed with a ticket instead of a full handshake. */
    public boolean resumed() {
        return authentication == Authentication.RESUMPTION;
    }

    /** The peer's key defaults to its end-entity certificate's. */
    public SessionInfo {
        peerCertificates = List.copyOf(peerCertificates);
        if (peerPublicKey == null && !peerCertificates.isEmpty()) {
            peerPublicKey = peerCertificates.get(0).getPublicKey();
        }
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
     * suite=TLS_AES_128_GCM_SHA256 group=X25519MLKEM768 backend=ffm peer=[::1]:4433 resumed=no}, with
     * {@code auth=psk} at the end for an external pre-shared key.
     */
    public String summary() {
        return "handshake: version=" + protocol + " suite=" + cipherSuite.name() + " group=" + (group == null ? "none" : group.displayName())
                + " backend=" + backend + " peer=" + Display.address(peer) + " resumed=" + (resumed() ? "yes" : "no")
                + (authentication == Authentication.PRE_SHARED_KEY ? " auth=psk" : "");
    }
}
