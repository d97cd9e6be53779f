package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionCodec;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.handshake.ServerHello;
import dev.pqdtls.internal.wire.DecodeException;
import java.util.List;
import java.util.Optional;

/**
 * What a server picks from a ClientHello (RFC 8446 §4.1.1): the first of its suites the client
 * offers, and the first of its groups the client sent a key share for — or, failing that, the first
 * it supports, which costs a HelloRetryRequest. Shared by the stateless cookie responder and the
 * stateful server so both decide identically.
 *
 * @param keyShare the client's share for {@code group}, or empty when a retry must ask for it
 */
record Negotiation(CipherSuite suite, NamedGroup group, Optional<byte[]> keyShare) {

    static Negotiation of(DtlsConfig config, ClientHello ch) throws DtlsException, DecodeException {
        if (ch.legacyCookie().length != 0) {
            throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false, "ClientHello carries a DTLS 1.2 legacy_cookie");
        }
        List<Integer> versions = ExtensionCodec.parseClientSupportedVersions(ch.extensions().get(ExtensionType.SUPPORTED_VERSIONS)
                .orElseThrow(() -> new DtlsException(DtlsAlert.PROTOCOL_VERSION, false, "client does not offer DTLS 1.3")));
        if (!versions.contains(ExtensionCodec.DTLS13)) {
            throw new DtlsException(DtlsAlert.PROTOCOL_VERSION, false, "client does not offer DTLS 1.3");
        }
        CipherSuite suite = config.cipherSuites().stream().filter(s -> ch.cipherSuites().contains(s.codepoint())).findFirst()
                .orElseThrow(() -> new DtlsException(DtlsAlert.HANDSHAKE_FAILURE, false,
                        "no cipher suite in common; we allow " + config.cipherSuites()));
        List<Integer> groups = ExtensionCodec.parseUint16List(ch.extensions().get(ExtensionType.SUPPORTED_GROUPS)
                .orElseThrow(() -> new DtlsException(DtlsAlert.MISSING_EXTENSION, false, "ClientHello lacks supported_groups")),
                "supported_groups");
        List<ExtensionCodec.KeyShareEntry> shares = ExtensionCodec.parseClientKeyShares(ch.extensions().get(ExtensionType.KEY_SHARE)
                .orElseThrow(() -> new DtlsException(DtlsAlert.MISSING_EXTENSION, false, "ClientHello lacks key_share")));
        if (!ch.extensions().has(ExtensionType.SIGNATURE_ALGORITHMS)) {
            throw new DtlsException(DtlsAlert.MISSING_EXTENSION, false, "ClientHello lacks signature_algorithms");
        }
        for (NamedGroup g : config.groups()) {
            for (ExtensionCodec.KeyShareEntry e : shares) {
                if (e.group() == g.codepoint() && groups.contains(g.codepoint())) {
                    return new Negotiation(suite, g, Optional.of(e.keyExchange()));
                }
            }
        }
        for (NamedGroup g : config.groups()) {
            if (groups.contains(g.codepoint())) {
                return new Negotiation(suite, g, Optional.empty());
            }
        }
        throw new DtlsException(DtlsAlert.HANDSHAKE_FAILURE, false, "no key-exchange group in common; we allow " + config.groups());
    }

    /**
     * The HelloRetryRequest body. Deterministic, so a stateless server can rebuild it byte for byte
     * from the cookie the client echoes (RFC 8446 §4.4.1 needs it in the transcript).
     *
     * @param group the group to ask for, or null to keep the client's
     * @param cookie the cookie to send, or null
     */
    static byte[] helloRetryRequest(byte[] sessionIdEcho, CipherSuite suite, NamedGroup group, byte[] cookie) {
        Extensions.Builder ext = new Extensions.Builder()
                .add(ExtensionType.SUPPORTED_VERSIONS, ExtensionCodec.serverSupportedVersion());
        if (group != null) {
            ext.add(ExtensionType.KEY_SHARE, ExtensionCodec.selectedGroup(group.codepoint()));
        }
        if (cookie != null) {
            ext.add(ExtensionType.COOKIE, ExtensionCodec.cookie(cookie));
        }
        return new ServerHello(ClientHello.DTLS12, ServerHello.HELLO_RETRY_REQUEST_RANDOM, sessionIdEcho,
                suite.codepoint(), ext.build()).encode();
    }
}
