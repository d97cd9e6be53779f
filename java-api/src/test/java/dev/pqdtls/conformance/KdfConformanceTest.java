package dev.pqdtls.conformance;

import static dev.pqdtls.conformance.support.Rfc8448Simple1Rtt.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.conformance.support.BackendConformance;
import dev.pqdtls.conformance.support.Bytes;
import dev.pqdtls.conformance.support.Hex;
import dev.pqdtls.conformance.support.Rfc8448Resumed0Rtt;
import dev.pqdtls.conformance.support.Rfc8448Simple1Rtt.Step;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.KeySchedule;
import dev.pqdtls.internal.psk.PskCodec;
import dev.pqdtls.spi.CryptoBackend;
import dev.pqdtls.spi.HashAlgorithm;
import dev.pqdtls.spi.TranscriptHash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hashing, HMAC and HKDF of a {@link CryptoBackend}: Wycheproof HKDF vectors, HMAC and digests
 * against the JDK, transcript hashes read mid-stream and copied, and the RFC 8448 §3 key schedule
 * reproduced step by step.
 */
public abstract class KdfConformanceTest extends BackendConformance {

    @Override
    protected abstract CryptoBackend backend();

    // --- Wycheproof HKDF -------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> wycheproofHkdfSha256() {
        return hkdf("hkdf_sha256_test.json", HashAlgorithm.SHA256);
    }

    @TestFactory
    Stream<DynamicNode> wycheproofHkdfSha384() {
        return hkdf("hkdf_sha384_test.json", HashAlgorithm.SHA384);
    }

    private Stream<DynamicNode> hkdf(String file, HashAlgorithm hash) {
        return Stream.of(vectorFile(file, "hkdf_test_schema_v1.json", g -> "keySize=" + g.intValue("keySize"), (g, v) -> {
            byte[] ikm = v.bytes("ikm");
            byte[] salt = v.bytes("salt");
            byte[] info = v.bytes("info");
            int size = v.intValue("size");
            CryptoBackend b = cryptoBackend();
            byte[] prk = b.hkdfExtract(hash, salt, ikm);
            assertEquals(hash.length(), prk.length, v + ": PRK length");
            if (v.isValid()) {
                assertArrayEquals(v.bytes("okm"), b.hkdfExpand(hash, prk, info, size), v + ": okm");
            } else {
                assertThrows(IllegalArgumentException.class, () -> b.hkdfExpand(hash, prk, info, size),
                        v + ": hkdfExpand of " + size + " bytes must throw IllegalArgumentException");
            }
        }));
    }

    @Test
    void hkdfExpandLimitIs255TimesHashLength() {
        for (HashAlgorithm hash : HashAlgorithm.values()) {
            byte[] prk = Bytes.pattern(hash.length(), 3);
            int max = 255 * hash.length();
            assertEquals(max, cryptoBackend().hkdfExpand(hash, prk, new byte[0], max).length, hash + ": 255*HashLen");
            assertThrows(IllegalArgumentException.class, () -> cryptoBackend().hkdfExpand(hash, prk, new byte[0], max + 1),
                    hash + ": 255*HashLen + 1 must throw IllegalArgumentException");
        }
    }

    @Test
    void emptySaltMeansHashLengthZeros() {
        for (HashAlgorithm hash : HashAlgorithm.values()) {
            byte[] ikm = Bytes.pattern(40, 5);
            assertArrayEquals(cryptoBackend().hkdfExtract(hash, new byte[hash.length()], ikm),
                    cryptoBackend().hkdfExtract(hash, new byte[0], ikm), hash + ": empty salt = HashLen zeros (RFC 5869 §2.2)");
        }
    }

    // --- Wycheproof HMAC -------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> wycheproofHmacSha256() {
        return hmac("hmac_sha256_test.json", HashAlgorithm.SHA256);
    }

    @TestFactory
    Stream<DynamicNode> wycheproofHmacSha384() {
        return hmac("hmac_sha384_test.json", HashAlgorithm.SHA384);
    }

    /** Groups with truncated tags compare the leading tagSize bits of the full HMAC (RFC 2104 §5). */
    private Stream<DynamicNode> hmac(String file, HashAlgorithm hash) {
        return Stream.of(vectorFile(file, "mac_test_schema_v1.json",
                g -> "keySize=" + g.intValue("keySize") + " tagSize=" + g.intValue("tagSize"), (g, v) -> {
                    byte[] mac = cryptoBackend().hmac(hash, v.bytes("key"), v.bytes("msg"));
                    assertEquals(hash.length(), mac.length, v + ": HMAC length");
                    byte[] tag = Arrays.copyOf(mac, g.intValue("tagSize") / 8);
                    if (v.isValid()) {
                        assertArrayEquals(v.bytes("tag"), tag, v + ": tag");
                    } else {
                        assertFalse(Arrays.equals(v.bytes("tag"), tag), v + ": a modified tag must not match");
                    }
                }));
    }

    // --- HMAC and digests against the JDK ----------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> hmacMatchesJdk() {
        int[] keyLengths = {1, 16, 32, 48, 63, 64, 65, 127, 128, 129, 200};
        int[] dataLengths = {0, 1, 55, 56, 64, 111, 112, 128, 1000};
        return Arrays.stream(HashAlgorithm.values()).map(hash -> bounded(hash.name(), () -> {
            String jca = "Hmac" + hash.jcaName().replace("-", "");
            for (int k : keyLengths) {
                for (int d : dataLengths) {
                    byte[] key = Bytes.pattern(k, k);
                    byte[] data = Bytes.pattern(d, d + 1);
                    Mac mac = Mac.getInstance(jca);
                    mac.init(new SecretKeySpec(key, jca));
                    assertArrayEquals(mac.doFinal(data), cryptoBackend().hmac(hash, key, data),
                            hash + ": HMAC with a " + k + "-byte key over " + d + " bytes");
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicNode> digestMatchesJdk() {
        return Arrays.stream(HashAlgorithm.values()).map(hash -> bounded(hash.name(), () -> {
            for (int d : new int[] {0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 4096}) {
                byte[] data = Bytes.pattern(d, 9);
                assertArrayEquals(MessageDigest.getInstance(hash.jcaName()).digest(data), cryptoBackend().digest(hash, data),
                        hash + ": digest of " + d + " bytes");
            }
        }));
    }

    // --- transcript hash -------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> transcriptHashMidStreamAndCopy() {
        return Arrays.stream(HashAlgorithm.values()).map(hash -> bounded(hash.name(), () -> {
            byte[] all = Bytes.pattern(3000, 0x42);
            TranscriptHash th = cryptoBackend().newTranscriptHash(hash);
            assertSame(hash, th.algorithm(), "algorithm()");
            assertArrayEquals(jdk(hash, new byte[0]), th.current(), hash + ": empty transcript");
            int[] cuts = {0, 1, 64, 65, 200, 1000, 1001, 2048, 3000};
            int done = 0;
            boolean direct = false;
            for (int cut : cuts) {
                ByteBuffer chunk = direct ? ByteBuffer.allocateDirect(cut - done + 4) : ByteBuffer.allocate(cut - done + 4);
                chunk.position(2);
                chunk.put(all, done, cut - done);
                chunk.limit(chunk.position());
                chunk.position(2);
                th.update(chunk);
                assertEquals(chunk.limit(), chunk.position(), hash + ": update must advance the position to the limit");
                done = cut;
                direct = !direct;
                assertArrayEquals(jdk(hash, Arrays.copyOf(all, done)), th.current(),
                        hash + ": current() after " + done + " bytes");
                assertArrayEquals(jdk(hash, Arrays.copyOf(all, done)), th.current(),
                        hash + ": current() twice in a row after " + done + " bytes");
            }
            // copy() is independent in both directions.
            byte[] prefix = Arrays.copyOf(all, 3000);
            TranscriptHash copy = th.copy();
            assertSame(hash, copy.algorithm(), "copy().algorithm()");
            byte[] x = "client branch".getBytes(StandardCharsets.US_ASCII);
            byte[] y = "server branch, longer than the other one".getBytes(StandardCharsets.US_ASCII);
            copy.update(x, 0, x.length);
            assertArrayEquals(jdk(hash, prefix), th.current(), hash + ": updating the copy must not change the original");
            th.update(y, 3, y.length - 3);
            assertArrayEquals(jdk(hash, Bytes.concat(prefix, x)), copy.current(),
                    hash + ": updating the original must not change the copy");
            assertArrayEquals(jdk(hash, Bytes.concat(prefix, Arrays.copyOfRange(y, 3, y.length))),
                    th.current(), hash + ": original after its own update (array offset 3)");
            TranscriptHash copyOfCopy = copy.copy();
            copyOfCopy.update(ByteBuffer.wrap(y));
            assertArrayEquals(jdk(hash, Bytes.concat(prefix, x)), copy.current(), hash + ": copy of a copy");
        }));
    }

    private static byte[] jdk(HashAlgorithm hash, byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance(hash.jcaName()).digest(data);
    }

    // --- RFC 8448 §3 key schedule ------------------------------------------------------------------

    /** RFC 8446 §7.1 with the "tls13 " prefix, reproduced against the RFC 8448 §3 trace. */
    @TestFactory
    Stream<DynamicNode> rfc8448SimpleHandshakeKeySchedule() {
        HashAlgorithm h = HashAlgorithm.SHA256;
        CryptoBackend b = cryptoBackend();
        String tls = "tls13 ";
        byte[] zeros = new byte[h.length()];
        byte[] emptyHash = sha256(b);

        byte[] clientHello = CLIENT_HELLO.field("ClientHello");
        byte[] serverHello = SERVER_HELLO.field("ServerHello");
        byte[] encryptedExtensions = ENCRYPTED_EXTENSIONS.field("EncryptedExtensions");
        byte[] certificate = CERTIFICATE.field("Certificate");
        byte[] certificateVerify = CERTIFICATE_VERIFY.field("CertificateVerify");
        byte[] serverFinished = SERVER_FINISHED.field("Finished");
        byte[] clientFinished = CLIENT_FINISHED.field("Finished");

        List<DynamicNode> steps = new ArrayList<>();
        steps.add(bounded("early secret", () -> {
            assertArrayEquals(EARLY_SECRET.field("secret"), b.hkdfExtract(h, new byte[0], zeros),
                    "early secret (empty salt)");
            assertArrayEquals(EARLY_SECRET.field("secret"), b.hkdfExtract(h, zeros, EARLY_SECRET.field("IKM")),
                    "early secret (zero salt)");
        }));
        steps.add(bounded("derived secret (for handshake)", () -> {
            assertArrayEquals(DERIVED_FOR_HANDSHAKE.field("hash"), emptyHash, "Transcript-Hash(\"\")");
            checkExpandLabel(b, DERIVED_FOR_HANDSHAKE, EARLY_SECRET.field("secret"), "derived", emptyHash);
        }));
        steps.add(bounded("handshake secret", () -> {
            assertArrayEquals(DERIVED_FOR_HANDSHAKE.field("expanded"), HANDSHAKE_SECRET.field("salt"),
                    "trace consistency");
            assertArrayEquals(HANDSHAKE_SECRET.field("secret"),
                    b.hkdfExtract(h, HANDSHAKE_SECRET.field("salt"), HANDSHAKE_SECRET.field("IKM")),
                    "handshake secret from the (EC)DHE shared secret");
        }));
        byte[] hsTranscript = transcript(b, h, clientHello, serverHello);
        steps.add(bounded("client handshake traffic secret", () -> {
            assertArrayEquals(CLIENT_HS_TRAFFIC.field("hash"), hsTranscript, "Transcript-Hash(ClientHello..ServerHello)");
            checkExpandLabel(b, CLIENT_HS_TRAFFIC, HANDSHAKE_SECRET.field("secret"), "c hs traffic", hsTranscript);
        }));
        steps.add(bounded("server handshake traffic secret", () -> {
            assertArrayEquals(SERVER_HS_TRAFFIC.field("hash"), hsTranscript, "Transcript-Hash(ClientHello..ServerHello)");
            checkExpandLabel(b, SERVER_HS_TRAFFIC, HANDSHAKE_SECRET.field("secret"), "s hs traffic", hsTranscript);
        }));
        steps.add(bounded("master secret", () -> {
            checkExpandLabel(b, DERIVED_FOR_MASTER, HANDSHAKE_SECRET.field("secret"), "derived", emptyHash);
            assertArrayEquals(MASTER_SECRET.field("secret"), b.hkdfExtract(h, DERIVED_FOR_MASTER.field("expanded"), zeros),
                    "master secret");
        }));
        steps.add(bounded("server Finished", () -> {
            byte[] finishedKey = checkExpandLabel(b, SERVER_FINISHED_KEY, SERVER_HS_TRAFFIC.field("expanded"), "finished",
                    new byte[0]);
            byte[] th = transcript(b, h, clientHello, serverHello, encryptedExtensions, certificate, certificateVerify);
            assertArrayEquals(SERVER_FINISHED_KEY.field("finished"), b.hmac(h, finishedKey, th), "server verify_data");
            assertArrayEquals(SERVER_FINISHED_KEY.field("finished"),
                    Arrays.copyOfRange(serverFinished, 4, serverFinished.length), "trace consistency");
        }));
        byte[] apTranscript = transcript(b, h, clientHello, serverHello, encryptedExtensions, certificate,
                certificateVerify, serverFinished);
        steps.add(bounded("client application traffic secret", () -> {
            assertArrayEquals(CLIENT_AP_TRAFFIC.field("hash"), apTranscript,
                    "Transcript-Hash(ClientHello..server Finished)");
            checkExpandLabel(b, CLIENT_AP_TRAFFIC, MASTER_SECRET.field("secret"), "c ap traffic", apTranscript);
        }));
        steps.add(bounded("server application traffic secret", () ->
                checkExpandLabel(b, SERVER_AP_TRAFFIC, MASTER_SECRET.field("secret"), "s ap traffic", apTranscript)));
        steps.add(bounded("exporter master secret", () ->
                checkExpandLabel(b, EXPORTER_MASTER, MASTER_SECRET.field("secret"), "exp master", apTranscript)));
        steps.add(bounded("client Finished", () -> {
            byte[] finishedKey = checkExpandLabel(b, CLIENT_FINISHED_KEY, CLIENT_HS_TRAFFIC.field("expanded"), "finished",
                    new byte[0]);
            assertArrayEquals(CLIENT_FINISHED_KEY.field("finished"), b.hmac(h, finishedKey, apTranscript),
                    "client verify_data");
        }));
        steps.add(bounded("resumption master secret", () -> {
            byte[] th = transcript(b, h, clientHello, serverHello, encryptedExtensions, certificate, certificateVerify,
                    serverFinished, clientFinished);
            assertArrayEquals(RESUMPTION_MASTER.field("hash"), th, "Transcript-Hash(ClientHello..client Finished)");
            checkExpandLabel(b, RESUMPTION_MASTER, MASTER_SECRET.field("secret"), "res master", th);
        }));
        steps.add(bounded("server handshake write key and IV",
                () -> checkTrafficKeys(b, SERVER_HS_WRITE_KEYS, SERVER_HS_TRAFFIC.field("expanded"))));
        steps.add(bounded("client handshake write key and IV",
                () -> checkTrafficKeys(b, CLIENT_HS_WRITE_KEYS, CLIENT_HS_TRAFFIC.field("expanded"))));
        steps.add(bounded("server application write key and IV",
                () -> checkTrafficKeys(b, SERVER_AP_WRITE_KEYS, SERVER_AP_TRAFFIC.field("expanded"))));
        steps.add(bounded("client application write key and IV",
                () -> checkTrafficKeys(b, CLIENT_AP_WRITE_KEYS, CLIENT_AP_TRAFFIC.field("expanded"))));
        steps.add(bounded("dtls13 prefix differs from tls13", () -> {
            byte[] secret = HANDSHAKE_SECRET.field("secret");
            byte[] viaTls = b.hkdfExpandLabel(h, secret, tls, "c hs traffic", hsTranscript, 32);
            byte[] viaDtls = b.hkdfExpandLabel(h, secret, "dtls13", "c hs traffic", hsTranscript, 32);
            assertFalse(Arrays.equals(viaTls, viaDtls), "\"dtls13\" and \"tls13 \" labels must derive different secrets");
            assertArrayEquals(b.hkdfExpand(h, secret, hkdfLabel(32, "dtls13c hs traffic", hsTranscript), 32), viaDtls,
                    "HkdfLabel with the \"dtls13\" prefix (RFC 9147 §5.9) is \"dtls13\" || label");
        }));
        return steps.stream();
    }

    /**
     * The one-call steps of the key schedule (keyScheduleStep, trafficKeys, finishedVerifyData)
     * reproduce RFC 8448 §3: the handshake step, the master step and both Finished messages.
     */
    @Test
    void rfc8448KeyScheduleStepsInOneCall() {
        HashAlgorithm h = HashAlgorithm.SHA256;
        CryptoBackend b = cryptoBackend();
        byte[] ch = CLIENT_HELLO.field("ClientHello");
        byte[] sh = SERVER_HELLO.field("ServerHello");
        byte[] ee = ENCRYPTED_EXTENSIONS.field("EncryptedExtensions");
        byte[] cert = CERTIFICATE.field("Certificate");
        byte[] cv = CERTIFICATE_VERIFY.field("CertificateVerify");
        byte[] sfin = SERVER_FINISHED.field("Finished");
        Step hs = HANDSHAKE_SECRET;
        byte[] cHs = CLIENT_HS_TRAFFIC.field("expanded");
        byte[] sHs = SERVER_HS_TRAFFIC.field("expanded");
        Step sHsKeys = SERVER_HS_WRITE_KEYS;
        Step cHsKeys = CLIENT_HS_WRITE_KEYS;

        byte[] step = b.keyScheduleStep(h, "tls13 ", new byte[0], hs.field("IKM"), transcript(b, h, ch, sh),
                List.of("c hs traffic", "s hs traffic"), 2, 16);
        assertEquals(3 * 32 + 2 * 44, step.length, "stage, two secrets, two sets of keys");
        assertArrayEquals(hs.field("secret"), Arrays.copyOfRange(step, 0, 32), "handshake secret");
        assertArrayEquals(cHs, Arrays.copyOfRange(step, 32, 64), "c hs traffic");
        assertArrayEquals(sHs, Arrays.copyOfRange(step, 64, 96), "s hs traffic");
        assertArrayEquals(cHsKeys.field("key expanded"), Arrays.copyOfRange(step, 96, 112), "client handshake key");
        assertArrayEquals(cHsKeys.field("iv expanded"), Arrays.copyOfRange(step, 112, 124), "client handshake iv");
        assertArrayEquals(b.hkdfExpandLabel(h, cHs, "tls13 ", "sn", new byte[0], 16), Arrays.copyOfRange(step, 124, 140),
                "client handshake sn_key");
        assertArrayEquals(sHsKeys.field("key expanded"), Arrays.copyOfRange(step, 140, 156), "server handshake key");
        assertArrayEquals(sHsKeys.field("iv expanded"), Arrays.copyOfRange(step, 156, 168), "server handshake iv");
        assertArrayEquals(Arrays.copyOfRange(step, 140, 184), b.trafficKeys(h, "tls13 ", sHs, 16), "trafficKeys");

        assertArrayEquals(SERVER_FINISHED_KEY.field("finished"),
                b.finishedVerifyData(h, "tls13 ", sHs, transcript(b, h, ch, sh, ee, cert, cv)), "server Finished");
        byte[] apTranscript = transcript(b, h, ch, sh, ee, cert, cv, sfin);
        assertArrayEquals(CLIENT_FINISHED_KEY.field("finished"),
                b.finishedVerifyData(h, "tls13 ", cHs, apTranscript), "client Finished");

        byte[] master = b.keyScheduleStep(h, "tls13 ", hs.field("secret"), new byte[0], apTranscript,
                List.of("c ap traffic", "s ap traffic", "exp master"), 2, 16);
        assertEquals(4 * 32 + 2 * 44, master.length);
        assertArrayEquals(MASTER_SECRET.field("secret"), Arrays.copyOfRange(master, 0, 32),
                "master secret");
        assertArrayEquals(CLIENT_AP_TRAFFIC.field("expanded"),
                Arrays.copyOfRange(master, 32, 64), "c ap traffic");
        assertArrayEquals(SERVER_AP_TRAFFIC.field("expanded"),
                Arrays.copyOfRange(master, 64, 96), "s ap traffic");
        assertArrayEquals(EXPORTER_MASTER.field("expanded"),
                Arrays.copyOfRange(master, 96, 128), "exp master");
        assertArrayEquals(CLIENT_AP_WRITE_KEYS.field("key expanded"),
                Arrays.copyOfRange(master, 128, 144), "client application key");
        assertArrayEquals(SERVER_AP_WRITE_KEYS.field("key expanded"),
                Arrays.copyOfRange(master, 172, 188), "server application key");
    }

    /**
     * RFC 8448 §4 (resumed 0-RTT handshake, from the ticket of §3): the ticket's PSK, the binder over
     * the truncated ClientHello, and the client's early traffic keys, through the engine's own
     * {@link KeySchedule} and PSK codecs on this backend.
     */
    @Test
    void rfc8448ResumptionPskBinderAndEarlyTrafficKeys() throws Exception {
        HashAlgorithm h = HashAlgorithm.SHA256;
        CryptoBackend b = cryptoBackend();
        KeySchedule ks = new KeySchedule(b, CipherSuite.TLS_AES_128_GCM_SHA256, KeySchedule.TLS13);

        byte[] nstMessage = Hex.decode(Rfc8448Resumed0Rtt.NEW_SESSION_TICKET);
        PskCodec.NewSessionTicket nst = PskCodec.NewSessionTicket.parse(Arrays.copyOfRange(nstMessage, 4, nstMessage.length));
        assertEquals(30, nst.lifetimeSeconds());
        assertEquals(0x933d0932, nst.ageAdd());
        assertEquals(1024, nst.maxEarlyData(), "early_data extension of the ticket");
        assertArrayEquals(Hex.decode(Rfc8448Resumed0Rtt.TICKET_NONCE), nst.nonce());
        byte[] psk = ks.resumptionPsk(RESUMPTION_MASTER.field("expanded"), nst.nonce());
        assertArrayEquals(Hex.decode(Rfc8448Resumed0Rtt.RESUMPTION_PSK), psk, "PSK = HKDF-Expand-Label(res master, resumption, nonce)");
        assertArrayEquals(Hex.decode(Rfc8448Resumed0Rtt.EARLY_SECRET), b.hkdfExtract(h, new byte[32], psk), "early secret");

        byte[] chMessage = Hex.decode(Rfc8448Resumed0Rtt.CLIENT_HELLO);
        // A TLS ClientHello (no DTLS cookie field): pre_shared_key is its last extension, 221 bytes.
        int pskAt = chMessage.length - 221;
        assertArrayEquals(new byte[] {0, (byte) ExtensionType.PRE_SHARED_KEY, 0, (byte) 221},
                Arrays.copyOfRange(chMessage, pskAt - 4, pskAt), "pre_shared_key closes the ClientHello");
        PskCodec.ClientPsks offered = PskCodec.parseClientPsks(Arrays.copyOfRange(chMessage, pskAt, chMessage.length));
        assertArrayEquals(nst.ticket(), offered.identities().get(0).identity(), "the ticket is the identity");
        assertArrayEquals(Hex.decode(Rfc8448Resumed0Rtt.BINDER), offered.binders().get(0));
        int truncated = chMessage.length - PskCodec.bindersLength(List.of(32));
        assertEquals(Rfc8448Resumed0Rtt.TRUNCATED_LENGTH, truncated, "Truncate() removes the binders list");
        byte[] binderHash = b.digest(h, Arrays.copyOf(chMessage, truncated));
        assertArrayEquals(Hex.decode(Rfc8448Resumed0Rtt.BINDER_HASH), binderHash);
        assertArrayEquals(Hex.decode(Rfc8448Resumed0Rtt.BINDER),
                KeySchedule.binder(b, h, KeySchedule.TLS13, psk, false, binderHash), "res binder");

        ks.earlySecret(psk);
        KeySchedule.TrafficKeys early = ks.earlyTrafficKeys(b.digest(h, chMessage));
        assertArrayEquals(Hex.decode(Rfc8448Resumed0Rtt.EARLY_KEY), early.key(), "early application data key");
        assertArrayEquals(Hex.decode(Rfc8448Resumed0Rtt.EARLY_IV), early.iv(), "early application data iv");
    }

    /** Both hashes, the DTLS prefix and every shape of step agree with the step spelled out in primitives. */
    @Test
    void keyScheduleStepsMatchThePrimitives() {
        CryptoBackend b = cryptoBackend();
        for (HashAlgorithm h : HashAlgorithm.values()) {
            int n = h.length();
            byte[] shared = Bytes.pattern(64, 7);
            byte[] th = Bytes.pattern(n, 8);
            byte[] early = b.hkdfExtract(h, new byte[n], new byte[n]);
            byte[] emptyHash = b.digest(h, new byte[0]);
            byte[] stage = b.hkdfExtract(h, b.hkdfExpandLabel(h, early, "dtls13", "derived", emptyHash, n), shared);
            for (int keyLength : new int[] {16, 32}) {
                byte[] step = b.keyScheduleStep(h, "dtls13", new byte[0], shared, th, List.of("c hs traffic", "s hs traffic"),
                        1, keyLength);
                assertEquals(3 * n + 2 * keyLength + 12, step.length, h + ": one keyed secret");
                assertArrayEquals(stage, Arrays.copyOf(step, n), h + ": stage");
                byte[] s1 = b.hkdfExpandLabel(h, stage, "dtls13", "s hs traffic", th, n);
                assertArrayEquals(s1, Arrays.copyOfRange(step, 2 * n, 3 * n), h + ": second secret");
                byte[] c1 = Arrays.copyOfRange(step, n, 2 * n);
                byte[] keys = Bytes.concat(Bytes.concat(b.hkdfExpandLabel(h, c1, "dtls13", "key", new byte[0], keyLength),
                        b.hkdfExpandLabel(h, c1, "dtls13", "iv", new byte[0], 12)),
                        b.hkdfExpandLabel(h, c1, "dtls13", "sn", new byte[0], keyLength));
                assertArrayEquals(keys, Arrays.copyOfRange(step, 3 * n, step.length), h + ": keys of the first secret");
                assertArrayEquals(keys, b.trafficKeys(h, "dtls13", c1, keyLength), h + ": trafficKeys");
            }
            // The early secret given explicitly is the same as none, and no labels gives the stage alone.
            assertArrayEquals(stage, b.keyScheduleStep(h, "dtls13", early, shared, th, List.of(), 0, 16), h + ": explicit early");
            byte[] master = b.hkdfExtract(h, b.hkdfExpandLabel(h, stage, "dtls13", "derived", emptyHash, n), new byte[n]);
            assertArrayEquals(master, b.keyScheduleStep(h, "dtls13", stage, new byte[0], th, List.of(), 0, 16),
                    h + ": empty ikm means zeros");
            byte[] finishedKey = b.hkdfExpandLabel(h, stage, "dtls13", "finished", new byte[0], n);
            assertArrayEquals(b.hmac(h, finishedKey, th), b.finishedVerifyData(h, "dtls13", stage, th), h + ": Finished");
            assertThrows(IllegalArgumentException.class,
                    () -> b.keyScheduleStep(h, "dtls13", new byte[0], shared, th, List.of("c hs traffic"), 2, 16),
                    h + ": more keyed secrets than labels");
        }
    }

    /** Derive-Secret / HKDF-Expand-Label for one trace step; also checks the HkdfLabel bytes. */
    private static byte[] checkExpandLabel(CryptoBackend b, Step step, byte[] prk, String label, byte[] context) {
        HashAlgorithm h = HashAlgorithm.SHA256;
        assertArrayEquals(step.field("PRK"), prk, step.title() + ": PRK (trace consistency)");
        int length = step.field("expanded").length;
        byte[] info = hkdfLabel(length, "tls13 " + label, context);
        assertArrayEquals(step.field("info"), info, step.title() + ": HkdfLabel as RFC 8446 §7.1 builds it");
        assertArrayEquals(step.field("expanded"), b.hkdfExpand(h, prk, step.field("info"), length),
                step.title() + ": hkdfExpand with the trace's info");
        byte[] out = b.hkdfExpandLabel(h, prk, "tls13 ", label, context, length);
        assertArrayEquals(step.field("expanded"), out, step.title() + ": hkdfExpandLabel(\"tls13 \", \"" + label + "\")");
        return out;
    }

    private static void checkTrafficKeys(CryptoBackend b, Step step, byte[] trafficSecret) {
        HashAlgorithm h = HashAlgorithm.SHA256;
        assertArrayEquals(step.field("PRK"), trafficSecret, step.title() + ": traffic secret (trace consistency)");
        assertArrayEquals(step.field("key expanded"), b.hkdfExpandLabel(h, trafficSecret, "tls13 ", "key", new byte[0], 16),
                step.title() + ": write key");
        assertArrayEquals(step.field("iv expanded"), b.hkdfExpandLabel(h, trafficSecret, "tls13 ", "iv", new byte[0], 12),
                step.title() + ": write IV");
    }

    private static byte[] transcript(CryptoBackend b, HashAlgorithm h, byte[]... messages) {
        TranscriptHash th = b.newTranscriptHash(h);
        for (byte[] m : messages) {
            th.update(m, 0, m.length);
        }
        return th.current();
    }

    private static byte[] sha256(CryptoBackend b) {
        return b.digest(HashAlgorithm.SHA256, new byte[0]);
    }

    /** struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel (RFC 8446 §7.1). */
    static byte[] hkdfLabel(int length, String fullLabel, byte[] context) {
        byte[] l = fullLabel.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer info = ByteBuffer.allocate(2 + 1 + l.length + 1 + context.length);
        info.putShort((short) length).put((byte) l.length).put(l).put((byte) context.length).put(context);
        return info.array();
    }
}
