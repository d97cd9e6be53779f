package dev.pqdtls.ffm;

import static dev.pqdtls.nativeabi.MlKemSizes.CIPHERTEXT;
import static dev.pqdtls.nativeabi.MlKemSizes.DECAPSULATION_KEY;
import static dev.pqdtls.nativeabi.MlKemSizes.ENCAPSULATION_KEY;
import static dev.pqdtls.nativeabi.MlKemSizes.KEYGEN_SEED;
import static dev.pqdtls.nativeabi.MlKemSizes.SHARED_SECRET;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.nativeabi.MlKemSizes;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import dev.pqdtls.spi.SingleUseKeyShare;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * ML-KEM-768 from liboqs (OQS_KEM_new("ML-KEM-768")). The client's decapsulation key lives in a
 * native segment of its own arena, zeroed and freed by close() or finish(). The OQS_KEM object is
 * immutable and shared; liboqs keeps no per-call state in it.
 */
final class OqsMlKem implements KeyExchange {
    /** OQS_STATUS OQS_SUCCESS. */
    private static final int OQS_SUCCESS = 0;

    private final OqsLibrary lib;
    private final MemorySegment kem;
    private final String implementation;

    private OqsMlKem(OqsLibrary lib, MemorySegment kem) {
        this.lib = lib;
        this.kem = kem;
        this.implementation = "liboqs " + lib.version();
    }

    /** The liboqs source, or why there is none. */
    static Probe probe() {
        OqsLibrary lib = OqsLibrary.get();
        if (lib.unavailableReason().isPresent()) {
            return new Probe(Optional.empty(), "liboqs " + lib.unavailableReason().get());
        }
        if (lib.kemNew == null || lib.keypair == null || lib.encaps == null || lib.decaps == null) {
            return new Probe(Optional.empty(), "liboqs " + lib.version() + " lacks the OQS_KEM_* functions");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment kem = (MemorySegment) lib.kemNew.invokeExact(arena.allocateFrom("ML-KEM-768"));
            if (kem.equals(MemorySegment.NULL)) {
                return new Probe(Optional.empty(), "liboqs " + lib.version() + " was built without ML-KEM-768");
            }
            // Trust the buffer sizes only after liboqs confirms them: struct OQS_KEM begins
            // {char*, char*, uint8_t, bool, size_t pk, size_t sk, size_t ct, size_t ss, ...}.
            MemorySegment s = kem.reinterpret(56);
            long pk = s.get(JAVA_LONG, 24);
            long sk = s.get(JAVA_LONG, 32);
            long ct = s.get(JAVA_LONG, 40);
            long ss = s.get(JAVA_LONG, 48);
            if (pk != ENCAPSULATION_KEY || sk != DECAPSULATION_KEY || ct != CIPHERTEXT || ss != SHARED_SECRET) {
                lib.kemFree.invokeExact(kem);
                return new Probe(Optional.empty(), "liboqs " + lib.version() + " reports ML-KEM-768 sizes " + pk
                        + "/" + sk + "/" + ct + "/" + ss + ", not FIPS 203's");
            }
            return new Probe(Optional.of(new OqsMlKem(lib, kem)), null);
        } catch (Throwable t) {
            return new Probe(Optional.empty(), "liboqs " + lib.version() + ": " + t);
        }
    }

    record Probe(Optional<OqsMlKem> kem, String reason) {
    }

    String implementation() {
        return implementation;
    }

    /**
     * Deterministic operations when this liboqs has OQS_KEM_keypair_derand/encaps_derand and they
     * work for ML-KEM-768 (checked once with a trial key generation).
     */
    Optional<MlKemKnownAnswer> knownAnswer() {
        if (lib.keypairDerand == null || lib.encapsDerand == null) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) lib.keypairDerand.invokeExact(kem, arena.allocate(ENCAPSULATION_KEY),
                    arena.allocate(DECAPSULATION_KEY), arena.allocate(KEYGEN_SEED));
            return rc == OQS_SUCCESS ? Optional.of(new KnownAnswer()) : Optional.empty();
        } catch (Throwable t) {
            return Optional.empty();
        }
    }

    @Override
    public NamedGroup group() {
        return NamedGroup.MLKEM768;
    }

    @Override
    public ClientKeyShare newClientShare() {
        Arena keyArena = Arena.ofShared();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pk = arena.allocate(ENCAPSULATION_KEY);
            MemorySegment sk = keyArena.allocate(DECAPSULATION_KEY);
            int rc = (int) lib.keypair.invokeExact(kem, pk, sk);
            if (rc != OQS_SUCCESS) {
                throw new IllegalStateException("OQS_KEM_keypair(ML-KEM-768) failed: " + rc);
            }
            return new Share(keyArena, sk, pk.toArray(JAVA_BYTE));
        } catch (Throwable t) {
            keyArena.close();
            throw PublicKeyLibcrypto.rethrow(t);
        }
    }

    @Override
    public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
        MlKemKnownAnswer.Encapsulation e = encapsulate(clientShare, null);
        return new ServerKeyShare(e.ciphertext(), e.sharedSecret());
    }

    private MlKemKnownAnswer.Encapsulation encapsulate(byte[] ek, byte[] m) throws InvalidKeyShareException {
        MlKemSizes.checkEncapsulationKey(ek);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ct = arena.allocate(CIPHERTEXT);
            MemorySegment ss = arena.allocate(SHARED_SECRET);
            MemorySegment pk = PublicKeyLibcrypto.copyIn(arena, ek);
            int rc;
            if (m == null) {
                rc = (int) lib.encaps.invokeExact(kem, ct, ss, pk);
            } else {
                MemorySegment coins = PublicKeyLibcrypto.copyIn(arena, m);
                rc = (int) lib.encapsDerand.invokeExact(kem, ct, ss, pk, coins);
                coins.fill((byte) 0);
            }
            byte[] secret = ss.toArray(JAVA_BYTE);
            ss.fill((byte) 0);
            if (rc != OQS_SUCCESS) {
                java.util.Arrays.fill(secret, (byte) 0);
                // Newer liboqs re-checks the key itself; ours already passed FIPS 203 §7.2.
                throw new InvalidKeyShareException("OQS_KEM_encaps(ML-KEM-768) rejected the encapsulation key: "
                        + rc);
            }
            return new MlKemKnownAnswer.Encapsulation(ct.toArray(JAVA_BYTE), secret);
        } catch (InvalidKeyShareException e) {
            throw e;
        } catch (Throwable t) {
            throw PublicKeyLibcrypto.rethrow(t);
        }
    }

    private byte[] decapsulate(MemorySegment sk, byte[] ciphertext) throws InvalidKeyShareException {
        MlKemSizes.checkLength("ciphertext", ciphertext, CIPHERTEXT);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ss = arena.allocate(SHARED_SECRET);
            int rc = (int) lib.decaps.invokeExact(kem, ss, PublicKeyLibcrypto.copyIn(arena, ciphertext), sk);
            byte[] secret = ss.toArray(JAVA_BYTE);
            ss.fill((byte) 0);
            if (rc != OQS_SUCCESS) {
                java.util.Arrays.fill(secret, (byte) 0);
                throw new IllegalStateException("OQS_KEM_decaps(ML-KEM-768) failed: " + rc);
            }
            return secret;
        } catch (Throwable t) {
            throw PublicKeyLibcrypto.rethrow(t);
        }
    }

    /** The decapsulation key {@code sk}, allocated in {@code keyArena}, which closes with it. */
    private final class Share extends SingleUseKeyShare<MemorySegment> {
        private final Arena keyArena;

        Share(Arena keyArena, MemorySegment sk, byte[] publicShare) {
            super("ML-KEM-768", sk, publicShare);
            this.keyArena = keyArena;
            NativeContexts.created(NativeContexts.Kind.KEY_SHARE);
        }

        @Override
        protected byte[] complete(MemorySegment sk, byte[] serverShare) throws InvalidKeyShareException {
            return decapsulate(sk, serverShare);
        }

        @Override
        protected void release(MemorySegment sk) {
            sk.fill((byte) 0);
            keyArena.close();
            NativeContexts.freed(NativeContexts.Kind.KEY_SHARE);
        }
    }

    private final class KnownAnswer implements MlKemKnownAnswer {
        @Override
        public String implementation() {
            return implementation;
        }

        @Override
        public KeyPair keyGen(byte[] seed) {
            MlKemSizes.checkSeed(seed);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment pk = arena.allocate(ENCAPSULATION_KEY);
                MemorySegment sk = arena.allocate(DECAPSULATION_KEY);
                MemorySegment coins = PublicKeyLibcrypto.copyIn(arena, seed);
                int rc = (int) lib.keypairDerand.invokeExact(kem, pk, sk, coins);
                coins.fill((byte) 0);
                byte[] dk = sk.toArray(JAVA_BYTE);
                sk.fill((byte) 0);
                if (rc != OQS_SUCCESS) {
                    throw new IllegalStateException("OQS_KEM_keypair_derand(ML-KEM-768) failed: " + rc);
                }
                return new KeyPair(pk.toArray(JAVA_BYTE), dk);
            } catch (Throwable t) {
                throw PublicKeyLibcrypto.rethrow(t);
            }
        }

        @Override
        public Encapsulation encapsulate(byte[] encapsulationKey, byte[] m) throws InvalidKeyShareException {
            MlKemSizes.checkRandomness(m);
            return OqsMlKem.this.encapsulate(encapsulationKey, m);
        }

        @Override
        public byte[] decapsulate(byte[] decapsulationKey, byte[] ciphertext) throws InvalidKeyShareException {
            MlKemSizes.checkDecapsulationKey(decapsulationKey);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sk = PublicKeyLibcrypto.copyIn(arena, decapsulationKey);
                try {
                    return OqsMlKem.this.decapsulate(sk, ciphertext);
                } finally {
                    sk.fill((byte) 0);
                }
            }
        }
    }
}
