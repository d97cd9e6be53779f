package dev.pqdtls.internal.auth;

import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The Certificate handshake message (RFC 8446 §4.4.2) for the X.509 certificate type: a
 * certificate_request_context and a list of CertificateEntry, each a DER certificate with its own
 * extensions. The sender's certificate comes first. Certificates stay raw bytes here; {@link
 * #certificates()} decodes them when the chain is about to be checked.
 */
public record CertificateMessage(byte[] context, List<Entry> entries) {

    /** One CertificateEntry: {@code opaque cert_data<1..2^24-1>} and {@code Extension extensions<0..2^16-1>}. */
    public record Entry(byte[] certData, Extensions extensions) {
    }

    private static final int MAX_24 = 0xFF_FFFF;

    public CertificateMessage {
        entries = List.copyOf(entries);
    }

    /** A message carrying {@code chain} (leaf first) with no per-entry extensions. */
    public static CertificateMessage of(byte[] context, List<X509Certificate> chain) {
        List<Entry> list = new ArrayList<>();
        for (X509Certificate c : chain) {
            try {
                list.add(new Entry(c.getEncoded(), Extensions.empty()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate " + c.getSubjectX500Principal()
                        + " cannot be DER-encoded: " + e.getMessage(), e);
            }
        }
        return new CertificateMessage(context, list);
    }

    /** Parses a Certificate body (without the handshake header). */
    public static CertificateMessage parse(byte[] body) throws DecodeException {
        WireReader r = new WireReader(body);
        byte[] context = r.vector8(0, 255, "certificate_request_context");
        WireReader list = r.sub24(0, MAX_24, "certificate_list");
        r.finish("Certificate");
        List<Entry> out = new ArrayList<>();
        while (list.hasRemaining()) {
            byte[] cert = list.vector24(1, MAX_24, "cert_data");
            Extensions ext = Extensions.parse(list, "CertificateEntry extensions");
            out.add(new Entry(cert, ext));
        }
        return new CertificateMessage(context, out);
    }

    /** Encodes the body (without the handshake header). */
    public byte[] encode() {
        WireWriter w = new WireWriter().vector8(context).begin24();
        for (Entry e : entries) {
            if (e.certData().length == 0) {
                throw new IllegalArgumentException("cert_data must not be empty (RFC 8446 §4.4.2)");
            }
            w.vector24(e.certData());
            e.extensions().write(w);
        }
        return w.end().toByteArray();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Decodes every entry as an X.509 certificate, in message order.
     *
     * @throws CertificateRejectedException with bad_certificate if an entry is not a DER certificate
     */
    public List<X509Certificate> certificates() throws CertificateRejectedException {
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 CertificateFactory", e);
        }
        List<X509Certificate> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            byte[] der = entries.get(i).certData();
            try {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | RuntimeException e) {
                // The JDK's parser is not hardened against every malformed input; anything it throws
                // means the same thing to us: the peer sent something that is not a certificate.
                throw new CertificateRejectedException(CertificateRejectedException.BAD_CERTIFICATE,
                        "certificate " + i + " of the peer's chain is not a valid DER X.509 certificate ("
                                + e.getMessage() + "); the peer must send X.509 certificates", e);
            }
        }
        return out;
    }
}
