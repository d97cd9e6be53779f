package dev.pqdtls.ffm;

import static dev.pqdtls.ffm.PublicKeyLibcrypto.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.nativeabi.PublicKeyRules;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Ephemeral ECDH over libcrypto's EVP_PKEY API for X25519 (RFC 7748) and secp256r1 (uncompressed
 * points, RFC 8446 §4.2.8.2). The ephemeral private key never leaves its EVP_PKEY, which
 * EVP_PKEY_free cleanses.
 */
final class EcdhKeyExchange implements KeyExchange {
    static final EcdhKeyExchange X25519 = new EcdhKeyExchange(NamedGroup.X25519);
    static final EcdhKeyExchange SECP256R1 = new EcdhKeyExchange(NamedGroup.SECP256R1);

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
        return shareAround(generate(), pkey -> new Share(pkey, publicShare(pkey)));
    }

    @Override
    public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
        checkShare("client share", clientShare);
        MemorySegment pkey = generate();
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
        checkShare("peer public value", peerPublic);
        MemorySegment pkey = importPrivate(privateKey);
        try {
            return derive(pkey, peerPublic);
        } finally {
            freeKey(pkey);
            clearErrors();
        }
    }

    private void checkShare(String what, byte[] share) throws InvalidKeyShareException {
        PublicKeyRules.checkEcdhShare(group, what, share);
    }

    private MemorySegment generate() {
        MemorySegment ctx = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            String name = group == NamedGroup.X25519 ? "X25519" : "EC";
            ctx = checkNotNull((MemorySegment) EVP_PKEY_CTX_new_from_name.invokeExact(MemorySegment.NULL,
                    cString(arena, name), MemorySegment.NULL), "EVP_PKEY_CTX_new_from_name(" + name + ")");
            check((int) EVP_PKEY_keygen_init.invokeExact(ctx), "EVP_PKEY_keygen_init");
            if (group == NamedGroup.SECP256R1) {
                check((int) EVP_PKEY_CTX_set_group_name.invokeExact(ctx, cString(arena, "P-256")),
                        "EVP_PKEY_CTX_set_group_name(P-256)");
            }
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) EVP_PKEY_generate.invokeExact(ctx, out), group + " key generation");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            freeCtx(ctx);
        }
    }

    private byte[] publicShare(MemorySegment pkey) {
        if (group == NamedGroup.SECP256R1) {
            byte[] point = octetParam(pkey, "encoded-pub-key", 65);
            if (point[0] != 0x04) {
                throw new IllegalStateException("libcrypto encoded the P-256 point compressed");
            }
            return point;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(32);
            MemorySegment len = sizeCell(arena, 32);
            check((int) EVP_PKEY_get_raw_public_key.invokeExact(pkey, buf, len), "EVP_PKEY_get_raw_public_key");
            if (len.get(JAVA_LONG, 0) != 32) {
                throw new IllegalStateException("X25519 public key is " + len.get(JAVA_LONG, 0) + " bytes");
            }
            return buf.toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The peer's public value as an EVP_PKEY; an invalid or off-curve point is the peer's fault. */
    private MemorySegment importPublic(Arena arena, byte[] peer) throws InvalidKeyShareException {
        try {
            MemorySegment pkey;
            if (group == NamedGroup.X25519) {
                pkey = (MemorySegment) EVP_PKEY_new_raw_public_key_ex.invokeExact(MemorySegment.NULL,
                        cString(arena, "X25519"), MemorySegment.NULL, copyIn(arena, peer), (long) peer.length);
            } else {
                pkey = fromData(arena, PublicKeyRules.EVP_PKEY_PUBLIC_KEY,
                        Param.utf8(arena, "group", "prime256v1"), Param.octets(arena, "pub", peer));
            }
            if (pkey.equals(MemorySegment.NULL)) {
                throw new InvalidKeyShareException(group + " peer public value rejected: " + drainErrors());
            }
            return pkey;
        } catch (InvalidKeyShareException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private MemorySegment importPrivate(byte[] privateKey) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pkey;
            if (group == NamedGroup.X25519) {
                MemorySegment priv = copyIn(arena, privateKey);
                pkey = (MemorySegment) EVP_PKEY_new_raw_private_key_ex.invokeExact(MemorySegment.NULL,
                        cString(arena, "X25519"), MemorySegment.NULL, priv, (long) privateKey.length);
                priv.fill((byte) 0);
            } else {
                Param priv = Param.unsignedBigEndian(arena, "priv", privateKey);
                pkey = fromData(arena, PublicKeyRules.EVP_PKEY_KEYPAIR, Param.utf8(arena, "group", "prime256v1"), priv);
                priv.data().fill((byte) 0);
            }
            return checkNotNull(pkey, group + " private key import");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment fromData(Arena arena, int selection, Param... params) throws Throwable {
        MemorySegment ctx = (MemorySegment) EVP_PKEY_CTX_new_from_name.invokeExact(MemorySegment.NULL,
                cString(arena, "EC"), MemorySegment.NULL);
        checkNotNull(ctx, "EVP_PKEY_CTX_new_from_name(EC)");
        try {
            check((int) EVP_PKEY_fromdata_init.invokeExact(ctx), "EVP_PKEY_fromdata_init");
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) EVP_PKEY_fromdata.invokeExact(ctx, out, selection, params(arena, params));
            return rc == 1 ? out.get(ADDRESS, 0) : MemorySegment.NULL;
        } finally {
            freeCtx(ctx);
        }
    }

    /**
     * ECDH between our key and the peer's value. The peer key is validated by
     * EVP_PKEY_derive_set_peer_ex (on the curve, not the identity), and X25519's all-zero result is
     * refused by libcrypto and checked again here (RFC 8446 §7.4.2).
     */
    private byte[] derive(MemorySegment pkey, byte[] peer) throws InvalidKeyShareException {
        MemorySegment ctx = MemorySegment.NULL;
        MemorySegment peerKey = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            peerKey = importPublic(arena, peer);
            ctx = checkNotNull((MemorySegment) EVP_PKEY_CTX_new_from_pkey.invokeExact(MemorySegment.NULL, pkey,
                    MemorySegment.NULL), "EVP_PKEY_CTX_new_from_pkey");
            check((int) EVP_PKEY_derive_init.invokeExact(ctx), "EVP_PKEY_derive_init");
            if ((int) EVP_PKEY_derive_set_peer_ex.invokeExact(ctx, peerKey, 1) != 1) {
                throw new InvalidKeyShareException(group + " peer public value rejected: " + drainErrors());
            }
            MemorySegment secret = arena.allocate(32);
            MemorySegment len = sizeCell(arena, 32);
            if ((int) EVP_PKEY_derive.invokeExact(ctx, secret, len) != 1) {
                String why = drainErrors();
                throw new InvalidKeyShareException(group == NamedGroup.X25519
                        ? "X25519 shared secret is all zero (RFC 8446 §7.4.2): " + why
                        : group + " ECDH failed: " + why);
            }
            byte[] out = secret.toArray(JAVA_BYTE);
            secret.fill((byte) 0);
            if (len.get(JAVA_LONG, 0) != 32) {
                java.util.Arrays.fill(out, (byte) 0);
                throw new IllegalStateException(group + " shared secret is " + len.get(JAVA_LONG, 0) + " bytes");
            }
            PublicKeyRules.checkSecret(group, out);
            return out;
        } catch (InvalidKeyShareException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            freeCtx(ctx);
            freeKey(peerKey);
        }
    }

    /** The client's pending key: an EVP_PKEY freed (and so cleansed) by close() or finish(). */
    private final class Share extends EvpKeyShare {
        Share(MemorySegment pkey, byte[] publicShare) {
            super(group.toString(), pkey, publicShare);
        }

        @Override
        protected byte[] agree(MemorySegment pkey, byte[] serverShare) throws InvalidKeyShareException {
            checkShare("server share", serverShare);
            return derive(pkey, serverShare);
        }
    }
}
