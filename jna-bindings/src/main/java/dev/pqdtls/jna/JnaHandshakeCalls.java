package dev.pqdtls.jna;

import dev.pqdtls.nativeabi.HandshakeCalls;
import dev.pqdtls.nativeabi.PublicKeyRules;

/**
 * The handshake's C calls (kdf.c, pk.c) through JNA direct mapping ({@link PqdtlsNative}): the arrays
 * cross through this thread's {@link Staging} area, which is wiped before each call returns, so no
 * secret stays behind in native memory.
 */
final class JnaHandshakeCalls implements HandshakeCalls {
    static final JnaHandshakeCalls INSTANCE = new JnaHandshakeCalls();

    private JnaHandshakeCalls() {
    }

    @Override
    public int digest(int hash, byte[] data, byte[] out) {
        Staging s = Staging.begin((long) data.length + out.length);
        try {
            long at = s.reserve(out.length);
            int rc = PqdtlsNative.pqdtls_digest(hash, s.copyIn(data), data.length, at);
            s.copyOut(at, out);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int scheduleStep(int hash, byte[] prefix, byte[] previous, byte[] ikm, byte[] transcriptHash,
            byte[] labels, int keyed, int keyLength, byte[] out) {
        Staging s = Staging.begin((long) prefix.length + previous.length + ikm.length + transcriptHash.length
                + labels.length + out.length);
        try {
            long at = s.reserve(out.length);
            int rc = PqdtlsNative.pqdtls_tls13_schedule_step(hash, s.copyIn(prefix), prefix.length, s.copyIn(previous),
                    previous.length, s.copyIn(ikm), ikm.length, s.copyIn(transcriptHash), transcriptHash.length,
                    s.copyIn(labels), labels.length, keyed, keyLength, at, out.length);
            s.copyOut(at, out);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int trafficKeys(int hash, byte[] prefix, byte[] secret, int keyLength, byte[] out) {
        Staging s = Staging.begin((long) prefix.length + secret.length + out.length);
        try {
            long at = s.reserve(out.length);
            int rc = PqdtlsNative.pqdtls_tls13_traffic_keys(hash, s.copyIn(prefix), prefix.length, s.copyIn(secret),
                    secret.length, keyLength, at, out.length);
            s.copyOut(at, out);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int finished(int hash, byte[] prefix, byte[] baseKey, byte[] transcriptHash, byte[] out) {
        Staging s = Staging.begin((long) prefix.length + baseKey.length + transcriptHash.length + out.length);
        try {
            long at = s.reserve(out.length);
            int rc = PqdtlsNative.pqdtls_tls13_finished(hash, s.copyIn(prefix), prefix.length, s.copyIn(baseKey),
                    baseKey.length, s.copyIn(transcriptHash), transcriptHash.length, at);
            s.copyOut(at, out);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int kexSupported(int group) {
        return PqdtlsNative.pqdtls_kex_supported(group);
    }

    @Override
    public int kexRespond(int group, byte[] clientShare, byte[] share, byte[] secret) {
        Staging s = Staging.begin((long) clientShare.length + share.length + secret.length);
        try {
            long shareAt = s.reserve(share.length);
            long secretAt = s.reserve(secret.length);
            int rc = PqdtlsNative.pqdtls_kex_respond(group, s.copyIn(clientShare), clientShare.length, shareAt,
                    share.length, secretAt, secret.length);
            s.copyOut(shareAt, share);
            s.copyOut(secretAt, secret);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int kexGenerate(int group, long[] handle, byte[] share) {
        Staging s = Staging.begin((long) Long.BYTES + share.length);
        try {
            long cell = s.reserve(Long.BYTES);
            long shareAt = s.reserve(share.length);
            int rc = PqdtlsNative.pqdtls_kex_generate(group, cell, shareAt, share.length);
            handle[0] = s.longAt(cell);
            s.copyOut(shareAt, share);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int kexFinish(long handle, byte[] serverShare, byte[] secret) {
        Staging s = Staging.begin((long) serverShare.length + secret.length);
        try {
            long secretAt = s.reserve(secret.length);
            int rc = PqdtlsNative.pqdtls_kex_finish(handle, s.copyIn(serverShare), serverShare.length, secretAt,
                    secret.length);
            s.copyOut(secretAt, secret);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public void kexFree(long handle) {
        PqdtlsNative.pqdtls_kex_free(handle);
    }

    @Override
    public int ecdh(int group, byte[] privateKey, byte[] peer, byte[] secret) {
        Staging s = Staging.begin((long) privateKey.length + peer.length + secret.length);
        try {
            long secretAt = s.reserve(secret.length);
            int rc = PqdtlsNative.pqdtls_ecdh(group, s.copyIn(privateKey), privateKey.length, s.copyIn(peer),
                    peer.length, secretAt, secret.length);
            s.copyOut(secretAt, secret);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int keyPrivateDer(byte[] der, long[] handle) {
        Staging s = Staging.begin((long) der.length + Long.BYTES);
        try {
            long cell = s.reserve(Long.BYTES);
            int rc = PqdtlsNative.pqdtls_key_private_der(s.copyIn(der), der.length, cell);
            handle[0] = s.longAt(cell);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int keyPublicDer(byte[] der, long[] handle) {
        Staging s = Staging.begin((long) der.length + Long.BYTES);
        try {
            long cell = s.reserve(Long.BYTES);
            int rc = PqdtlsNative.pqdtls_key_public_der(s.copyIn(der), der.length, cell);
            handle[0] = s.longAt(cell);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public void keyFree(long key) {
        PqdtlsNative.pqdtls_key_free(key);
    }

    @Override
    public int sign(long key, int scheme, byte[] message, byte[] sig) {
        Staging s = Staging.begin((long) message.length + sig.length);
        try {
            long sigAt = s.reserve(sig.length);
            int rc = PqdtlsNative.pqdtls_sign(key, scheme, s.copyIn(message), message.length, sigAt, sig.length);
            s.copyOut(sigAt, sig);
            return rc;
        } finally {
            s.wipe();
        }
    }

    @Override
    public int verify(long key, int scheme, byte[] message, byte[] signature) {
        Staging s = Staging.begin((long) message.length + signature.length);
        try {
            return PqdtlsNative.pqdtls_verify(key, scheme, s.copyIn(message), message.length, s.copyIn(signature),
                    signature.length);
        } finally {
            s.wipe();
        }
    }

    @Override
    public int verifyRaw(int keyType, byte[] a, byte[] b, int scheme, byte[] message, byte[] signature) {
        Staging s = Staging.begin((long) a.length + b.length + message.length + signature.length);
        try {
            return PqdtlsNative.pqdtls_verify_raw(keyType, s.copyIn(a), a.length, s.copyIn(b), b.length, scheme,
                    s.copyIn(message), message.length, s.copyIn(signature), signature.length);
        } finally {
            s.wipe();
        }
    }

    @Override
    public PublicKeyRules.KeyFacts facts(long key) {
        return Evp.facts(key);
    }
}
