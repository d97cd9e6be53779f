package dev.pqdtls.fallback;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.SingleUseKeyShare;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDHE over secp256r1 (RFC 8446 §4.2.8.2) on Bouncy Castle's specialised P-256 field arithmetic.
 * Shares are uncompressed points (65 bytes); the shared secret is the x-coordinate, left-padded to
 * 32 bytes (RFC 8446 §7.4.2).
 */
final class P256KeyExchange implements KeyExchange {
    static final int POINT_LENGTH = 65;
    static final int SCALAR_LENGTH = 32;

    private static final ECDomainParameters DOMAIN;

    static {
        X9ECParameters x9 = CustomNamedCurves.getByName("secp256r1");
        DOMAIN = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
    }

    private final SecureRandom random;

    static ECDomainParameters domain() {
        return DOMAIN;
    }

    P256KeyExchange(SecureRandom random) {
        this.random = random;
    }

    @Override
    public NamedGroup group() {
        return NamedGroup.SECP256R1;
    }

    @Override
    public ClientKeyShare newClientShare() {
        AsymmetricCipherKeyPair pair = generate();
        return new Share((ECPrivateKeyParameters) pair.getPrivate(), encode((ECPublicKeyParameters) pair.getPublic()));
    }

    @Override
    public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
        ECPublicKeyParameters peer = decode("client share", clientShare);
        AsymmetricCipherKeyPair pair = generate();
        byte[] secret = agree((ECPrivateKeyParameters) pair.getPrivate(), peer);
        return new ServerKeyShare(encode((ECPublicKeyParameters) pair.getPublic()), secret);
    }

    private AsymmetricCipherKeyPair generate() {
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(DOMAIN, random));
        return generator.generateKeyPair();
    }

    private static byte[] encode(ECPublicKeyParameters publicKey) {
        return publicKey.getQ().getEncoded(false);
    }

    /** Static ECDH for known-answer tests: a big-endian private scalar and an uncompressed point. */
    static byte[] agree(byte[] privateScalar, byte[] peerPublic) throws InvalidKeyShareException {
        BigInteger d = new BigInteger(1, privateScalar);
        if (d.signum() == 0 || d.compareTo(DOMAIN.getN()) >= 0) {
            throw new IllegalArgumentException("secp256r1 private scalar must lie in [1, n-1]");
        }
        return agree(new ECPrivateKeyParameters(d, DOMAIN), decode("public value", peerPublic));
    }

    private static byte[] agree(ECPrivateKeyParameters privateKey, ECPublicKeyParameters peer)
            throws InvalidKeyShareException {
        ECDHBasicAgreement agreement = new ECDHBasicAgreement();
        agreement.init(privateKey);
        BigInteger x;
        try {
            x = agreement.calculateAgreement(peer);
        } catch (IllegalStateException e) {
            throw new InvalidKeyShareException("secp256r1 shared point is the point at infinity", e);
        }
        return BigIntegers.asUnsignedByteArray(SCALAR_LENGTH, x);
    }

    /**
     * RFC 8446 §4.2.8.2: only the uncompressed form is allowed, and the point must be on the curve
     * (BC's decodePoint checks the curve equation and coordinate range; the cofactor is 1).
     */
    private static ECPublicKeyParameters decode(String what, byte[] encoded) throws InvalidKeyShareException {
        if (encoded == null || encoded.length != POINT_LENGTH) {
            throw new InvalidKeyShareException("secp256r1 " + what + " is "
                    + (encoded == null ? "missing" : encoded.length + " bytes") + "; expected " + POINT_LENGTH
                    + " (uncompressed point)");
        }
        if (encoded[0] != 0x04) {
            throw new InvalidKeyShareException("secp256r1 " + what + " is not an uncompressed point (first byte "
                    + (encoded[0] & 0xFF) + ", expected 4)");
        }
        try {
            ECPoint q = DOMAIN.getCurve().decodePoint(encoded);
            return new ECPublicKeyParameters(q, DOMAIN);
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyShareException("secp256r1 " + what + " is not a valid point on the curve", e);
        }
    }

    /**
     * The pending client key. BC keeps the scalar in an immutable BigInteger, which cannot be wiped;
     * we drop the reference on close.
     */
    private static final class Share extends SingleUseKeyShare<ECPrivateKeyParameters> {
        Share(ECPrivateKeyParameters privateKey, byte[] publicKey) {
            super("secp256r1", privateKey, publicKey);
        }

        @Override
        protected byte[] complete(ECPrivateKeyParameters key, byte[] serverShare) throws InvalidKeyShareException {
            return agree(key, decode("server share", serverShare));
        }
    }
}
