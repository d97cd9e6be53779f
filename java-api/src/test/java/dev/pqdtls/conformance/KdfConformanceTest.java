package dev.pqdtls.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pqdtls.conformance.support.BackendConformance;
import dev.pqdtls.conformance.support.Bytes;
import dev.pqdtls.conformance.support.Hex;
import dev.pqdtls.conformance.support.Rfc8448Trace;
import dev.pqdtls.conformance.support.Wycheproof;
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
        return vectorGroups(Wycheproof.load(file), g -> "keySize=" + g.intValue("keySize"), (g, v) -> {
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
        });
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
        Rfc8448Trace trace = Rfc8448Trace.simple1Rtt();
        HashAlgorithm h = HashAlgorithm.SHA256;
        CryptoBackend b = cryptoBackend();
        String tls = "tls13 ";
        byte[] zeros = new byte[h.length()];
        byte[] emptyHash = sha256(b);

        byte[] clientHello = trace.step("client construct a ClientHello handshake message").field("ClientHello");
        byte[] serverHello = trace.step("server construct a ServerHello handshake message").field("ServerHello");
        byte[] encryptedExtensions = trace.step("server construct a EncryptedExtensions handshake message")
                .field("EncryptedExtensions");
        byte[] certificate = trace.step("server construct a Certificate handshake message").field("Certificate");
        byte[] certificateVerify = trace.step("server construct a CertificateVerify handshake message")
                .field("CertificateVerify");
        byte[] serverFinished = trace.step("server construct a Finished handshake message").field("Finished");
        byte[] clientFinished = trace.step("client construct a Finished handshake message").field("Finished");

        List<DynamicNode> steps = new ArrayList<>();
        Rfc8448Trace.Step early = trace.step("server extract secret \"early\"");
        steps.add(bounded("early secret", () -> {
            assertArrayEquals(early.field("secret"), b.hkdfExtract(h, new byte[0], zeros), "early secret (empty salt)");
            assertArrayEquals(early.field("secret"), b.hkdfExtract(h, zeros, early.field("IKM")), "early secret (zero salt)");
        }));
        Rfc8448Trace.Step derivedHs = trace.step("server derive secret for handshake \"tls13 derived\"");
        steps.add(bounded("derived secret (for handshake)", () -> {
            assertArrayEquals(derivedHs.field("hash"), emptyHash, "Transcript-Hash(\"\")");
            checkExpandLabel(b, derivedHs, early.field("secret"), "derived", emptyHash);
        }));
        Rfc8448Trace.Step hsSecret = trace.step("server extract secret \"handshake\"");
        steps.add(bounded("handshake secret", () -> {
            assertArrayEquals(derivedHs.field("expanded"), hsSecret.field("salt"), "trace consistency");
            assertArrayEquals(hsSecret.field("secret"), b.hkdfExtract(h, hsSecret.field("salt"), hsSecret.field("IKM")),
                    "handshake secret from the (EC)DHE shared secret");
        }));
        byte[] hsTranscript = transcript(b, h, clientHello, serverHello);
        Rfc8448Trace.Step cHs = trace.step("server derive secret \"tls13 c hs traffic\"");
        Rfc8448Trace.Step sHs = trace.step("server derive secret \"tls13 s hs traffic\"");
        steps.add(bounded("client handshake traffic secret", () -> {
            assertArrayEquals(cHs.field("hash"), hsTranscript, "Transcript-Hash(ClientHello..ServerHello)");
            checkExpandLabel(b, cHs, hsSecret.field("secret"), "c hs traffic", hsTranscript);
        }));
        steps.add(bounded("server handshake traffic secret", () -> {
            assertArrayEquals(sHs.field("hash"), hsTranscript, "Transcript-Hash(ClientHello..ServerHello)");
            checkExpandLabel(b, sHs, hsSecret.field("secret"), "s hs traffic", hsTranscript);
        }));
        Rfc8448Trace.Step derivedMs = trace.step("server derive secret for master \"tls13 derived\"");
        Rfc8448Trace.Step master = trace.step("server extract secret \"master\"");
        steps.add(bounded("master secret", () -> {
            checkExpandLabel(b, derivedMs, hsSecret.field("secret"), "derived", emptyHash);
            assertArrayEquals(master.field("secret"), b.hkdfExtract(h, derivedMs.field("expanded"), zeros), "master secret");
        }));
        Rfc8448Trace.Step serverFin = trace.step("server calculate finished \"tls13 finished\"");
        steps.add(bounded("server Finished", () -> {
            byte[] finishedKey = checkExpandLabel(b, serverFin, sHs.field("expanded"), "finished", new byte[0]);
            byte[] th = transcript(b, h, clientHello, serverHello, encryptedExtensions, certificate, certificateVerify);
            assertArrayEquals(serverFin.field("finished"), b.hmac(h, finishedKey, th), "server verify_data");
            assertArrayEquals(serverFin.field("finished"), Arrays.copyOfRange(serverFinished, 4, serverFinished.length),
                    "trace consistency");
        }));
        byte[] apTranscript = transcript(b, h, clientHello, serverHello, encryptedExtensions, certificate,
                certificateVerify, serverFinished);
        Rfc8448Trace.Step cAp = trace.step("server derive secret \"tls13 c ap traffic\"");
        Rfc8448Trace.Step sAp = trace.step("server derive secret \"tls13 s ap traffic\"");
        Rfc8448Trace.Step expMaster = trace.step("server derive secret \"tls13 exp master\"");
        steps.add(bounded("client application traffic secret", () -> {
            assertArrayEquals(cAp.field("hash"), apTranscript, "Transcript-Hash(ClientHello..server Finished)");
            checkExpandLabel(b, cAp, master.field("secret"), "c ap traffic", apTranscript);
        }));
        steps.add(bounded("server application traffic secret", () ->
                checkExpandLabel(b, sAp, master.field("secret"), "s ap traffic", apTranscript)));
        steps.add(bounded("exporter master secret", () ->
                checkExpandLabel(b, expMaster, master.field("secret"), "exp master", apTranscript)));
        Rfc8448Trace.Step clientFin = trace.step("client calculate finished \"tls13 finished\"");
        steps.add(bounded("client Finished", () -> {
            byte[] finishedKey = checkExpandLabel(b, clientFin, cHs.field("expanded"), "finished", new byte[0]);
            assertArrayEquals(clientFin.field("finished"), b.hmac(h, finishedKey, apTranscript), "client verify_data");
        }));
        Rfc8448Trace.Step resMaster = trace.step("client derive secret \"tls13 res master\"");
        steps.add(bounded("resumption master secret", () -> {
            byte[] th = transcript(b, h, clientHello, serverHello, encryptedExtensions, certificate, certificateVerify,
                    serverFinished, clientFinished);
            assertArrayEquals(resMaster.field("hash"), th, "Transcript-Hash(ClientHello..client Finished)");
            checkExpandLabel(b, resMaster, master.field("secret"), "res master", th);
        }));
        steps.add(bounded("server handshake write key and IV", () -> checkTrafficKeys(b,
                trace.step("server derive write traffic keys for handshake data"), sHs.field("expanded"))));
        steps.add(bounded("client handshake write key and IV", () -> checkTrafficKeys(b,
                trace.step("server derive read traffic keys for handshake data"), cHs.field("expanded"))));
        steps.add(bounded("server application write key and IV", () -> checkTrafficKeys(b,
                trace.step("server derive write traffic keys for application data"), sAp.field("expanded"))));
        steps.add(bounded("client application write key and IV", () -> checkTrafficKeys(b,
                trace.step("client derive write traffic keys for application data"), cAp.field("expanded"))));
        steps.add(bounded("dtls13 prefix differs from tls13", () -> {
            byte[] secret = hsSecret.field("secret");
            byte[] viaTls = b.hkdfExpandLabel(h, secret, tls, "c hs traffic", hsTranscript, 32);
            byte[] viaDtls = b.hkdfExpandLabel(h, secret, "dtls13", "c hs traffic", hsTranscript, 32);
            assertFalse(Arrays.equals(viaTls, viaDtls), "\"dtls13\" and \"tls13 \" labels must derive different secrets");
            assertArrayEquals(b.hkdfExpand(h, secret, hkdfLabel(32, "dtls13c hs traffic", hsTranscript), 32), viaDtls,
                    "HkdfLabel with the \"dtls13\" prefix (RFC 9147 §5.9) is \"dtls13\" || label");
        }));
        return steps.stream();
    }

    /** Derive-Secret / HKDF-Expand-Label for one trace step; also checks the HkdfLabel bytes. */
    private static byte[] checkExpandLabel(CryptoBackend b, Rfc8448Trace.Step step, byte[] prk, String label, byte[] context) {
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

    private static void checkTrafficKeys(CryptoBackend b, Rfc8448Trace.Step step, byte[] trafficSecret) {
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

    @Test
    void rfc8448TraceParsesCompletely() {
        Rfc8448Trace trace = Rfc8448Trace.simple1Rtt();
        assertEquals(201, trace.step("client send handshake record").field("complete record").length);
        assertEquals(657, trace.step("server send handshake record", 1).field("payload").length);
        assertEquals(679, trace.step("server send handshake record", 1).field("complete record").length);
        assertEquals("1bea3fdfd25f94033804b68997a55d1931dc51124ad7f6e28959bb4672e3bd13",
                Hex.encode(trace.step("server extract secret \"handshake\"").field("IKM")));
    }
}
