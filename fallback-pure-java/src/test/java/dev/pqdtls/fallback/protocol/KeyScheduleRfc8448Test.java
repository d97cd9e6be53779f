package dev.pqdtls.fallback.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.internal.handshake.KeySchedule;
import dev.pqdtls.conformance.support.Rfc8448Trace;
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
        Rfc8448Trace t = Rfc8448Trace.simple1Rtt();
        byte[] ch = t.step("client construct a ClientHello handshake message").field("ClientHello");
        byte[] sh = t.step("server construct a ServerHello handshake message").field("ServerHello");
        byte[] ee = t.step("server construct a EncryptedExtensions handshake message").field("EncryptedExtensions");
        byte[] cert = t.step("server construct a Certificate handshake message").field("Certificate");
        byte[] cv = t.step("server construct a CertificateVerify handshake message").field("CertificateVerify");
        byte[] sfin = t.step("server construct a Finished handshake message").field("Finished");
        byte[] ecdhe = t.step("server extract secret \"handshake\"").field("IKM");

        KeySchedule ks = new KeySchedule(crypto, CipherSuite.TLS_AES_128_GCM_SHA256, KeySchedule.TLS13);
        assertArrayEquals(t.step("server extract secret \"early\"").field("secret"), ks.earlySecret());
        assertArrayEquals(t.step("server extract secret \"handshake\"").field("secret"), ks.handshakeSecret(ecdhe));

        byte[] hsHash = transcript(ch, sh);
        byte[] cHs = ks.clientHandshakeTrafficSecret(hsHash);
        byte[] sHs = ks.serverHandshakeTrafficSecret(hsHash);
        assertArrayEquals(t.step("server derive secret \"tls13 c hs traffic\"").field("expanded"), cHs);
        assertArrayEquals(t.step("server derive secret \"tls13 s hs traffic\"").field("expanded"), sHs);
        KeySchedule.TrafficKeys hsKeys = ks.trafficKeys(sHs);
        assertArrayEquals(t.step("server derive write traffic keys for handshake data").field("key expanded"), hsKeys.key());
        assertArrayEquals(t.step("server derive write traffic keys for handshake data").field("iv expanded"), hsKeys.iv());

        byte[] sFinished = ks.finishedVerifyData(sHs, transcript(ch, sh, ee, cert, cv));
        assertArrayEquals(t.step("server calculate finished \"tls13 finished\"").field("finished"), sFinished);
        assertArrayEquals(Arrays.copyOfRange(sfin, 4, sfin.length), sFinished);

        assertArrayEquals(t.step("server extract secret \"master\"").field("secret"), ks.masterSecret());
        byte[] apHash = transcript(ch, sh, ee, cert, cv, sfin);
        byte[] sAp = ks.serverApplicationTrafficSecret(apHash);
        assertArrayEquals(t.step("server derive secret \"tls13 c ap traffic\"").field("expanded"), ks.clientApplicationTrafficSecret(apHash));
        assertArrayEquals(t.step("server derive secret \"tls13 s ap traffic\"").field("expanded"), sAp);
        assertArrayEquals(t.step("server derive secret \"tls13 exp master\"").field("expanded"), ks.exporterMasterSecret(apHash));
        KeySchedule.TrafficKeys apKeys = ks.trafficKeys(sAp);
        assertArrayEquals(t.step("server derive write traffic keys for application data").field("key expanded"), apKeys.key());
        assertArrayEquals(t.step("server derive write traffic keys for application data").field("iv expanded"), apKeys.iv());

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
