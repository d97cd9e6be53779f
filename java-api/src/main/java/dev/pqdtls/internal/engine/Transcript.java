package dev.pqdtls.internal.engine;

import dev.pqdtls.internal.handshake.HandshakeType;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.TranscriptHash;
import java.util.ArrayList;
import java.util.List;

/**
 * The handshake transcript (RFC 8446 §4.4.1) over TLS-style messages: DTLS's message_seq and
 * fragment fields are not part of it (RFC 9147 §5.2). Messages seen before the cipher suite (and so
 * the hash) is known are held until {@link #start}.
 */
final class Transcript {
    private final CryptoBackend crypto;
    private final List<byte[]> pending = new ArrayList<>();
    private TranscriptHash hash;

    Transcript(CryptoBackend crypto) {
        this.crypto = crypto;
    }

    /** The TLS encoding of a handshake message: type, 24-bit length, body. */
    static byte[] encode(int type, byte[] body) {
        byte[] m = new byte[4 + body.length];
        m[0] = (byte) type;
        m[1] = (byte) (body.length >>> 16);
        m[2] = (byte) (body.length >>> 8);
        m[3] = (byte) body.length;
        System.arraycopy(body, 0, m, 4, body.length);
        return m;
    }

    void add(int type, byte[] body) {
        byte[] m = encode(type, body);
        if (hash == null) {
            pending.add(m);
        } else {
            hash.update(m, 0, m.length);
        }
    }

    boolean started() {
        return hash != null;
    }

    /** Fixes the hash once the suite is known and hashes what was held. */
    void start(HashAlgorithm algorithm) {
        hash = crypto.newTranscriptHash(algorithm);
        for (byte[] m : pending) {
            hash.update(m, 0, m.length);
        }
        pending.clear();
    }

    /** Drops the hash context once the handshake no longer needs it (its native context is freed by GC). */
    void release() {
        hash = null;
        pending.clear();
    }

    byte[] current() {
        return hash.current();
    }

    /**
     * The transcript hash under {@code algorithm} as it would be with a message of {@code type}
     * whose header says {@code body.length} bytes but of which only the first {@code length} are
     * hashed: the truncated ClientHello a PSK binder covers (RFC 8446 §4.2.11.2). The transcript
     * itself is unchanged; if it already runs, it must run under {@code algorithm}.
     */
    byte[] withTruncated(HashAlgorithm algorithm, int type, byte[] body, int length) {
        TranscriptHash h = copyAs(algorithm);
        byte[] header = encode(type, body);
        h.update(header, 0, 4 + length);
        return h.current();
    }

    /** The transcript hash so far under {@code algorithm}, before {@link #start} as after (then it must be the same). */
    byte[] hashAs(HashAlgorithm algorithm) {
        return copyAs(algorithm).current();
    }

    /** A copy of the running hash, or before {@link #start} a hash under {@code algorithm} of what is held. */
    private TranscriptHash copyAs(HashAlgorithm algorithm) {
        if (hash != null) {
            return hash.copy();
        }
        TranscriptHash h = crypto.newTranscriptHash(algorithm);
        for (byte[] m : pending) {
            h.update(m, 0, m.length);
        }
        return h;
    }

    /**
     * Replaces ClientHello1 with {@code message_hash(Hash(ClientHello1))} after a HelloRetryRequest
     * (RFC 8446 §4.4.1); the transcript must hold exactly ClientHello1.
     */
    void replaceWithMessageHash() {
        byte[] ch1Hash = current();
        hash = crypto.newTranscriptHash(hash.algorithm());
        add(HandshakeType.MESSAGE_HASH, ch1Hash);
    }

    /** Starts a transcript as a stateless server rebuilds it from a cookie: message_hash(ch1Hash). */
    void startFromMessageHash(HashAlgorithm algorithm, byte[] ch1Hash) {
        pending.clear();
        hash = crypto.newTranscriptHash(algorithm);
        add(HandshakeType.MESSAGE_HASH, ch1Hash);
    }
}
