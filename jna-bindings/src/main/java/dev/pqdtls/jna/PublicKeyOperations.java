package dev.pqdtls.jna;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.SignatureScheme;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The public-key half of the jna backend (handshake only, never per record).
 */
final class PublicKeyOperations {
    private final CryptoBackend pure = new FallbackBackend();

    Optional<String> unavailableReason() {
        return Optional.empty();
    }

    Map<String, String> implementations() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : new String[] {"X25519", "secp256r1", "ML-KEM-768", "ECDSA P-256", "Ed25519", "RSA-PSS",
            "RSA-PKCS1 (verify only)"}) {
            String v = pure.implementations().get(k);
            if (v != null) {
                out.put(k, v);
            }
        }
        return out;
    }

    Map<String, String> details() {
        return Map.of();
    }

    KeyExchange componentKeyExchange(NamedGroup group) {
        return pure.componentKeyExchange(group);
    }

    byte[] ecdh(NamedGroup group, byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        return pure.ecdh(group, privateKey, peerPublic);
    }

    Optional<MlKemKnownAnswer> mlKemKnownAnswer() {
        return pure.mlKemKnownAnswer();
    }

    byte[] sign(SignatureScheme scheme, PrivateKey key, byte[] message) {
        return pure.sign(scheme, key, message);
    }

    boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) {
        return pure.verify(scheme, key, message, signature);
    }
}
