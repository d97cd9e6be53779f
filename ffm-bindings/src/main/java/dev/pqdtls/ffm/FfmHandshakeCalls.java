package dev.pqdtls.ffm;

import static dev.pqdtls.ffm.PublicKeyLibcrypto.copyIn;
import static java.lang.foreign.MemorySegment.ofArray;

import dev.pqdtls.nativeabi.HandshakeCalls;
import dev.pqdtls.nativeabi.NativeStatus;
import dev.pqdtls.nativeabi.PublicKeyRules;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * The handshake's C calls (kdf.c, pk.c) through FFM: the short ones are critical downcalls that take
 * the Java arrays in place; signing and verifying, which may run for milliseconds (RSA), copy their
 * arrays into a confined arena instead. Client key shares count in {@link NativeContexts}.
 */
final class FfmHandshakeCalls implements HandshakeCalls {
    static final FfmHandshakeCalls INSTANCE = new FfmHandshakeCalls();

    private FfmHandshakeCalls() {
    }

    @Override
    public int digest(int hash, byte[] data, byte[] out) {
        try {
            return (int) NativeAbi.DIGEST.invokeExact(hash, ofArray(data), (long) data.length, ofArray(out));
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int scheduleStep(int hash, byte[] prefix, byte[] previous, byte[] ikm, byte[] transcriptHash,
            byte[] labels, int keyed, int keyLength, byte[] out) {
        try {
            return (int) NativeAbi.TLS13_SCHEDULE_STEP.invokeExact(hash, ofArray(prefix), prefix.length,
                    ofArray(previous), previous.length, ofArray(ikm), ikm.length, ofArray(transcriptHash),
                    transcriptHash.length, ofArray(labels), labels.length, keyed, keyLength, ofArray(out), out.length);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int trafficKeys(int hash, byte[] prefix, byte[] secret, int keyLength, byte[] out) {
        try {
            return (int) NativeAbi.TLS13_TRAFFIC_KEYS.invokeExact(hash, ofArray(prefix), prefix.length, ofArray(secret),
                    secret.length, keyLength, ofArray(out), out.length);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int finished(int hash, byte[] prefix, byte[] baseKey, byte[] transcriptHash, byte[] out) {
        try {
            return (int) NativeAbi.TLS13_FINISHED.invokeExact(hash, ofArray(prefix), prefix.length, ofArray(baseKey),
                    baseKey.length, ofArray(transcriptHash), transcriptHash.length, ofArray(out));
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int kexSupported(int group) {
        try {
            return (int) NativeAbi.KEX_SUPPORTED.invokeExact(group);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int kexRespond(int group, byte[] clientShare, byte[] share, byte[] secret) {
        try {
            return (int) NativeAbi.KEX_RESPOND.invokeExact(group, ofArray(clientShare), clientShare.length,
                    ofArray(share), share.length, ofArray(secret), secret.length);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int kexGenerate(int group, long[] handle, byte[] share) {
        int rc;
        try {
            rc = (int) NativeAbi.KEX_GENERATE.invokeExact(group, ofArray(handle), ofArray(share), share.length);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
        if (rc == NativeStatus.OK) {
            NativeContexts.created(NativeContexts.Kind.KEY_SHARE);
        }
        return rc;
    }

    @Override
    public int kexFinish(long handle, byte[] serverShare, byte[] secret) {
        try {
            return (int) NativeAbi.KEX_FINISH.invokeExact(MemorySegment.ofAddress(handle), ofArray(serverShare),
                    serverShare.length, ofArray(secret), secret.length);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public void kexFree(long handle) {
        try {
            NativeAbi.KEX_FREE.invokeExact(MemorySegment.ofAddress(handle));
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
        NativeContexts.freed(NativeContexts.Kind.KEY_SHARE);
    }

    @Override
    public int ecdh(int group, byte[] privateKey, byte[] peer, byte[] secret) {
        try {
            return (int) NativeAbi.ECDH.invokeExact(group, ofArray(privateKey), privateKey.length, ofArray(peer),
                    peer.length, ofArray(secret), secret.length);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int keyPrivateDer(byte[] der, long[] handle) {
        return decode(NativeAbi.KEY_PRIVATE_DER, der, handle);
    }

    @Override
    public int keyPublicDer(byte[] der, long[] handle) {
        return decode(NativeAbi.KEY_PUBLIC_DER, der, handle);
    }

    private static int decode(java.lang.invoke.MethodHandle decoder, byte[] der, long[] handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = copyIn(arena, der);
            MemorySegment cell = arena.allocate(ValueLayout.ADDRESS);
            int rc = (int) decoder.invokeExact(copy, der.length, cell);
            copy.fill((byte) 0);
            handle[0] = cell.get(ValueLayout.ADDRESS, 0).address();
            return rc;
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public void keyFree(long key) {
        try {
            NativeAbi.KEY_FREE.invokeExact(MemorySegment.ofAddress(key));
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int sign(long key, int scheme, byte[] message, byte[] sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(sig.length);
            int rc = (int) NativeAbi.SIGN.invokeExact(MemorySegment.ofAddress(key), scheme, copyIn(arena, message),
                    message.length, out, sig.length);
            if (rc > 0) {
                MemorySegment.copy(out, ValueLayout.JAVA_BYTE, 0, sig, 0, rc);
            }
            return rc;
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int verify(long key, int scheme, byte[] message, byte[] signature) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) NativeAbi.VERIFY.invokeExact(MemorySegment.ofAddress(key), scheme, copyIn(arena, message),
                    message.length, copyIn(arena, signature), signature.length);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public int verifyRaw(int keyType, byte[] a, byte[] b, int scheme, byte[] message, byte[] signature) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) NativeAbi.VERIFY_RAW.invokeExact(keyType, copyIn(arena, a), a.length, copyIn(arena, b), b.length,
                    scheme, copyIn(arena, message), message.length, copyIn(arena, signature), signature.length);
        } catch (Throwable e) {
            throw NativeStatus.rethrow(e);
        }
    }

    @Override
    public PublicKeyRules.KeyFacts facts(long key) {
        MemorySegment pkey = MemorySegment.ofAddress(key);
        return new PublicKeyRules.KeyFacts() {
            @Override
            public boolean isA(String type) {
                return PublicKeyLibcrypto.isA(pkey, type);
            }

            @Override
            public Optional<String> group() {
                return PublicKeyLibcrypto.utf8Param(pkey, "group");
            }

            @Override
            public int bits() {
                try {
                    return (int) PublicKeyLibcrypto.EVP_PKEY_get_bits.invokeExact(pkey);
                } catch (Throwable t) {
                    throw NativeStatus.rethrow(t);
                }
            }
        };
    }
}
