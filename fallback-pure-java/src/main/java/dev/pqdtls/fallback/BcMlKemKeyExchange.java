package dev.pqdtls.fallback;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.SingleUseKeyShare;
import java.security.SecureRandom;
import javax.security.auth.DestroyFailedException;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;

/**
 * ML-KEM-768 (FIPS 203) as a TLS key exchange on Bouncy Castle's lightweight API: the client's
 * share is the encapsulation key, the server's the ciphertext (draft-ietf-tls-ecdhe-mlkem §3). Used
 * on JDK 17..23, which have no ML-KEM of their own.
 */
final class BcMlKemKeyExchange implements KeyExchange {
    private final SecureRandom random;

    BcMlKemKeyExchange(SecureRandom random) {
        this.random = random;
    }

    @Override
    public NamedGroup group() {
        return NamedGroup.MLKEM768;
    }

    @Override
    public ClientKeyShare newClientShare() {
        MLKEMKeyPairGenerator generator = new MLKEMKeyPairGenerator();
        generator.init(new MLKEMKeyGenerationParameters(random, MLKEMParameters.ml_kem_768));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        byte[] ek = ((MLKEMPublicKeyParameters) pair.getPublic()).getEncoded();
        return new Share((MLKEMPrivateKeyParameters) pair.getPrivate(), ek);
    }

    @Override
    public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
        MlKem768.checkEncapsulationKey("client share", clientShare);
        return encapsulate(new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, clientShare),
                new MLKEMGenerator(random), null);
    }

    /** Encapsulates with fresh randomness, or with {@code m} for known-answer tests. */
    static ServerKeyShare encapsulate(MLKEMPublicKeyParameters ek, MLKEMGenerator generator, byte[] m) {
        SecretWithEncapsulation result = m == null
                ? generator.generateEncapsulated(ek)
                : generator.internalGenerateEncapsulated(ek, m);
        byte[] ciphertext = result.getEncapsulation();
        byte[] secret = result.getSecret();
        try {
            result.destroy();
        } catch (DestroyFailedException e) {
            // BC's implementation wipes its copy and never fails; nothing more we can do if it did.
        }
        return new ServerKeyShare(ciphertext, secret);
    }

    /**
     * The pending decapsulation key. BC keeps its parts in private arrays we cannot reach to wipe;
     * the reference is dropped on close.
     */
    private static final class Share extends SingleUseKeyShare<MLKEMPrivateKeyParameters> {
        Share(MLKEMPrivateKeyParameters privateKey, byte[] publicKey) {
            super("MLKEM768", privateKey, publicKey);
        }

        @Override
        protected byte[] complete(MLKEMPrivateKeyParameters key, byte[] serverShare)
                throws InvalidKeyShareException {
            MlKem768.checkCiphertext("server share", serverShare);
            return new MLKEMExtractor(key).extractSecret(serverShare);
        }
    }
}
