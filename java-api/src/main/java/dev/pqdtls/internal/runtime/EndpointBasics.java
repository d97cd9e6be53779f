package dev.pqdtls.internal.runtime;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.internal.auth.LocalCredentials;
import dev.pqdtls.internal.auth.PeerAuthenticator;
import dev.pqdtls.internal.auth.PublicKeyPins;
import dev.pqdtls.internal.backend.BackendSelector;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.DatagramTransport;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What every connection of an endpoint shares, resolved once when the endpoint opens (never per
 * handshake): the configuration, the crypto backend, our credentials and the peer authenticator.
 */
record EndpointBasics(DtlsConfig config, CryptoBackend crypto, LocalCredentials credentials,
        PeerAuthenticator authenticator) {

    /**
     * What client endpoints made from one configuration share: a one-off {@code DtlsClient.connect}
     * per connection must not select a backend or load the JDK's trust store every time. The values
     * do not refer to their configuration, so an entry goes when the configuration does.
     */
    private static final Map<DtlsConfig, EndpointBasics> CLIENTS = new WeakHashMap<>();

    static EndpointBasics forClient(DtlsConfig config) {
        synchronized (CLIENTS) {
            EndpointBasics shared = CLIENTS.get(config);
            if (shared == null) {
                EndpointBasics made = of(config, false);
                shared = new EndpointBasics(null, made.crypto(), made.credentials(), made.authenticator());
                CLIENTS.put(config, shared);
            }
            return new EndpointBasics(config, shared.crypto(), shared.credentials(), shared.authenticator());
        }
    }

    static EndpointBasics of(DtlsConfig config, boolean server) {
        // The configuration wins; without it -Dpqdtls.backend, then the best usable backend.
        CryptoBackend crypto = (config.backend().isPresent() ? BackendSelector.select(config.backend())
                : BackendSelector.select()).backend();
        LocalCredentials credentials = config.rawPublicKey().isPresent() ? LocalCredentials.rawPublicKey(config.rawPublicKey().get())
                : config.certificateChain().isEmpty() ? null
                : LocalCredentials.of(config.certificateChain(), config.privateKey().get());
        return new EndpointBasics(config, crypto, credentials, authenticator(config, server));
    }

    private static PeerAuthenticator authenticator(DtlsConfig config, boolean server) {
        if (config.insecureTrustAll()) {
            return PeerAuthenticator.insecure();
        }
        PublicKeyPins pins = PublicKeyPins.parse("pinnedPublicKeys", config.pinnedPublicKeys());
        if (config.pinMode() == DtlsConfig.PinMode.INSTEAD_OF_CHAIN) {
            return PeerAuthenticator.pinnedOnly(pins);
        }
        if (!config.trustedCertificates().isEmpty()) {
            return PeerAuthenticator.builder().trustAnchors(config.trustedCertificates()).pins(pins).build();
        }
        if (server && config.clientAuth() != DtlsConfig.ClientAuth.NONE) {
            throw new IllegalArgumentException("clientAuth " + config.clientAuth()
                    + " needs DtlsConfig.trustedCertificates(...) to verify client certificates, or pinnedPublicKeys "
                    + "with PinMode.INSTEAD_OF_CHAIN to accept pinned client keys");
        }
        return server ? PeerAuthenticator.insecure() : PeerAuthenticator.builder().trustJdkDefaults().pins(pins).build();
    }

    /** Socket options from the configuration; a server's receive buffer defaults to 4 MiB. */
    DatagramTransport.Options transportOptions(boolean server, boolean reusePort) {
        int receiveBuffer = config.socketReceiveBufferSize() == 0 && server ? DtlsConfig.SERVER_RECEIVE_BUFFER
                : config.socketReceiveBufferSize();
        return new DatagramTransport.Options(receiveBuffer, config.socketSendBufferSize(), reusePort, config.udpOffload());
    }
}
