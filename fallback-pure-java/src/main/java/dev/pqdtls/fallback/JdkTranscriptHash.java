package dev.pqdtls.fallback;

import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.TranscriptHash;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The TLS 1.3 transcript hash (RFC 8446 §4.4.1) on a JDK {@link MessageDigest}. Reading the current
 * value digests a clone, so the running hash continues; the SUN provider's SHA-2 digests are
 * cloneable.
 */
final class JdkTranscriptHash implements TranscriptHash {
    private final HashAlgorithm algorithm;
    private final MessageDigest digest;

    private JdkTranscriptHash(HashAlgorithm algorithm, MessageDigest digest) {
        this.algorithm = algorithm;
        this.digest = digest;
    }

    static JdkTranscriptHash create(HashAlgorithm algorithm) {
        try {
            return new JdkTranscriptHash(algorithm, JcaServices.digest(algorithm.jcaName()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm.jcaName() + " is missing from this JDK", e);
        }
    }

    @Override
    public HashAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public void update(ByteBuffer data) {
        digest.update(data);
    }

    @Override
    public void update(byte[] data, int offset, int length) {
        digest.update(data, offset, length);
    }

    @Override
    public byte[] current() {
        return cloneDigest().digest();
    }

    @Override
    public TranscriptHash copy() {
        return new JdkTranscriptHash(algorithm, cloneDigest());
    }

    private MessageDigest cloneDigest() {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(digest.getProvider().getName() + " " + digest.getAlgorithm()
                    + " cannot be cloned; the transcript hash needs it", e);
        }
    }
}
