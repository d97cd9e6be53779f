package dev.pqdtls.jna;

import static dev.pqdtls.jna.Evp.check;
import static dev.pqdtls.jna.Evp.checkNotNull;
import static dev.pqdtls.jna.Evp.clearErrors;
import static dev.pqdtls.jna.Evp.drainErrors;
import static dev.pqdtls.jna.Evp.freeCtx;
import static dev.pqdtls.jna.Evp.freeKey;
import static dev.pqdtls.jna.LibcryptoNative.*;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.nativeabi.PublicKeyRules;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;

/**
 * Ephemeral ECDH over libcrypto's EVP_PKEY API for X25519 (RFC 7748) and secp256r1 (uncompressed
 * points, RFC 8446 §4.2.8.2), as in the ffm backend. The ephemeral private key never leaves its
 * EVP_PKEY, which EVP_PKEY_free cleanses.
 */
final class EcdhKeyExchange implements KeyExchange {
    private static final EcdhKeyExchange X25519 = new EcdhKeyExchange(NamedGroup.X25519);
    private static final EcdhKeyExchange SECP256R1 = new EcdhKeyExchange(NamedGroup.SECP256R1);

    private final NamedGroup group;

    private EcdhKeyExchange(NamedGroup group) {
        this.group = group;
    }

    static EcdhKeyExchange of(NamedGroup group) {
        return switch (group) {
            case X25519 -> X25519;
            case SECP256R1 -> SECP256R1;
            default -> throw new IllegalArgumentException(group + " is not an ECDH group");
        };
    }

    @Override
    public NamedGroup group() {
        return group;
    }

    @Override
    public ClientKeyShare newClientShare() {
        return Evp.shareAround(generate(), pkey -> new Share(pkey, publicShare(pkey)));
    }

    @Override
    public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
        PublicKeyRules.checkEcdhShare(group, "client share", clientShare);
        long pkey = generate();
        try {
            byte[] secret = derive(pkey, clientShare);
            return new ServerKeyShare(publicShare(pkey), secret);
        } finally {
            freeKey(pkey);
            clearErrors();
        }
    }

    /** Static ECDH for known-answer tests; see {@link dev.pqdtls.spi.CryptoBackend#ecdh}. */
    byte[] ecdh(byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        PublicKeyRules.checkEcdhPrivateKey(group, privateKey);
        PublicKeyRules.checkEcdhShare(group, "peer public value", peerPublic);
        long pkey = importPrivate(privateKey);
        try {
            return derive(pkey, peerPublic);
        } finally {
            freeKey(pkey);
            clearErrors();
        }
    }

    private long generate() {
        long ctx = 0;
        try {
            String name = group == NamedGroup.X25519 ? "X25519" : "EC";
            ctx = checkNotNull(EVP_PKEY_CTX_new_from_name(0, name, null), "EVP_PKEY_CTX_new_from_name(" + name + ")");
            check(EVP_PKEY_keygen_init(ctx), "EVP_PKEY_keygen_init");
            if (group == NamedGroup.SECP256R1) {
                check(EVP_PKEY_CTX_set_group_name(ctx, "P-256"), "EVP_PKEY_CTX_set_group_name(P-256)");
            }
            return Evp.generate(ctx, group.toString());
        } finally {
            freeCtx(ctx);
        }
    }

    private byte[] publicShare(long pkey) {
        if (group == NamedGroup.SECP256R1) {
            byte[] point = Evp.octetParam(pkey, "encoded-pub-key", 65);
            if (point[0] != 0x04) {
                throw new IllegalStateException("libcrypto encoded the P-256 point compressed");
            }
            return point;
        }
        try (NativeScope scope = new NativeScope()) {
            NativeMemory buf = scope.allocate(32);
            NativeMemory len = scope.cell(32);
            check(EVP_PKEY_get_raw_public_key(pkey, buf.address, len.address), "EVP_PKEY_get_raw_public_key");
            if (len.buffer.getLong(0) != 32) {
                throw new IllegalStateException("X25519 public key is " + len.buffer.getLong(0) + " bytes");
            }
            return buf.get(0, 32);
        }
    }

    /** The peer's public value as an EVP_PKEY; an invalid or off-curve point is the peer's fault. */
    private long importPublic(NativeScope scope, byte[] peer) throws InvalidKeyShareException {
        long pkey;
        if (group == NamedGroup.X25519) {
            pkey = EVP_PKEY_new_raw_public_key_ex(0, "X25519", null, scope.copyIn(peer), peer.length);
        } else {
            pkey = fromData(scope, PublicKeyRules.EVP_PKEY_PUBLIC_KEY, scope.utf8("group", "prime256v1"),
                    scope.octets("pub", peer));
        }
        if (pkey == 0) {
            throw new InvalidKeyShareException(group + " peer public value rejected: " + drainErrors());
        }
        return pkey;
    }

    private long importPrivate(byte[] privateKey) {
        try (NativeScope scope = new NativeScope()) {
            long pkey;
            if (group == NamedGroup.X25519) {
                pkey = EVP_PKEY_new_raw_private_key_ex(0, "X25519", null, scope.copyIn(privateKey), privateKey.length);
            } else {
                pkey = fromData(scope, PublicKeyRules.EVP_PKEY_KEYPAIR, scope.utf8("group", "prime256v1"),
                        scope.unsignedBigEndian("priv", privateKey));
            }
            return checkNotNull(pkey, group + " private key import");
        }
    }

    private static long fromData(NativeScope scope, int selection, NativeScope.Param... params) {
        long ctx = checkNotNull(EVP_PKEY_CTX_new_from_name(0, "EC", null), "EVP_PKEY_CTX_new_from_name(EC)");
        try {
            check(EVP_PKEY_fromdata_init(ctx), "EVP_PKEY_fromdata_init");
            NativeMemory out = scope.cell(0);
            return EVP_PKEY_fromdata(ctx, out.address, selection, scope.params(params)) == 1 ? out.buffer.getLong(0) : 0;
        } finally {
            freeCtx(ctx);
        }
    }

    /**
     * ECDH between our key and the peer's value. The peer key is validated by
     * EVP_PKEY_derive_set_peer_ex (on the curve, not the identity); X25519's all-zero result is refused
     * by libcrypto and checked again (RFC 8446 §7.4.2).
     */
    private byte[] derive(long pkey, byte[] peer) throws InvalidKeyShareException {
        long ctx = 0;
        long peerKey = 0;
        try (NativeScope scope = new NativeScope()) {
            peerKey = importPublic(scope, peer);
            ctx = checkNotNull(EVP_PKEY_CTX_new_from_pkey(0, pkey, null), "EVP_PKEY_CTX_new_from_pkey");
            check(EVP_PKEY_derive_init(ctx), "EVP_PKEY_derive_init");
            if (EVP_PKEY_derive_set_peer_ex(ctx, peerKey, 1) != 1) {
                throw new InvalidKeyShareException(group + " peer public value rejected: " + drainErrors());
            }
            NativeMemory secret = scope.allocate(32);
            NativeMemory len = scope.cell(32);
            if (EVP_PKEY_derive(ctx, secret.address, len.address) != 1) {
                String why = drainErrors();
                throw new InvalidKeyShareException(group == NamedGroup.X25519
                        ? "X25519 shared secret is all zero (RFC 8446 §7.4.2): " + why
                        : group + " ECDH failed: " + why);
            }
            if (len.buffer.getLong(0) != 32) {
                throw new IllegalStateException(group + " shared secret is " + len.buffer.getLong(0) + " bytes");
            }
            byte[] out = secret.get(0, 32);
            PublicKeyRules.checkSecret(group, out);
            return out;
        } finally {
            freeCtx(ctx);
            freeKey(peerKey);
        }
    }

    /** The client's pending key: an EVP_PKEY freed (and so cleansed) by close() or finish(). */
    private final class Share extends Evp.KeyShare {
        Share(long pkey, byte[] publicShare) {
            super(group.toString(), pkey, publicShare);
        }

        @Override
        protected byte[] agree(long pkey, byte[] serverShare) throws InvalidKeyShareException {
            PublicKeyRules.checkEcdhShare(group, "server share", serverShare);
            return derive(pkey, serverShare);
        }
    }
}
