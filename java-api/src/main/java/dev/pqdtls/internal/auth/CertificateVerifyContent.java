package dev.pqdtls.internal.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a CertificateVerify signature covers (RFC 8446 §4.4.3): 64 spaces, a context string
 * naming the signer's role, a zero byte, then Transcript-Hash(Handshake Context, Certificate).
 * DTLS 1.3 keeps the TLS 1.3 strings (RFC 9147 §5 changes only the HKDF label prefix). The role
 * string stops a server's signature being replayed as a client's, and the 64-byte prefix stops it
 * colliding with signatures from earlier TLS versions.
 */
public final class CertificateVerifyContent {
    static final byte[] SERVER = "TLS 1.3, server CertificateVerify".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CLIENT = "TLS 1.3, client CertificateVerify".getBytes(StandardCharsets.US_ASCII);
    private static final int PAD = 64;

    private CertificateVerifyContent() {
    }

    /**
     * @param server true when the signer is the server
     * @param transcriptHash the transcript hash up to and including the signer's Certificate message
     */
    public static byte[] build(boolean server, byte[] transcriptHash) {
        byte[] context = server ? SERVER : CLIENT;
        byte[] out = new byte[PAD + context.length + 1 + transcriptHash.length];
        Arrays.fill(out, 0, PAD, (byte) 0x20);
        System.arraycopy(context, 0, out, PAD, context.length);
        out[PAD + context.length] = 0;
        System.arraycopy(transcriptHash, 0, out, PAD + context.length + 1, transcriptHash.length);
        return out;
    }
}
