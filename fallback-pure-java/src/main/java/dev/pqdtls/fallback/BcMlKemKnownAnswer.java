package dev.pqdtls.fallback;

import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange.ServerKeyShare;
import dev.pqdtls.spi.MlKemKnownAnswer;
import java.security.SecureRandom;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;

/** The deterministic FIPS 203 internals through Bouncy Castle, for known-answer tests only. */
final class BcMlKemKnownAnswer implements MlKemKnownAnswer {
    private final SecureRandom random;

    BcMlKemKnownAnswer(SecureRandom random) {
        this.random = random;
    }

    @Override
    public String implementation() {
        return "BC " + BouncyCastleInfo.version();
    }

    @Override
    public KeyPair keyGen(byte[] seed) {
        if (seed == null || seed.length != MlKem768.SEED_LENGTH) {
            throw new IllegalArgumentException("ML-KEM-768 seed d||z must be " + MlKem768.SEED_LENGTH + " bytes");
        }
        // BC runs ML-KEM.KeyGen_internal(d, z) when given the 64-byte seed.
        MLKEMPrivateKeyParameters key = new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, seed);
        byte[] dk = key.getParametersWithFormat(MLKEMPrivateKeyParameters.EXPANDED_KEY).getEncoded();
        return new KeyPair(key.getPublicKey(), dk);
    }

    @Override
    public Encapsulation encapsulate(byte[] encapsulationKey, byte[] m) throws InvalidKeyShareException {
        if (m == null || m.length != MlKem768.RANDOMNESS_LENGTH) {
            throw new IllegalArgumentException("ML-KEM-768 encapsulation randomness m must be "
                    + MlKem768.RANDOMNESS_LENGTH + " bytes");
        }
        MlKem768.checkEncapsulationKey("encapsulation key", encapsulationKey);
        ServerKeyShare result = BcMlKemKeyExchange.encapsulate(
                new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, encapsulationKey),
                new MLKEMGenerator(random), m.clone());
        return new Encapsulation(result.publicShare(), result.sharedSecret());
    }

    @Override
    public byte[] decapsulate(byte[] decapsulationKey, byte[] ciphertext) throws InvalidKeyShareException {
        MlKem768.checkDecapsulationKey("decapsulation key", decapsulationKey);
        MlKem768.checkCiphertext("ciphertext", ciphertext);
        MLKEMPrivateKeyParameters key;
        try {
            key = new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, decapsulationKey);
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyShareException("ML-KEM-768 decapsulation key rejected: " + e.getMessage(), e);
        }
        return new MLKEMExtractor(key).extractSecret(ciphertext);
    }
}
