package dev.pqdtls.fallback;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.SingleUseKeyShare;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.EncodedKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * ML-KEM-768 on the JDK's own implementation (JDK 24+, JEP 496), about 2.5× Bouncy Castle's on the
 * machines we measured. This module compiles for release 17, so {@code javax.crypto.KEM} (JDK 21+)
 * is reached through method handles looked up once; the key classes are plain {@code java.security}
 * ones. The provider is chosen once too: a {@code KEM} without one would instantiate its
 * implementation reflectively for every encapsulator.
 *
 * <p>The JDK speaks X.509 SubjectPublicKeyInfo, TLS the raw 1184-byte key: we strip the fixed
 * 22-byte SPKI header for id-alg-ml-kem-768 (2.16.840.1.101.3.4.4.2) from our keys, and hand the
 * client's key to the JDK raw where its key factory takes a "RAW" key spec (JDK 25), else with the
 * header added, which it then parses.
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

    /** The key pair generator's provider, named in implementations(). */
    private final Provider provider;
    private final Object kem;
    /** Stateless (the JDK's NamedKeyFactory); shared by all threads. */
    private final KeyFactory keyFactory;
    private final MethodHandle newEncapsulator;
    private final MethodHandle encapsulate;
    private final MethodHandle encapsulatedKey;
    private final MethodHandle encapsulation;
    private final MethodHandle newDecapsulator;
    private final MethodHandle decapsulate;
    /** Whether the key factory takes a raw encapsulation key (JDK 25); see {@link #publicKey}. */
    private final boolean rawKeys;

    private JdkMlKem() throws ReflectiveOperationException, GeneralSecurityException {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        Class<?> kemClass = Class.forName("javax.crypto.KEM");
        Class<?> encapsulator = Class.forName("javax.crypto.KEM$Encapsulator");
        Class<?> encapsulated = Class.forName("javax.crypto.KEM$Encapsulated");
        Class<?> decapsulator = Class.forName("javax.crypto.KEM$Decapsulator");
        provider = KeyPairGenerator.getInstance(ALGORITHM).getProvider();
        keyFactory = KeyFactory.getInstance(ALGORITHM, KeyFactory.getInstance(ALGORITHM).getProvider());
        Provider[] kemProviders = java.security.Security.getProviders("KEM." + ALGORITHM);
        if (kemProviders == null) {
            throw new java.security.NoSuchAlgorithmException("no provider offers KEM " + ALGORITHM);
        }
        MethodHandle getInstance = lookup.findStatic(kemClass, "getInstance",
                MethodType.methodType(kemClass, String.class, Provider.class));
        kem = invoke(() -> getInstance.invoke(ALGORITHM, kemProviders[0]));
        newEncapsulator = lookup.findVirtual(kemClass, "newEncapsulator", MethodType.methodType(encapsulator, PublicKey.class))
                .asType(MethodType.methodType(Object.class, Object.class, PublicKey.class));
        encapsulate = lookup.findVirtual(encapsulator, "encapsulate", MethodType.methodType(encapsulated))
                .asType(MethodType.methodType(Object.class, Object.class));
        encapsulatedKey = lookup.findVirtual(encapsulated, "key", MethodType.methodType(SecretKey.class))
                .asType(MethodType.methodType(SecretKey.class, Object.class));
        encapsulation = lookup.findVirtual(encapsulated, "encapsulation", MethodType.methodType(byte[].class))
                .asType(MethodType.methodType(byte[].class, Object.class));
        newDecapsulator = lookup.findVirtual(kemClass, "newDecapsulator", MethodType.methodType(decapsulator, PrivateKey.class))
                .asType(MethodType.methodType(Object.class, Object.class, PrivateKey.class));
        decapsulate = lookup.findVirtual(decapsulator, "decapsulate", MethodType.methodType(SecretKey.class, byte[].class))
                .asType(MethodType.methodType(SecretKey.class, Object.class, byte[].class));
        rawKeys = takesRawKeys();
    }

    /** A raw 1184-byte key spec, which the JDK 25 factory reads without parsing DER. */
    private static final class RawKeySpec extends EncodedKeySpec {
        RawKeySpec(byte[] key) {
            super(key);
        }

        @Override
        public String getFormat() {
            return "RAW";
        }
    }

    private boolean takesRawKeys() {
        try {
            PublicKey generated = KeyPairGenerator.getInstance(ALGORITHM, provider).generateKeyPair().getPublic();
            byte[] spki = generated.getEncoded();
            byte[] raw = Arrays.copyOfRange(spki, SPKI_HEADER.length, spki.length);
            return Arrays.equals(spki, keyFactory.generatePublic(new RawKeySpec(raw)).getEncoded());
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The client's encapsulation key as the JDK's key object. */
    private PublicKey publicKey(byte[] ek) throws GeneralSecurityException {
        if (rawKeys) {
            return keyFactory.generatePublic(new RawKeySpec(ek));
        }
        byte[] spki = Arrays.copyOf(SPKI_HEADER, SPKI_HEADER.length + ek.length);
        System.arraycopy(ek, 0, spki, SPKI_HEADER.length, ek.length);
        return keyFactory.generatePublic(new X509EncodedKeySpec(spki));
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
        return provider.getName();
    }

    KeyExchange keyExchange(SecureRandom random) {
        return new Exchange(random);
    }

    /** A call through a method handle. */
    private interface Call<T> {
        T run() throws Throwable;
    }

    /** Runs a method-handle call, passing on what the JDK's KEM throws and nothing wider. */
    private static <T> T invoke(Call<T> call) throws GeneralSecurityException {
        try {
            return call.run();
        } catch (GeneralSecurityException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("JDK ML-KEM call failed", t);
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
                KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM, provider);
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
            PublicKey ek;
            try {
                ek = publicKey(clientShare);
            } catch (GeneralSecurityException e) {
                throw new InvalidKeyShareException("MLKEM768 client share rejected: " + e.getMessage(), e);
            }
            try {
                Object encapsulator = invoke(() -> (Object) newEncapsulator.invokeExact(kem, ek));
                Object result = invoke(() -> (Object) encapsulate.invokeExact(encapsulator));
                byte[] ciphertext = invoke(() -> (byte[]) encapsulation.invokeExact(result));
                return new ServerKeyShare(ciphertext, secretBytes(invoke(() -> (SecretKey) encapsulatedKey.invokeExact(result))));
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
                Object decapsulator = invoke(() -> (Object) newDecapsulator.invokeExact(kem, key));
                return secretBytes(invoke(() -> (SecretKey) decapsulate.invokeExact(decapsulator, serverShare)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK ML-KEM-768 decapsulation failed", e);
            }
        }
    }
}
