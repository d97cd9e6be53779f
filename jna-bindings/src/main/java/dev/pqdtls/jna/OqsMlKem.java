package dev.pqdtls.jna;

import static dev.pqdtls.nativeabi.MlKemSizes.CIPHERTEXT;
import static dev.pqdtls.nativeabi.MlKemSizes.DECAPSULATION_KEY;
import static dev.pqdtls.nativeabi.MlKemSizes.ENCAPSULATION_KEY;
import static dev.pqdtls.nativeabi.MlKemSizes.KEYGEN_SEED;
import static dev.pqdtls.nativeabi.MlKemSizes.SHARED_SECRET;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.nativeabi.LiboqsLoader;
import dev.pqdtls.nativeabi.MlKemSizes;
import dev.pqdtls.nativeabi.MlKemSources;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.MlKemKnownAnswer;
import dev.pqdtls.spi.SingleUseKeyShare;
import java.util.Optional;

/**
 * ML-KEM-768 from liboqs (optional; found by {@link LiboqsLoader}), called through JNA's
 * {@link Function} objects: these are handshake-time calls, a few per connection. The client's
 * decapsulation key lives in native memory of its own, wiped by close() or finish().
 */
final class OqsMlKem implements KeyExchange {
    /** OQS_STATUS OQS_SUCCESS. */
    private static final int OQS_SUCCESS = 0;
    private static final LiboqsLoader.Loaded<NativeLibrary> LIBRARY = LiboqsLoader.load(new Binder());

    private final NativeLibrary lib;
    private final Pointer kem;
    private final String implementation;

    private OqsMlKem(NativeLibrary lib, Pointer kem, String version) {
        this.lib = lib;
        this.kem = kem;
        this.implementation = "liboqs " + version;
    }

    /** Opens candidates with {@link NativeLibrary#getInstance(String)}. */
    private static final class Binder implements LiboqsLoader.Binder<NativeLibrary> {
        @Override
        public NativeLibrary open(String nameOrPath) {
            return NativeLibrary.getInstance(nameOrPath);
        }

        @Override
        public boolean isLiboqs(NativeLibrary library) {
            return find(library, "OQS_version") != null && find(library, "OQS_KEM_new") != null;
        }

        @Override
        public String initAndVersion(NativeLibrary library) {
            Function init = find(library, "OQS_init");
            if (init != null) {
                init.invokeVoid(new Object[0]);
            }
            return library.getFunction("OQS_version").invokePointer(new Object[0]).getString(0);
        }
    }

    private static Function find(NativeLibrary library, String name) {
        try {
            return library.getFunction(name);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /** For the probe: "0.14.0 at /path" or "not found: ...". */
    static String describe() {
        return LIBRARY.describe();
    }

    /** The liboqs source, or why there is none. */
    static MlKemSources.Candidate probe() {
        if (LIBRARY.failure() != null) {
            return MlKemSources.Candidate.unavailable("liboqs " + LIBRARY.failure());
        }
        NativeLibrary lib = LIBRARY.library();
        String version = LIBRARY.version();
        for (String fn : new String[] {"OQS_KEM_free", "OQS_KEM_keypair", "OQS_KEM_encaps", "OQS_KEM_decaps"}) {
            if (find(lib, fn) == null) {
                return MlKemSources.Candidate.unavailable("liboqs " + version + " lacks the OQS_KEM_* functions");
            }
        }
        Pointer kem = lib.getFunction("OQS_KEM_new").invokePointer(new Object[] {"ML-KEM-768"});
        if (kem == null) {
            return MlKemSources.Candidate.unavailable("liboqs " + version + " was built without ML-KEM-768");
        }
        // Trust the buffer sizes only after liboqs confirms them: struct OQS_KEM begins
        // {char*, char*, uint8_t, bool, size_t pk, size_t sk, size_t ct, size_t ss, ...}.
        long pk = kem.getLong(24);
        long sk = kem.getLong(32);
        long ct = kem.getLong(40);
        long ss = kem.getLong(48);
        if (pk != ENCAPSULATION_KEY || sk != DECAPSULATION_KEY || ct != CIPHERTEXT || ss != SHARED_SECRET) {
            lib.getFunction("OQS_KEM_free").invokeVoid(new Object[] {kem});
            return MlKemSources.Candidate.unavailable("liboqs " + version + " reports ML-KEM-768 sizes " + pk + "/" + sk
                    + "/" + ct + "/" + ss + ", not FIPS 203's");
        }
        OqsMlKem oqs = new OqsMlKem(lib, kem, version);
        return MlKemSources.Candidate.of(oqs, oqs.implementation, oqs.knownAnswer());
    }

    /** Deterministic operations when this liboqs has the *_derand functions and they work for ML-KEM-768. */
    private Optional<MlKemKnownAnswer> knownAnswer() {
        if (find(lib, "OQS_KEM_keypair_derand") == null || find(lib, "OQS_KEM_encaps_derand") == null) {
            return Optional.empty();
        }
        try (NativeScope scope = new NativeScope()) {
            int rc = call("OQS_KEM_keypair_derand", scope.allocate(ENCAPSULATION_KEY).address,
                    scope.allocate(DECAPSULATION_KEY).address, scope.allocate(KEYGEN_SEED).address);
            return rc == OQS_SUCCESS ? Optional.of(new KnownAnswer()) : Optional.empty();
        }
    }

    private int call(String function, long... addresses) {
        Object[] args = new Object[addresses.length + 1];
        args[0] = kem;
        for (int i = 0; i < addresses.length; i++) {
            args[i + 1] = new Pointer(addresses[i]);
        }
        return lib.getFunction(function).invokeInt(args);
    }

    @Override
    public NamedGroup group() {
        return NamedGroup.MLKEM768;
    }

    @Override
    public ClientKeyShare newClientShare() {
        NativeMemory sk = NativeMemory.allocate(DECAPSULATION_KEY, 16);
        try (NativeScope scope = new NativeScope()) {
            NativeMemory pk = scope.allocate(ENCAPSULATION_KEY);
            int rc = call("OQS_KEM_keypair", pk.address, sk.address);
            if (rc != OQS_SUCCESS) {
                throw new IllegalStateException("OQS_KEM_keypair(ML-KEM-768) failed: " + rc);
            }
            return new Share(sk, pk.get(0, ENCAPSULATION_KEY));
        } catch (RuntimeException e) {
            sk.wipe(sk.size());
            throw e;
        }
    }

    @Override
    public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
        MlKemKnownAnswer.Encapsulation e = encapsulate(clientShare, null);
        return new ServerKeyShare(e.ciphertext(), e.sharedSecret());
    }

    private MlKemKnownAnswer.Encapsulation encapsulate(byte[] ek, byte[] m) throws InvalidKeyShareException {
        MlKemSizes.checkEncapsulationKey(ek);
        try (NativeScope scope = new NativeScope()) {
            NativeMemory ct = scope.allocate(CIPHERTEXT);
            NativeMemory ss = scope.allocate(SHARED_SECRET);
            int rc = m == null ? call("OQS_KEM_encaps", ct.address, ss.address, scope.copyIn(ek))
                    : call("OQS_KEM_encaps_derand", ct.address, ss.address, scope.copyIn(ek), scope.copyIn(m));
            if (rc != OQS_SUCCESS) {
                // Newer liboqs re-checks the key itself; ours already passed FIPS 203 §7.2.
                throw new InvalidKeyShareException("OQS_KEM_encaps(ML-KEM-768) rejected the encapsulation key: " + rc);
            }
            return new MlKemKnownAnswer.Encapsulation(ct.get(0, CIPHERTEXT), ss.get(0, SHARED_SECRET));
        }
    }

    private byte[] decapsulate(long sk, byte[] ciphertext) throws InvalidKeyShareException {
        MlKemSizes.checkLength("ciphertext", ciphertext, CIPHERTEXT);
        try (NativeScope scope = new NativeScope()) {
            NativeMemory ss = scope.allocate(SHARED_SECRET);
            int rc = call("OQS_KEM_decaps", ss.address, scope.copyIn(ciphertext), sk);
            if (rc != OQS_SUCCESS) {
                throw new IllegalStateException("OQS_KEM_decaps(ML-KEM-768) failed: " + rc);
            }
            return ss.get(0, SHARED_SECRET);
        }
    }

    /** The decapsulation key in native memory of its own, wiped on close or finish. */
    private final class Share extends SingleUseKeyShare<NativeMemory> {
        Share(NativeMemory sk, byte[] publicShare) {
            super("ML-KEM-768", sk, publicShare);
        }

        @Override
        protected byte[] complete(NativeMemory sk, byte[] serverShare) throws InvalidKeyShareException {
            return decapsulate(sk.address, serverShare);
        }

        @Override
        protected void release(NativeMemory sk) {
            sk.wipe(sk.size());
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
            try (NativeScope scope = new NativeScope()) {
                NativeMemory pk = scope.allocate(ENCAPSULATION_KEY);
                NativeMemory sk = scope.allocate(DECAPSULATION_KEY);
                int rc = call("OQS_KEM_keypair_derand", pk.address, sk.address, scope.copyIn(seed));
                if (rc != OQS_SUCCESS) {
                    throw new IllegalStateException("OQS_KEM_keypair_derand(ML-KEM-768) failed: " + rc);
                }
                return new KeyPair(pk.get(0, ENCAPSULATION_KEY), sk.get(0, DECAPSULATION_KEY));
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
            try (NativeScope scope = new NativeScope()) {
                return OqsMlKem.this.decapsulate(scope.copyIn(decapsulationKey), ciphertext);
            }
        }
    }
}
