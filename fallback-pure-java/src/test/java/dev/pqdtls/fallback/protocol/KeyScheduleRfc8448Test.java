package dev.pqdtls.fallback.protocol;

import static dev.pqdtls.conformance.support.Rfc8448Simple1Rtt.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.internal.handshake.KeySchedule;
import dev.pqdtls.fallback.FallbackBackend;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Drives {@link KeySchedule} with the "tls13 " prefix through RFC 8448 §3 (Simple 1-RTT Handshake). */
class KeyScheduleRfc8448Test {
    private final CryptoBackend crypto = new FallbackBackend();

    private byte[] transcript(byte[]... messages) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            all.writeBytes(m);
        }
        return crypto.digest(HashAlgorithm.SHA256, all.toByteArray());
    }

    @Test
    void reproducesEverySecretKeyAndIvOfTheTrace() {
        byte[] ch = CLIENT_HELLO.field("ClientHello");
        byte[] sh = SERVER_HELLO.field("ServerHello");
        byte[] ee = ENCRYPTED_EXTENSIONS.field("EncryptedExtensions");
        byte[] cert = CERTIFICATE.field("Certificate");
        byte[] cv = CERTIFICATE_VERIFY.field("CertificateVerify");
        byte[] sfin = SERVER_FINISHED.field("Finished");
        byte[] ecdhe = HANDSHAKE_SECRET.field("IKM");

        KeySchedule ks = new KeySchedule(crypto, CipherSuite.TLS_AES_128_GCM_SHA256, KeySchedule.TLS13);
        assertArrayEquals(EARLY_SECRET.field("secret"), ks.earlySecret());
        assertArrayEquals(HANDSHAKE_SECRET.field("secret"), ks.handshakeSecret(ecdhe));

        byte[] hsHash = transcript(ch, sh);
        byte[] cHs = ks.clientHandshakeTrafficSecret(hsHash);
        byte[] sHs = ks.serverHandshakeTrafficSecret(hsHash);
        assertArrayEquals(CLIENT_HS_TRAFFIC.field("expanded"), cHs);
        assertArrayEquals(SERVER_HS_TRAFFIC.field("expanded"), sHs);
        KeySchedule.TrafficKeys hsKeys = ks.trafficKeys(sHs);
        assertArrayEquals(SERVER_HS_WRITE_KEYS.field("key expanded"), hsKeys.key());
        assertArrayEquals(SERVER_HS_WRITE_KEYS.field("iv expanded"), hsKeys.iv());

        byte[] sFinished = ks.finishedVerifyData(sHs, transcript(ch, sh, ee, cert, cv));
        assertArrayEquals(SERVER_FINISHED_KEY.field("finished"), sFinished);
        assertArrayEquals(Arrays.copyOfRange(sfin, 4, sfin.length), sFinished);

        assertArrayEquals(MASTER_SECRET.field("secret"), ks.masterSecret());
        byte[] apHash = transcript(ch, sh, ee, cert, cv, sfin);
        byte[] sAp = ks.serverApplicationTrafficSecret(apHash);
        assertArrayEquals(CLIENT_AP_TRAFFIC.field("expanded"), ks.clientApplicationTrafficSecret(apHash));
        assertArrayEquals(SERVER_AP_TRAFFIC.field("expanded"), sAp);
        assertArrayEquals(EXPORTER_MASTER.field("expanded"), ks.exporterMasterSecret(apHash));
        KeySchedule.TrafficKeys apKeys = ks.trafficKeys(sAp);
        assertArrayEquals(SERVER_AP_WRITE_KEYS.field("key expanded"), apKeys.key());
        assertArrayEquals(SERVER_AP_WRITE_KEYS.field("iv expanded"), apKeys.iv());

        assertThrows(IllegalStateException.class, () -> ks.clientHandshakeTrafficSecret(hsHash), "stage order is enforced");
    }

    @Test
    void dtlsPrefixGivesDifferentKeys() {
        byte[] secret = new byte[32];
        KeySchedule tls = new KeySchedule(crypto, CipherSuite.TLS_AES_128_GCM_SHA256, KeySchedule.TLS13);
        KeySchedule dtls = new KeySchedule(crypto, CipherSuite.TLS_AES_128_GCM_SHA256, KeySchedule.DTLS13);
        assertFalse(Arrays.equals(tls.trafficKeys(secret).key(), dtls.trafficKeys(secret).key()));
        assertArrayEquals(crypto.hkdfExpandLabel(HashAlgorithm.SHA256, secret, "dtls13", "sn", new byte[0], 16),
                dtls.trafficKeys(secret).snKey(), "sn_key = HKDF-Expand-Label(secret, \"sn\", \"\", key_length)");
    }
}
