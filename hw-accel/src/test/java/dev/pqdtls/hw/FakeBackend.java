package dev.pqdtls.hw;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.spi.BadRecordMacException;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import dev.pqdtls.spi.RecordProtection;
import dev.pqdtls.spi.TranscriptHash;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A backend for probe tests, found through META-INF/services like a real one: its "AEAD" appends a
 * zero tag and fails for ChaCha20 so the report's error path is exercised too.
 */
public class FakeBackend implements CryptoBackend {
    @Override
    public String name() {
        return "fake";
    }

    @Override
    public int priority() {
        return 7;
    }

    @Override
    public Optional<String> checkUsable() {
        return Optional.empty();
    }

    @Override
    public Map<String, String> implementations() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("AES-GCM", "xor 1.0");
        m.put("ML-KEM-768", "none");
        return m;
    }

    @Override
    public Map<String, String> details() {
        return Map.of("liboqs", "not found: test");
    }

    @Override
    public RecordProtection recordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        if (!suite.isAes()) {
            throw new UnsupportedOperationException("no ChaCha20 here");
        }
        return new RecordProtection() {
            @Override
            public CipherSuite suite() {
                return suite;
            }

            @Override
            public void seal(long sequenceNumber, ByteBuffer aad, ByteBuffer record) {
                int end = record.limit();
                record.limit(end + CipherSuite.TAG_LENGTH);
                for (int i = 0; i < CipherSuite.TAG_LENGTH; i++) {
                    record.put(end + i, (byte) 0);
                }
            }

            @Override
            public void open(long sequenceNumber, ByteBuffer aad, ByteBuffer record) throws BadRecordMacException {
                record.limit(record.limit() - CipherSuite.TAG_LENGTH);
            }

            @Override
            public void recordNumberMask(ByteBuffer sample, byte[] mask) {
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public TranscriptHash newTranscriptHash(HashAlgorithm hash) {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] hmac(HashAlgorithm hash, byte[] key, byte[] data) {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] hkdfExtract(HashAlgorithm hash, byte[] salt, byte[] ikm) {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] hkdfExpand(HashAlgorithm hash, byte[] prk, byte[] info, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public KeyExchange componentKeyExchange(NamedGroup group) {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        return Optional.empty();
    }

    @Override
    public byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void randomBytes(byte[] out) {
        throw new UnsupportedOperationException();
    }

    /** A second backend that never runs, to show the unusable line and the selection reason. */
    public static final class Unusable extends FakeBackend {
        @Override
        public String name() {
            return "unusable-fake";
        }

        @Override
        public int priority() {
            return 9;
        }

        @Override
        public Optional<String> checkUsable() {
            return Optional.of("libnothing.so not found");
        }
    }
}
