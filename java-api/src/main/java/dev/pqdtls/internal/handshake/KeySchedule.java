package dev.pqdtls.internal.handshake;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.RecordProtection;
import java.util.Arrays;

/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1) with the label prefix DTLS 1.3 substitutes for
 * {@code "tls13 "} (RFC 9147 §5.9: {@code "dtls13"}). It walks early → handshake → master secret
 * and derives traffic secrets from transcript hashes supplied by the caller. Intermediate secrets
 * are wiped as soon as the next stage replaces them.
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
    private final byte[] emptyHash;
    private byte[] secret;
    private Stage stage = Stage.INITIAL;

    private enum Stage { INITIAL, EARLY, HANDSHAKE, MASTER }

    public KeySchedule(CryptoBackend crypto, CipherSuite suite, String labelPrefix) {
        this.crypto = crypto;
        this.suite = suite;
        this.hash = suite.hash();
        this.prefix = labelPrefix;
        this.emptyHash = crypto.digest(hash, new byte[0]);
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

    /** Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE/KEM secret). */
    public byte[] handshakeSecret(byte[] sharedSecret) {
        if (stage == Stage.INITIAL) {
            earlySecret();
        }
        requireStage(Stage.EARLY);
        advance(sharedSecret);
        stage = Stage.HANDSHAKE;
        return secret.clone();
    }

    /** Master Secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), zeros). */
    public byte[] masterSecret() {
        requireStage(Stage.HANDSHAKE);
        advance(new byte[hash.length()]);
        stage = Stage.MASTER;
        return secret.clone();
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

    /** verify_data = HMAC(finished_key, transcript hash). */
    public byte[] finishedVerifyData(byte[] baseKey, byte[] transcriptHash) {
        byte[] key = finishedKey(baseKey);
        try {
            return crypto.hmac(hash, key, transcriptHash);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** TLS-Exporter(label, context, length) from an exporter master secret (RFC 8446 §7.5). */
    public byte[] export(byte[] exporterMasterSecret, String label, byte[] context, int length) {
        byte[] derived = expandLabel(exporterMasterSecret, label, emptyHash, hash.length());
        try {
            return expandLabel(derived, "exporter", crypto.digest(hash, context), length);
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
    }

    /** The write key, IV and record-number key of a traffic secret (RFC 8446 §7.3, RFC 9147 §4.2.3). */
    public TrafficKeys trafficKeys(byte[] trafficSecret) {
        return new TrafficKeys(expandLabel(trafficSecret, "key", new byte[0], suite.keyLength()),
                expandLabel(trafficSecret, "iv", new byte[0], CipherSuite.IV_LENGTH),
                expandLabel(trafficSecret, "sn", new byte[0], suite.keyLength()));
    }

    /** Record protection for a traffic secret; the derived key material is wiped once handed over. */
    public RecordProtection recordProtection(byte[] trafficSecret) {
        TrafficKeys k = trafficKeys(trafficSecret);
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

    private void advance(byte[] ikm) {
        byte[] derived = deriveSecret("derived", emptyHash);
        byte[] next = crypto.hkdfExtract(hash, derived, ikm);
        Arrays.fill(derived, (byte) 0);
        Arrays.fill(secret, (byte) 0);
        secret = next;
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

    /** Key material of one traffic secret. */
    public record TrafficKeys(byte[] key, byte[] iv, byte[] snKey) {
        public void wipe() {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(iv, (byte) 0);
            Arrays.fill(snKey, (byte) 0);
        }
    }
}
