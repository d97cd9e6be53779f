package dev.pqdtls.fallback;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.SingleUseKeyShare;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * ML-KEM-768 on the JDK's own implementation (JDK 24+, JEP 496), about 2.5× Bouncy Castle's on the
 * machines we measured. This module compiles for release 17, so {@code javax.crypto.KEM} (JDK 21+)
 * is reached reflectively; the key classes are plain {@code java.security} ones.
 *
 * <p>The JDK speaks X.509 SubjectPublicKeyInfo, TLS the raw 1184-byte key: we add and strip the
 * fixed 22-byte SPKI header for id-alg-ml-kem-768 (2.16.840.1.101.3.4.4.2).
 */
final class JdkMlKem {
    private static final String ALGORITHM = "ML-KEM-768";
    /** SEQUENCE(1202) { SEQUENCE(11) { OID 2.16.840.1.101.3.4.4.2 } BIT STRING(1185) { 0 unused bits ... } } */
    private static final byte[] SPKI_HEADER = {
        0x30, (byte) 0x82, 0x04, (byte) 0xb2,
        0x30, 0x0b, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02,
        0x03, (byte) 0x82, 0x04, (byte) 0xa1, 0x00,
    };

    private static final Object LOCK = new Object();
    private static volatile JdkMlKem instance;
    private static volatile String unavailable;

    private final Object kem;
    private final Method newEncapsulator;
    private final Method encapsulate;
    private final Method encapsulatedKey;
    private final Method encapsulation;
    private final Method newDecapsulator;
    private final Method decapsulate;
    private final String provider;

    private JdkMlKem() throws ReflectiveOperationException, GeneralSecurityException {
        Class<?> kemClass = Class.forName("javax.crypto.KEM");
        Class<?> encapsulator = Class.forName("javax.crypto.KEM$Encapsulator");
        Class<?> encapsulated = Class.forName("javax.crypto.KEM$Encapsulated");
        Class<?> decapsulator = Class.forName("javax.crypto.KEM$Decapsulator");
        kem = invoke(kemClass.getMethod("getInstance", String.class), null, ALGORITHM);
        newEncapsulator = kemClass.getMethod("newEncapsulator", PublicKey.class);
        encapsulate = encapsulator.getMethod("encapsulate");
        encapsulatedKey = encapsulated.getMethod("key");
        encapsulation = encapsulated.getMethod("encapsulation");
        newDecapsulator = kemClass.getMethod("newDecapsulator", PrivateKey.class);
        decapsulate = decapsulator.getMethod("decapsulate", byte[].class);
        provider = KeyPairGenerator.getInstance(ALGORITHM).getProvider().getName();
    }

    /** The JDK's ML-KEM if this JVM has one that passes a round trip, else null (see {@link #unavailableReason()}). */
    static JdkMlKem get() {
        if (instance == null && unavailable == null) {
            synchronized (LOCK) {
                if (instance == null && unavailable == null) {
                    load();
                }
            }
        }
        return instance;
    }

    static String unavailableReason() {
        get();
        return unavailable;
    }

    private static void load() {
        int feature = Runtime.version().feature();
        if (feature < 24) {
            unavailable = "JDK " + feature + " has no ML-KEM (needs 24+)";
            return;
        }
        try {
            JdkMlKem candidate = new JdkMlKem();
            candidate.selfTest();
            instance = candidate;
        } catch (Exception | LinkageError e) {
            unavailable = "JDK ML-KEM unusable: " + e;
        }
    }

    /** A round trip through our SPKI wrapping, so a JDK that encodes keys differently is never used. */
    private void selfTest() throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        KeyExchange exchange = new Exchange(random);
        try (KeyExchange.ClientKeyShare client = exchange.newClientShare()) {
            KeyExchange.ServerKeyShare server = exchange.respond(client.publicShare());
            byte[] secret = client.finish(server.publicShare());
            if (!Arrays.equals(secret, server.sharedSecret()) || secret.length != MlKem768.SHARED_SECRET_LENGTH) {
                throw new GeneralSecurityException("ML-KEM round trip self-test failed");
            }
        }
    }

    String provider() {
        return provider;
    }

    KeyExchange keyExchange(SecureRandom random) {
        return new Exchange(random);
    }

    private static Object invoke(Method method, Object target, Object... args) throws GeneralSecurityException {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof GeneralSecurityException) {
                throw (GeneralSecurityException) cause;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(method + " failed", cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + method, e);
        }
    }

    private static byte[] secretBytes(Object key) {
        byte[] bytes = ((SecretKey) key).getEncoded();
        if (bytes == null || bytes.length != MlKem768.SHARED_SECRET_LENGTH) {
            throw new IllegalStateException("JDK ML-KEM returned a shared secret of unexpected size");
        }
        return bytes;
    }

    private final class Exchange implements KeyExchange {
        private final SecureRandom random;

        Exchange(SecureRandom random) {
            this.random = random;
        }

        @Override
        public NamedGroup group() {
            return NamedGroup.MLKEM768;
        }

        @Override
        public ClientKeyShare newClientShare() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
                generator.initialize(new NamedParameterSpec(ALGORITHM), random);
                KeyPair pair = generator.generateKeyPair();
                byte[] spki = pair.getPublic().getEncoded();
                if (spki.length != SPKI_HEADER.length + MlKem768.ENCAPSULATION_KEY_LENGTH
                        || !Arrays.equals(spki, 0, SPKI_HEADER.length, SPKI_HEADER, 0, SPKI_HEADER.length)) {
                    throw new IllegalStateException("JDK ML-KEM-768 public key has an unexpected encoding");
                }
                return new Share(pair.getPrivate(), Arrays.copyOfRange(spki, SPKI_HEADER.length, spki.length));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK ML-KEM-768 key generation failed", e);
            }
        }

        @Override
        public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
            MlKem768.checkEncapsulationKey("client share", clientShare);
            byte[] spki = Arrays.copyOf(SPKI_HEADER, SPKI_HEADER.length + clientShare.length);
            System.arraycopy(clientShare, 0, spki, SPKI_HEADER.length, clientShare.length);
            PublicKey ek;
            try {
                ek = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(spki));
            } catch (GeneralSecurityException e) {
                throw new InvalidKeyShareException("MLKEM768 client share rejected: " + e.getMessage(), e);
            }
            try {
                Object encapsulator = invoke(newEncapsulator, kem, ek);
                Object result = invoke(encapsulate, encapsulator);
                byte[] ciphertext = (byte[]) invoke(encapsulation, result);
                return new ServerKeyShare(ciphertext, secretBytes(invoke(encapsulatedKey, result)));
            } catch (java.security.InvalidKeyException e) {
                throw new InvalidKeyShareException("MLKEM768 client share rejected: " + e.getMessage(), e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK ML-KEM-768 encapsulation failed", e);
            }
        }
    }

    /** The pending decapsulation key; the JDK's ML-KEM private keys cannot be destroyed, so we drop it. */
    private final class Share extends SingleUseKeyShare<PrivateKey> {
        Share(PrivateKey privateKey, byte[] publicKey) {
            super("MLKEM768", privateKey, publicKey);
        }

        @Override
        protected byte[] complete(PrivateKey key, byte[] serverShare) throws InvalidKeyShareException {
            MlKem768.checkCiphertext("server share", serverShare);
            try {
                Object decapsulator = invoke(newDecapsulator, kem, key);
                return secretBytes(invoke(decapsulate, decapsulator, (Object) serverShare));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK ML-KEM-768 decapsulation failed", e);
            }
        }
    }
}
