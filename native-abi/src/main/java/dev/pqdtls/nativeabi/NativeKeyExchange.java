package dev.pqdtls.nativeabi;

import dev.pqdtls.NamedGroup;
import dev.pqdtls.spi.InvalidKeyShareException;
import dev.pqdtls.spi.KeyExchange;
import dev.pqdtls.spi.SingleUseKeyShare;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Ephemeral key exchange in {@code libpqdtls_native} (pk.c), one C call per step: the server's whole
 * answer (key generation, ECDH and/or ML-KEM encapsulation), the client's key generation and its
 * completion. X25519 (RFC 7748) and secp256r1 (uncompressed points, RFC 8446 §4.2.8.2) on any
 * libcrypto 3; ML-KEM-768 and the hybrids of draft-ietf-tls-ecdhe-mlkem when libcrypto ≥ 3.5 has
 * ML-KEM, else the hybrids are composed by the SPI from X25519/secp256r1 here and ML-KEM elsewhere.
 *
 * <p>The peer's share is checked here first (lengths, the uncompressed-point form, the FIPS 203
 * §7.2 modulus check of an encapsulation key), so every message names what is wrong; libcrypto then
 * validates points itself. Ephemeral private keys never leave C; freeing them cleanses them.
 */
public final class NativeKeyExchange implements KeyExchange {
    private final HandshakeCalls calls;
    private final NamedGroup group;

    private NativeKeyExchange(HandshakeCalls calls, NamedGroup group) {
        this.calls = calls;
        this.group = group;
    }

    /** The groups this library and libcrypto can do, asked once per backend (ML-KEM needs libcrypto 3.5). */
    public static Map<NamedGroup, Optional<NativeKeyExchange>> probe(HandshakeCalls calls) {
        Map<NamedGroup, Optional<NativeKeyExchange>> out = new EnumMap<>(NamedGroup.class);
        for (NamedGroup g : NamedGroup.values()) {
            out.put(g, of(calls, g));
        }
        return out;
    }

    /** The native exchange for {@code group}, if this library and libcrypto can do it. */
    public static Optional<NativeKeyExchange> of(HandshakeCalls calls, NamedGroup group) {
        return calls.kexSupported(group.codepoint()) == 1 ? Optional.of(new NativeKeyExchange(calls, group))
                : Optional.empty();
    }

    @Override
    public NamedGroup group() {
        return group;
    }

    @Override
    public ClientKeyShare newClientShare() {
        byte[] share = new byte[group.clientShareLength()];
        long[] handle = new long[1];
        int rc = calls.kexGenerate(group.codepoint(), handle, share);
        NativeStatus.check(rc, group, "key generation");
        return new Share(handle[0], share);
    }

    @Override
    public ServerKeyShare respond(byte[] clientShare) throws InvalidKeyShareException {
        checkPeerShare("client share", clientShare, group.clientShareLength(), MlKemSizes.ENCAPSULATION_KEY);
        byte[] share = new byte[group.serverShareLength()];
        byte[] secret = new byte[group.sharedSecretLength()];
        checkPeer(calls.kexRespond(group.codepoint(), clientShare, share, secret), "client share");
        return new ServerKeyShare(share, secret);
    }

    /** Static ECDH for known-answer tests (X25519 or secp256r1); see {@code CryptoBackend#ecdh}. */
    byte[] ecdh(byte[] privateKey, byte[] peerPublic) throws InvalidKeyShareException {
        PublicKeyRules.checkEcdhPrivateKey(group, privateKey);
        checkPeerShare("peer public value", peerPublic, group.clientShareLength(), 0);
        byte[] secret = new byte[32];
        checkPeer(calls.ecdh(group.codepoint(), privateKey, peerPublic, secret), "peer public value");
        return secret;
    }

    /**
     * The checks that give the peer's mistakes a precise message before libcrypto sees the share:
     * its length, the uncompressed form of a P-256 point (libcrypto would also take the "hybrid"
     * forms 0x06/0x07), and the modulus check of an ML-KEM encapsulation key.
     *
     * @param mlKemPart how long the ML-KEM part of this share is (0 when it has none or is a ciphertext)
     */
    private void checkPeerShare(String what, byte[] share, int expected, int mlKemPart) throws InvalidKeyShareException {
        if (share.length != expected) {
            throw new InvalidKeyShareException(group + " " + what + " is " + share.length + " bytes; expected " + expected);
        }
        boolean p256First = group == NamedGroup.SECP256R1 || group == NamedGroup.SECP256R1_MLKEM768;
        if (p256First && share[0] != 0x04) {
            throw new InvalidKeyShareException(group + " " + what + " is not an uncompressed point (first byte 0x"
                    + Integer.toHexString(share[0] & 0xFF) + ", expected 0x04)");
        }
        if (mlKemPart > 0 && group != NamedGroup.X25519 && group != NamedGroup.SECP256R1) {
            int at = group == NamedGroup.SECP256R1_MLKEM768 ? NamedGroup.SECP256R1.clientShareLength() : 0;
            MlKemSizes.checkEncapsulationKey(Arrays.copyOfRange(share, at, at + mlKemPart));
        }
    }

    /** Turns a status into the peer's fault (InvalidKeyShareException) or ours (IllegalStateException). */
    private void checkPeer(int rc, String what) throws InvalidKeyShareException {
        if (rc == NativeStatus.ERR_PEER) {
            String ecdh = switch (group) {
                case X25519, X25519_MLKEM768 -> "the X25519 shared secret is all zero (RFC 8446 §7.4.2)";
                case SECP256R1, SECP256R1_MLKEM768 -> "not a valid point on secp256r1";
                case MLKEM768 -> null;
            };
            boolean kem = group != NamedGroup.X25519 && group != NamedGroup.SECP256R1;
            throw new InvalidKeyShareException(group + " " + what + " rejected: "
                    + (ecdh == null ? "" : ecdh + (kem ? ", or " : ""))
                    + (kem ? "libcrypto refused the ML-KEM-768 part" : ""));
        }
        NativeStatus.check(rc, group, "key exchange");
    }

    /** The client's pending key pair, freed (and cleansed) in C by close() or finish(). */
    private final class Share extends SingleUseKeyShare<Long> {
        Share(long handle, byte[] publicShare) {
            super(group.toString(), handle, publicShare);
        }

        @Override
        protected byte[] complete(Long handle, byte[] serverShare) throws InvalidKeyShareException {
            checkPeerShare("server share", serverShare, group.serverShareLength(), 0);
            byte[] secret = new byte[group.sharedSecretLength()];
            checkPeer(calls.kexFinish(handle, serverShare, secret), "server share");
            return secret;
        }

        @Override
        protected void release(Long handle) {
            calls.kexFree(handle);
        }
    }
}
