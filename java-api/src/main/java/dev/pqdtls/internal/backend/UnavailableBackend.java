package dev.pqdtls.internal.backend;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import dev.pqdtls.spi.RecordProtection;
import dev.pqdtls.spi.TranscriptHash;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;

/**
 * A backend that cannot run in this JVM and says why under its own name. The ffm backend's jar is
 * multi-release: its release-17 layer holds such a backend, so on Java 17..21 selection reports
 * "ffm needs Java 22+; this is Java 17" instead of a class-version error, and its module descriptor
 * stays readable on Java 17's module path. The selector never hands out an unusable backend; the
 * crypto methods throw anyway, naming the reason.
 */
public abstract class UnavailableBackend implements CryptoBackend {
    private final String name;
    private final int priority;
    private final String reason;

    protected UnavailableBackend(String name, int priority, String reason) {
        this.name = name;
        this.priority = priority;
        this.reason = reason;
    }

    /** {@code "ffm needs Java 22+; this is Java 17"}. */
    public static String needsJava(String name, int feature) {
        return name + " needs Java " + feature + "+; this is Java " + Runtime.version().feature();
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int priority() {
        return priority;
    }

    @Override
    public final Optional<String> checkUsable() {
        return Optional.of(reason);
    }

    @Override
    public final Map<String, String> implementations() {
        return Map.of();
    }

    private IllegalStateException unusable() {
        return new IllegalStateException("crypto backend '" + name + "' cannot run: " + reason);
    }

    @Override
    public final RecordProtection recordProtection(CipherSuite suite, byte[] key, byte[] iv, byte[] recordNumberKey) {
        throw unusable();
    }

    @Override
    public final TranscriptHash newTranscriptHash(HashAlgorithm hash) {
        throw unusable();
    }

    @Override
    public final byte[] hmac(HashAlgorithm hash, byte[] key, byte[] data) {
        throw unusable();
    }

    @Override
    public final byte[] hkdfExtract(HashAlgorithm hash, byte[] salt, byte[] ikm) {
        throw unusable();
    }

    @Override
    public final byte[] hkdfExpand(HashAlgorithm hash, byte[] prk, byte[] info, int length) {
        throw unusable();
    }

    @Override
    public final KeyExchange componentKeyExchange(NamedGroup group) {
        throw unusable();
    }

    @Override
    public final byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) {
        throw unusable();
    }

    @Override
    public final Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        return Optional.empty();
    }

    @Override
    public final byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        throw unusable();
    }

    @Override
    public final boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        throw unusable();
    }

    @Override
    public final void randomBytes(byte[] out) {
        throw unusable();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + " unusable: " + reason + "]";
    }
}
