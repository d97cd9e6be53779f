package dev.pqdtls.internal.auth;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import dev.pqdtls.spi.CryptoBackend;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;

/**
 * The CertificateVerify handshake message (RFC 8446 §4.4.3): the signature scheme's codepoint and
 * {@code opaque signature<0..2^16-1>}. The scheme is kept as a codepoint so that an unknown one
 * parses and is then refused with the right alert by {@link #verify}.
 */
public record CertificateVerifyMessage(int scheme, byte[] signature) {

    /** Parses a CertificateVerify body (without the handshake header). */
    public static CertificateVerifyMessage parse(byte[] body) throws DecodeException {
        WireReader r = new WireReader(body);
        int scheme = r.uint16("algorithm");
        byte[] signature = r.vector16(0, 0xFFFF, "signature");
        r.finish("CertificateVerify");
        return new CertificateVerifyMessage(scheme, signature);
    }

    /** Encodes the body (without the handshake header). */
    public byte[] encode() {
        return new WireWriter().uint16(scheme).vector16(signature).toByteArray();
    }

    /**
     * Signs our CertificateVerify.
     *
     * @param server true when we are the server
     * @param scheme from {@link SignatureSchemes#choose}
     * @param transcriptHash Transcript-Hash(Handshake Context, Certificate) in the suite's hash
     */
    public static CertificateVerifyMessage sign(CryptoBackend backend, boolean server, SignatureScheme scheme,
            PrivateKey key, byte[] transcriptHash) {
        if (!SignatureSchemes.allowedInCertificateVerify(scheme)) {
            throw new IllegalArgumentException(scheme + " is not allowed in CertificateVerify (RFC 8446 §4.2.3)");
        }
        byte[] content = CertificateVerifyContent.build(server, transcriptHash);
        return new CertificateVerifyMessage(scheme.codepoint(), backend.sign(scheme, key, content));
    }

    /**
     * Verifies the peer's CertificateVerify against the public key of its end-entity certificate.
     *
     * @param peerIsServer true when the signer is the server (we are the client)
     * @param weOffered the schemes we sent in signature_algorithms
     * @param transcriptHash Transcript-Hash(Handshake Context, Certificate) in the suite's hash
     * @throws CertificateRejectedException illegal_parameter for a scheme we did not offer or that
     *     does not fit the key; decrypt_error when the signature does not verify
     */
    public SignatureScheme verify(CryptoBackend backend, boolean peerIsServer, PublicKey peerKey,
            byte[] transcriptHash, List<SignatureScheme> weOffered) throws CertificateRejectedException {
        SignatureScheme s = SignatureSchemes.checkPeerScheme(scheme, peerKey, weOffered);
        byte[] content = CertificateVerifyContent.build(peerIsServer, transcriptHash);
        boolean ok;
        try {
            ok = backend.verify(s, peerKey, content, signature);
        } catch (IllegalArgumentException e) {
            throw new CertificateRejectedException(CertificateRejectedException.ILLEGAL_PARAMETER,
                    "the peer's " + s + " CertificateVerify cannot be checked with its certificate's key: "
                            + e.getMessage(), e);
        }
        if (!ok) {
            // RFC 8446 §4.4.3: "If the verification fails, the receiver MUST terminate the handshake
            // with a "decrypt_error" alert."
            throw new CertificateRejectedException(CertificateRejectedException.DECRYPT_ERROR,
                    "the peer's " + s + " CertificateVerify signature does not verify with the key in its "
                            + "certificate: the peer does not hold the matching private key, or the handshake "
                            + "was tampered with");
        }
        return s;
    }
}
