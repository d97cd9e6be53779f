package dev.pqdtls.internal.engine;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.DtlsException;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.PreSharedKey;
import dev.pqdtls.internal.handshake.ClientHello;
import dev.pqdtls.internal.handshake.ExtensionCodec;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.handshake.ServerHello;
import dev.pqdtls.internal.psk.PskCodec;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.spi.HashAlgorithm;
import java.util.List;
import java.util.Optional;

/**
 * What a server picks from a ClientHello (RFC 8446 §4.1.1): the first of its suites the client
 * offers (of the hash of an external PSK the client names, if there is one), and the first of its groups the client sent a key share for — or, failing that, the first
 * it supports, which costs a HelloRetryRequest. Shared by the stateless cookie responder and the
 * stateful server so both decide identically.
 *
 * @param keyShare the client's share for {@code group}, or empty when a retry must ask for it
 */
record Negotiation(CipherSuite suite, NamedGroup group, Optional<byte[]> keyShare) {
    /**
     * legacy_session_id_echo: always empty. DTLS 1.3 servers must not echo the client's, which a
     * client resuming a pre-1.3 session (wolfSSL's, for one) fills in (RFC 9147 §5).
     */
    static final byte[] NO_SESSION_ID = new byte[0];

    static Negotiation of(DtlsConfig config, ClientHello ch) throws DtlsException, DecodeException {
        if (ch.legacyCookie().length != 0) {
            throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false, "ClientHello carries a DTLS 1.2 legacy_cookie");
        }
        List<Integer> versions = ExtensionCodec.parseClientSupportedVersions(ch.extensions().get(ExtensionType.SUPPORTED_VERSIONS)
                .orElseThrow(() -> new DtlsException(DtlsAlert.PROTOCOL_VERSION, false, "client does not offer DTLS 1.3")));
        if (!versions.contains(ExtensionCodec.DTLS13)) {
            throw new DtlsException(DtlsAlert.PROTOCOL_VERSION, false, "client does not offer DTLS 1.3");
        }
        HashAlgorithm pskHash = externalPskHash(config, ch);
        CipherSuite suite = config.cipherSuites().stream().filter(s -> ch.cipherSuites().contains(s.codepoint()))
                .sorted(java.util.Comparator.comparing(s -> s.hash() != pskHash)).findFirst()
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
     * The hash of the first of our external PSKs the client names, or null: a suite of that hash
     * goes first, so that the key can be used (RFC 8446 §4.2.11). Identities only, no crypto: the
     * stateless cookie responder decides the same way.
     */
    private static HashAlgorithm externalPskHash(DtlsConfig config, ClientHello ch) throws DecodeException {
        Optional<byte[]> ext = ch.extensions().get(ExtensionType.PRE_SHARED_KEY);
        if (ext.isEmpty() || config.preSharedKeys().isEmpty()) {
            return null;
        }
        for (PskCodec.Identity offered : PskCodec.parseClientPsks(ext.get()).identities()) {
            Optional<PreSharedKey> k = ServerPsk.externalKey(config, offered.identity());
            if (k.isPresent()) {
                return k.get().hash();
            }
        }
        return null;
    }

    /**
     * The HelloRetryRequest body. Deterministic, so a stateless server can rebuild it byte for byte
     * from the cookie the client echoes (RFC 8446 §4.4.1 needs it in the transcript).
     *
     * @param group the group to ask for, or null to keep the client's
     * @param cookie the cookie to send, or null
     */
    static byte[] helloRetryRequest(CipherSuite suite, NamedGroup group, byte[] cookie) {
        Extensions.Builder ext = new Extensions.Builder()
                .add(ExtensionType.SUPPORTED_VERSIONS, ExtensionCodec.serverSupportedVersion());
        if (group != null) {
            ext.add(ExtensionType.KEY_SHARE, ExtensionCodec.selectedGroup(group.codepoint()));
        }
        if (cookie != null) {
            ext.add(ExtensionType.COOKIE, ExtensionCodec.cookie(cookie));
        }
        return new ServerHello(ClientHello.DTLS12, ServerHello.HELLO_RETRY_REQUEST_RANDOM, NO_SESSION_ID,
                suite.codepoint(), ext.build()).encode();
    }
}
