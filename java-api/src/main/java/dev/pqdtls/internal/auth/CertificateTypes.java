package dev.pqdtls.internal.auth;

import dev.pqdtls.DtlsAlert;
import dev.pqdtls.DtlsException;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Raw public keys (RFC 7250): which certificate type each side presents, negotiated with the
 * client_certificate_type and server_certificate_type extensions (ClientHello, answered in
 * EncryptedExtensions, RFC 8446 §4.2), and the Certificate entry that carries a DER
 * SubjectPublicKeyInfo instead of an X.509 certificate (RFC 8446 §4.4.2). A side presents a raw key
 * when its configuration has one ({@link LocalCredentials#isRawPublicKey()}); it accepts one only
 * when its peer authenticator checks pinned keys in place of a chain ({@link
 * PeerAuthenticator#acceptsRawPublicKeys()}): a raw key has no chain to validate.
 */
public final class CertificateTypes {
    /** CertificateType X509 (RFC 7250 §3, the default when the extension is absent). */
    public static final int X509 = 0;
    /** CertificateType RawPublicKey. */
    public static final int RAW_PUBLIC_KEY = 2;

    /** What a handshake negotiated: the type each side's Certificate carries, and what EE answers. */
    public record Choice(int server, int client, boolean answerServer, boolean answerClient) {
        /** No extension sent or answered: X.509 both ways. */
        public static final Choice DEFAULT = new Choice(X509, X509, false, false);

        public boolean serverRaw() {
            return server == RAW_PUBLIC_KEY;
        }

        public boolean clientRaw() {
            return client == RAW_PUBLIC_KEY;
        }

        /** The EncryptedExtensions body: the chosen types for the extensions the client sent. */
        public byte[] encryptedExtensions() {
            Extensions.Builder ee = new Extensions.Builder();
            if (answerClient) {
                ee.add(ExtensionType.CLIENT_CERTIFICATE_TYPE, new byte[] {(byte) client});
            }
            if (answerServer) {
                ee.add(ExtensionType.SERVER_CERTIFICATE_TYPE, new byte[] {(byte) server});
            }
            WireWriter w = new WireWriter();
            ee.build().write(w);
            return w.toByteArray();
        }
    }

    private CertificateTypes() {
    }

    /**
     * Client: adds to the ClientHello what it can present (only when it has a raw key; X.509 alone is
     * the default and is not sent, RFC 7250 §4.1) and what it accepts from the server (raw keys first
     * when its pins replace chain validation).
     */
    public static void offer(Extensions.Builder hello, LocalCredentials own, PeerAuthenticator peer) {
        if (own != null && own.isRawPublicKey()) {
            hello.add(ExtensionType.CLIENT_CERTIFICATE_TYPE, new byte[] {1, RAW_PUBLIC_KEY});
        }
        if (peer.acceptsRawPublicKeys()) {
            hello.add(ExtensionType.SERVER_CERTIFICATE_TYPE, new byte[] {2, RAW_PUBLIC_KEY, X509});
        }
    }

    /**
     * Server: picks the types from the ClientHello (RFC 7250 §4.2) — its own type if the client
     * accepts it, and for the client the first type in the client's list this server accepts.
     *
     * @param requestClientCertificate whether this server sends a CertificateRequest
     * @throws DtlsException unsupported_certificate when no type fits
     */
    public static Choice choose(Extensions hello, LocalCredentials own, PeerAuthenticator clientAuthenticator,
            boolean requestClientCertificate) throws DtlsException, DecodeException {
        int ownType = own.isRawPublicKey() ? RAW_PUBLIC_KEY : X509;
        boolean answerServer = hello.has(ExtensionType.SERVER_CERTIFICATE_TYPE);
        List<Integer> acceptedByClient = answerServer
                ? parseList(hello.get(ExtensionType.SERVER_CERTIFICATE_TYPE).get(), "server_certificate_type") : List.of(X509);
        if (!acceptedByClient.contains(ownType)) {
            throw new DtlsException(DtlsAlert.UNSUPPORTED_CERTIFICATE, false, "the client accepts server certificate "
                    + "types " + names(acceptedByClient) + " but this server presents " + name(ownType)
                    + (ownType == RAW_PUBLIC_KEY ? " (DtlsConfig rawPublicKey); the client must pin this server's key "
                            + "with PinMode.INSTEAD_OF_CHAIN" : ""));
        }
        int clientType = X509;
        boolean answerClient = requestClientCertificate && hello.has(ExtensionType.CLIENT_CERTIFICATE_TYPE);
        if (answerClient) {
            List<Integer> offered = parseList(hello.get(ExtensionType.CLIENT_CERTIFICATE_TYPE).get(), "client_certificate_type");
            clientType = -1;
            for (int t : offered) {
                if (t == X509 || (t == RAW_PUBLIC_KEY && clientAuthenticator.acceptsRawPublicKeys())) {
                    clientType = t;
                    break;
                }
            }
            if (clientType < 0) {
                throw new DtlsException(DtlsAlert.UNSUPPORTED_CERTIFICATE, false, "the client can present only "
                        + names(offered) + "; this server accepts a raw public key only with pinned client keys "
                        + "(pinnedPublicKeys with PinMode.INSTEAD_OF_CHAIN)");
            }
        }
        return new Choice(ownType, clientType, answerServer, answerClient);
    }

    /**
     * Client: the server's choice from EncryptedExtensions, which must be among the types offered.
     *
     * @throws DtlsException unsupported_extension for an answer to an extension not sent (RFC 8446
     *     §4.2), illegal_parameter for a type not offered
     */
    public static Choice accepted(Extensions encryptedExtensions, LocalCredentials own, PeerAuthenticator peer)
            throws DtlsException, DecodeException {
        int server = answer(encryptedExtensions, ExtensionType.SERVER_CERTIFICATE_TYPE, "server_certificate_type",
                peer.acceptsRawPublicKeys());
        int client = answer(encryptedExtensions, ExtensionType.CLIENT_CERTIFICATE_TYPE, "client_certificate_type",
                own != null && own.isRawPublicKey());
        return new Choice(server, client, false, false);
    }

    private static int answer(Extensions ee, int type, String what, boolean offered) throws DtlsException, DecodeException {
        if (!ee.has(type)) {
            return X509;
        }
        if (!offered) {
            throw new DtlsException(DtlsAlert.UNSUPPORTED_EXTENSION, false, "the server answered " + what
                    + ", which we did not offer");
        }
        WireReader r = new WireReader(ee.get(type).get());
        int chosen = r.uint8(what);
        r.finish(what);
        if (chosen != X509 && chosen != RAW_PUBLIC_KEY) {
            throw new DtlsException(DtlsAlert.ILLEGAL_PARAMETER, false, "the server chose " + what + " " + name(chosen)
                    + ", which we did not offer");
        }
        return chosen;
    }

    /**
     * The public key in a raw-public-key Certificate message: exactly one entry, a DER
     * SubjectPublicKeyInfo of a key type pqdtls verifies with.
     *
     * @throws CertificateRejectedException bad_certificate (or certificate_required when empty)
     */
    public static PublicKey rawPublicKey(CertificateMessage message, String role) throws CertificateRejectedException {
        if (message.entries().size() != 1) {
            throw new CertificateRejectedException(message.isEmpty() ? CertificateRejectedException.CERTIFICATE_REQUIRED
                    : CertificateRejectedException.BAD_CERTIFICATE, "the " + role + " sent " + message.entries().size()
                    + " entries where a raw public key is one (RFC 7250 §3)");
        }
        byte[] spki = message.entries().get(0).certData();
        for (String algorithm : new String[] {"EC", "Ed25519", "RSA"}) {
            try {
                PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
                if (Arrays.equals(key.getEncoded(), spki)) { // nothing trailing, nothing reinterpreted
                    return key;
                }
            } catch (java.security.GeneralSecurityException | RuntimeException notThisType) {
                // try the next key type; none fitting is reported below
            }
        }
        throw new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE, "the " + role
                + "'s raw public key is not a DER SubjectPublicKeyInfo of an EC, Ed25519 or RSA key");
    }

    private static List<Integer> parseList(byte[] data, String what) throws DecodeException {
        WireReader r = new WireReader(data);
        byte[] types = r.vector8(1, 255, what);
        r.finish(what);
        List<Integer> out = new ArrayList<>();
        for (byte t : types) {
            out.add(t & 0xFF);
        }
        return out;
    }

    private static String name(int type) {
        return switch (type) {
            case X509 -> "X509";
            case RAW_PUBLIC_KEY -> "RawPublicKey";
            default -> "type " + type;
        };
    }

    private static String names(List<Integer> types) {
        return types.stream().map(CertificateTypes::name).toList().toString();
    }
}
