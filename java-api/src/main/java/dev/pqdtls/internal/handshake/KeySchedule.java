package dev.pqdtls.internal.handshake;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.RecordProtection;
import java.util.Arrays;
import java.util.List;

/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1) with the label prefix DTLS 1.3 substitutes for
 * {@code "tls13 "} (RFC 9147 §5.9: {@code "dtls13"}). It walks early → handshake → master secret
 * and derives traffic secrets from transcript hashes supplied by the caller. Intermediate secrets
 * are wiped as soon as the next stage replaces them.
 *
 * <p>A handshake uses {@link #handshakeStep} and {@link #masterStep}: each derives its stage, every
 * secret of that stage and their traffic keys in one backend call
 * ({@link CryptoBackend#keyScheduleStep}). The single-secret methods remain for tests and
 * diagnostics.
 */
public final class KeySchedule {
    /** The DTLS 1.3 label prefix. */
    public static final String DTLS13 = "dtls13";
    /** The TLS 1.3 label prefix, used to check the schedule against RFC 8448. */
    public static final String TLS13 = "tls13 ";

    private final CryptoBackend crypto;
    private final CipherSuite suite;
    private final HashAlgorithm hash;
    private final String prefix;
    private static final byte[] NONE = new byte[0];
    private static final List<String> HANDSHAKE_LABELS = List.of("c hs traffic", "s hs traffic");
    private static final List<String> APPLICATION_LABELS = List.of("c ap traffic", "s ap traffic", "exp master");
    private byte[] secret;
    private Stage stage = Stage.INITIAL;

    private enum Stage { INITIAL, EARLY, HANDSHAKE, MASTER }

    public KeySchedule(CryptoBackend crypto, CipherSuite suite, String labelPrefix) {
        this.crypto = crypto;
        this.suite = suite;
        this.hash = suite.hash();
        this.prefix = labelPrefix;
    }

    public CipherSuite suite() {
        return suite;
    }

    /** Early Secret = HKDF-Extract(0, PSK or zeros); without a PSK this is fixed per hash. */
    public byte[] earlySecret() {
        requireStage(Stage.INITIAL);
        secret = crypto.hkdfExtract(hash, new byte[hash.length()], new byte[hash.length()]);
        stage = Stage.EARLY;
        return secret.clone();
    }

    /**
     * Early Secret = HKDF-Extract(0, PSK): the handshake then derives from the PSK (RFC 8446 §7.1).
     * The caller keeps (and wipes) {@code psk}.
     */
    public void earlySecret(byte[] psk) {
        requireStage(Stage.INITIAL);
        secret = crypto.hkdfExtract(hash, new byte[hash.length()], psk);
        stage = Stage.EARLY;
    }

    /**
     * A PSK binder (RFC 8446 §4.2.11.2): HMAC under the finished key of the binder key
     * (Derive-Secret(Early Secret, "ext binder" or "res binder", "")) over the transcript hash
     * through the truncated ClientHello.
     */
    public static byte[] binder(CryptoBackend crypto, HashAlgorithm hash, String prefix, byte[] psk, boolean external,
            byte[] truncatedHelloHash) {
        byte[] early = crypto.hkdfExtract(hash, new byte[hash.length()], psk);
        byte[] binderKey = crypto.hkdfExpandLabel(hash, early, prefix, external ? "ext binder" : "res binder",
                crypto.digest(hash, NONE), hash.length());
        Arrays.fill(early, (byte) 0);
        try {
            return crypto.finishedVerifyData(hash, prefix, binderKey, truncatedHelloHash);
        } finally {
            Arrays.fill(binderKey, (byte) 0);
        }
    }

    /**
     * client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello) and its
     * keys, for 0-RTT data (RFC 8446 §7.1); after {@link #earlySecret(byte[])}.
     */
    public TrafficKeys earlyTrafficKeys(byte[] clientHelloHash) {
        requireStage(Stage.EARLY);
        byte[] s = deriveSecret("c e traffic", clientHelloHash);
        try {
            return trafficKeys(s);
        } finally {
            Arrays.fill(s, (byte) 0);
        }
    }

    /** The PSK a ticket resumes with: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce) (§4.6.1). */
    public byte[] resumptionPsk(byte[] resumptionMasterSecret, byte[] ticketNonce) {
        return expandLabel(resumptionMasterSecret, "resumption", ticketNonce, hash.length());
    }

    /** Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE/KEM secret). */
    public byte[] handshakeSecret(byte[] sharedSecret) {
        handshakeStage(sharedSecret, NONE, List.of());
        return secret.clone();
    }

    /**
     * The handshake stage from the (EC)DHE/KEM secret and both handshake traffic secrets over the
     * transcript through ServerHello, with their keys: one backend call.
     */
    public Traffic.Pair handshakeStep(byte[] sharedSecret, byte[] transcriptHash) {
        byte[] out = handshakeStage(sharedSecret, transcriptHash, HANDSHAKE_LABELS);
        try {
            return new Traffic.Pair(traffic(out, 0, 2), traffic(out, 1, 2), null);
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }

    private byte[] handshakeStage(byte[] sharedSecret, byte[] transcriptHash, List<String> labels) {
        if (stage != Stage.INITIAL) {
            requireStage(Stage.EARLY);
        }
        byte[] out = crypto.keyScheduleStep(hash, prefix, stage == Stage.EARLY ? secret : NONE, sharedSecret,
                transcriptHash, labels, labels.size(), suite.keyLength());
        replaceSecret(out);
        stage = Stage.HANDSHAKE;
        return out;
    }

    /** Master Secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), zeros). */
    public byte[] masterSecret() {
        masterStage(NONE, List.of());
        return secret.clone();
    }

    /**
     * The master stage and, over the transcript through the server Finished, both application
     * traffic secrets with their keys and the exporter master secret: one backend call.
     */
    public Traffic.Pair masterStep(byte[] transcriptHash) {
        byte[] out = masterStage(transcriptHash, APPLICATION_LABELS);
        try {
            int h = hash.length();
            return new Traffic.Pair(traffic(out, 0, 3), traffic(out, 1, 3), Arrays.copyOfRange(out, 3 * h, 4 * h));
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }

    private byte[] masterStage(byte[] transcriptHash, List<String> labels) {
        requireStage(Stage.HANDSHAKE);
        byte[] out = crypto.keyScheduleStep(hash, prefix, secret, NONE, transcriptHash, labels, Math.min(2, labels.size()),
                suite.keyLength());
        replaceSecret(out);
        stage = Stage.MASTER;
        return out;
    }

    /** Takes the stage secret from the front of a step's output, wiping the one it replaces. */
    private void replaceSecret(byte[] stepOutput) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
        secret = Arrays.copyOf(stepOutput, hash.length());
    }

    /** Secret {@code i} of a step's output and its keys (the secrets come after the stage, then the keys). */
    private Traffic traffic(byte[] out, int i, int secrets) {
        int h = hash.length();
        int k = suite.keyLength();
        int keys = h * (1 + secrets) + i * (2 * k + CipherSuite.IV_LENGTH);
        return new Traffic(Arrays.copyOfRange(out, h * (1 + i), h * (2 + i)),
                new TrafficKeys(Arrays.copyOfRange(out, keys, keys + k),
                        Arrays.copyOfRange(out, keys + k, keys + k + CipherSuite.IV_LENGTH),
                        Arrays.copyOfRange(out, keys + k + CipherSuite.IV_LENGTH, keys + 2 * k + CipherSuite.IV_LENGTH)));
    }

    /** "c hs traffic" over the transcript through ServerHello. */
    public byte[] clientHandshakeTrafficSecret(byte[] transcriptHash) {
        requireStage(Stage.HANDSHAKE);
        return deriveSecret("c hs traffic", transcriptHash);
    }

    /** "s hs traffic" over the transcript through ServerHello. */
    public byte[] serverHandshakeTrafficSecret(byte[] transcriptHash) {
        requireStage(Stage.HANDSHAKE);
        return deriveSecret("s hs traffic", transcriptHash);
    }

    /** "c ap traffic" over the transcript through server Finished. */
    public byte[] clientApplicationTrafficSecret(byte[] transcriptHash) {
        requireStage(Stage.MASTER);
        return deriveSecret("c ap traffic", transcriptHash);
    }

    /** "s ap traffic" over the transcript through server Finished. */
    public byte[] serverApplicationTrafficSecret(byte[] transcriptHash) {
        requireStage(Stage.MASTER);
        return deriveSecret("s ap traffic", transcriptHash);
    }

    /** "exp master" over the transcript through server Finished (RFC 8446 §7.5). */
    public byte[] exporterMasterSecret(byte[] transcriptHash) {
        requireStage(Stage.MASTER);
        return deriveSecret("exp master", transcriptHash);
    }

    /** "res master" over the transcript through client Finished. */
    public byte[] resumptionMasterSecret(byte[] transcriptHash) {
        requireStage(Stage.MASTER);
        return deriveSecret("res master", transcriptHash);
    }

    /** The next generation of an application traffic secret (RFC 8446 §7.2, "traffic upd"). */
    public byte[] nextTrafficSecret(byte[] trafficSecret) {
        return expandLabel(trafficSecret, "traffic upd", new byte[0], hash.length());
    }

    /** finished_key = HKDF-Expand-Label(base, "finished", "", Hash.length) (RFC 8446 §4.4.4). */
    public byte[] finishedKey(byte[] baseKey) {
        return expandLabel(baseKey, "finished", new byte[0], hash.length());
    }

    /** verify_data = HMAC(finished_key, transcript hash), in one backend call. */
    public byte[] finishedVerifyData(byte[] baseKey, byte[] transcriptHash) {
        return crypto.finishedVerifyData(hash, prefix, baseKey, transcriptHash);
    }

    /** TLS-Exporter(label, context, length) from an exporter master secret (RFC 8446 §7.5). */
    public byte[] export(byte[] exporterMasterSecret, String label, byte[] context, int length) {
        byte[] derived = expandLabel(exporterMasterSecret, label, crypto.digest(hash, NONE), hash.length());
        try {
            return expandLabel(derived, "exporter", crypto.digest(hash, context), length);
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
    }

    /** The write key, IV and record-number key of a traffic secret (RFC 8446 §7.3, RFC 9147 §4.2.3). */
    public TrafficKeys trafficKeys(byte[] trafficSecret) {
        byte[] out = crypto.trafficKeys(hash, prefix, trafficSecret, suite.keyLength());
        try {
            int k = suite.keyLength();
            return new TrafficKeys(Arrays.copyOf(out, k), Arrays.copyOfRange(out, k, k + CipherSuite.IV_LENGTH),
                    Arrays.copyOfRange(out, k + CipherSuite.IV_LENGTH, out.length));
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }

    /** Record protection for a traffic secret; the derived key material is wiped once handed over. */
    public RecordProtection recordProtection(byte[] trafficSecret) {
        return recordProtection(trafficKeys(trafficSecret));
    }

    /** Record protection with derived keys, which are wiped once handed over. */
    public RecordProtection recordProtection(TrafficKeys k) {
        try {
            return crypto.recordProtection(suite, k.key(), k.iv(), k.snKey());
        } finally {
            k.wipe();
        }
    }

    /** HKDF-Expand-Label with this schedule's prefix. */
    public byte[] expandLabel(byte[] secret, String label, byte[] context, int length) {
        return crypto.hkdfExpandLabel(hash, secret, prefix, label, context, length);
    }

    /** Derive-Secret(secret, label, messages) given the transcript hash of the messages. */
    private byte[] deriveSecret(String label, byte[] transcriptHash) {
        return expandLabel(secret, label, transcriptHash, hash.length());
    }

    private void requireStage(Stage expected) {
        if (stage != expected) {
            throw new IllegalStateException("key schedule is at " + stage + ", expected " + expected);
        }
    }

    /** Wipes the current stage secret. */
    public void destroy() {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** A traffic secret and its keys. */
    public record Traffic(byte[] secret, TrafficKeys keys) {
        /** Client and server traffic of one step, and the exporter master secret of the master step (else null). */
        public record Pair(Traffic client, Traffic server, byte[] exporterMasterSecret) {
        }

        public void wipe() {
            Arrays.fill(secret, (byte) 0);
            keys.wipe();
        }
    }

    /** Key material of one traffic secret. */
    public record TrafficKeys(byte[] key, byte[] iv, byte[] snKey) {
        public void wipe() {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(iv, (byte) 0);
            Arrays.fill(snKey, (byte) 0);
        }
    }
}
