package dev.pqdtls.internal.auth;

import dev.pqdtls.SignatureScheme;
import dev.pqdtls.internal.handshake.ExtensionCodec;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * The CertificateRequest handshake message (RFC 8446 §4.3.2): a certificate_request_context (empty
 * during the handshake) and extensions, of which signature_algorithms is mandatory and
 * signature_algorithms_cert (§4.2.3) and certificate_authorities (§4.2.4) are optional.
 *
 * <p>{@link #parse} checks the syntax of those three extensions, so the accessors never fail later;
 * other extensions are kept raw and ignored ("Clients MUST ignore unrecognized extensions").
 */
public record CertificateRequestMessage(byte[] context, Extensions extensions) {

    /**
     * Builds a request.
     *
     * @param signatureAlgorithms schemes we accept in the client's CertificateVerify, not empty
     * @param signatureAlgorithmsCert schemes we accept in the client's chain, or empty to omit the
     *     extension (then signature_algorithms applies to the chain too)
     * @param certificateAuthorities DER distinguished names of CAs we trust, or empty to omit
     */
    public static CertificateRequestMessage create(byte[] context, List<SignatureScheme> signatureAlgorithms,
            List<SignatureScheme> signatureAlgorithmsCert, List<X500Principal> certificateAuthorities) {
        if (signatureAlgorithms.isEmpty()) {
            throw new IllegalArgumentException("signature_algorithms must name at least one scheme (RFC 8446 §4.3.2)");
        }
        Extensions.Builder b = new Extensions.Builder();
        b.add(ExtensionType.SIGNATURE_ALGORITHMS,
                ExtensionCodec.uint16List(SignatureSchemes.codepoints(signatureAlgorithms)));
        if (!signatureAlgorithmsCert.isEmpty()) {
            b.add(ExtensionType.SIGNATURE_ALGORITHMS_CERT,
                    ExtensionCodec.uint16List(SignatureSchemes.codepoints(signatureAlgorithmsCert)));
        }
        if (!certificateAuthorities.isEmpty()) {
            List<byte[]> names = new ArrayList<>();
            certificateAuthorities.forEach(p -> names.add(p.getEncoded()));
            b.add(ExtensionType.CERTIFICATE_AUTHORITIES, encodeCertificateAuthorities(names));
        }
        return new CertificateRequestMessage(context, b.build());
    }

    /** Parses a CertificateRequest body (without the handshake header). */
    public static CertificateRequestMessage parse(byte[] body) throws DecodeException {
        WireReader r = new WireReader(body);
        byte[] context = r.vector8(0, 255, "certificate_request_context");
        Extensions ext = Extensions.parse(r, "CertificateRequest extensions");
        r.finish("CertificateRequest");
        CertificateRequestMessage m = new CertificateRequestMessage(context, ext);
        // RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be specified". §9.2 would answer
        // missing_extension; callers that want that distinction check extensions() before parsing.
        if (!ext.has(ExtensionType.SIGNATURE_ALGORITHMS)) {
            throw new DecodeException("CertificateRequest lacks the mandatory signature_algorithms extension");
        }
        m.parseSignatureAlgorithms();
        m.parseSignatureAlgorithmsCert();
        m.parseCertificateAuthorities();
        return m;
    }

    /** Encodes the body (without the handshake header). */
    public byte[] encode() {
        WireWriter w = new WireWriter().vector8(context);
        extensions.write(w);
        return w.toByteArray();
    }

    /** signature_algorithms as codepoints in the sender's order, unknown ones included. */
    public List<Integer> signatureAlgorithms() {
        try {
            return parseSignatureAlgorithms();
        } catch (DecodeException e) {
            throw new IllegalStateException("checked at parse", e);
        }
    }

    /** signature_algorithms_cert, if the sender included it (RFC 8446 §4.2.3). */
    public Optional<List<Integer>> signatureAlgorithmsCert() {
        try {
            return parseSignatureAlgorithmsCert();
        } catch (DecodeException e) {
            throw new IllegalStateException("checked at parse", e);
        }
    }

    /**
     * The schemes the chain must be signed with: signature_algorithms_cert if present, else
     * signature_algorithms (RFC 8446 §4.2.3).
     */
    public List<Integer> chainSignatureAlgorithms() {
        return signatureAlgorithmsCert().orElseGet(this::signatureAlgorithms);
    }

    /** certificate_authorities as DER distinguished names, or empty if absent (RFC 8446 §4.2.4). */
    public List<byte[]> certificateAuthorities() {
        try {
            return parseCertificateAuthorities();
        } catch (DecodeException e) {
            throw new IllegalStateException("checked at parse", e);
        }
    }

    private List<Integer> parseSignatureAlgorithms() throws DecodeException {
        byte[] data = extensions.get(ExtensionType.SIGNATURE_ALGORITHMS).orElseThrow(
                () -> new DecodeException("CertificateRequest lacks signature_algorithms"));
        return ExtensionCodec.parseUint16List(data, "signature_algorithms");
    }

    private Optional<List<Integer>> parseSignatureAlgorithmsCert() throws DecodeException {
        Optional<byte[]> data = extensions.get(ExtensionType.SIGNATURE_ALGORITHMS_CERT);
        if (data.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ExtensionCodec.parseUint16List(data.get(), "signature_algorithms_cert"));
    }

    private List<byte[]> parseCertificateAuthorities() throws DecodeException {
        Optional<byte[]> data = extensions.get(ExtensionType.CERTIFICATE_AUTHORITIES);
        return data.isEmpty() ? List.of() : parseCertificateAuthorities(data.get());
    }

    /** {@code DistinguishedName authorities<3..2^16-1>}, each {@code opaque DistinguishedName<1..2^16-1>}. */
    public static byte[] encodeCertificateAuthorities(List<byte[]> derNames) {
        WireWriter w = new WireWriter().begin16();
        for (byte[] name : derNames) {
            w.vector16(name);
        }
        return w.end().toByteArray();
    }

    public static List<byte[]> parseCertificateAuthorities(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        WireReader list = r.sub16(3, 0xFFFF, "certificate_authorities");
        r.finish("certificate_authorities");
        List<byte[]> out = new ArrayList<>();
        while (list.hasRemaining()) {
            out.add(list.vector16(1, 0xFFFF, "DistinguishedName"));
        }
        return List.copyOf(out);
    }
}
