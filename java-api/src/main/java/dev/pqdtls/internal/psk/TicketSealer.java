package dev.pqdtls.internal.psk;

import dev.pqdtls.TicketKeys;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A server's session state sealed into the ticket it gives the client (RFC 8446 §4.6.1, the
 * self-encrypted form RFC 5077 §4 recommends): {@code key id (4) | nonce (12) | AES-256-GCM(state)},
 * the key id authenticated as associated data. The nonce is random: a key seals far fewer than the
 * 2^32 messages random GCM nonces allow before {@link TicketKeys} rotates it.
 */
public final class TicketSealer {
    private static final int VERSION = 2;
    private static final int NONCE = 12;
    private static final int TAG = 16;
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JDK", e);
        }
    });
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What a ticket carries: the session's suite, when it was issued (wall clock) and for how long,
     * the age_add the client obfuscates the ticket's age with, how many bytes of early data it may
     * carry (0: none), the PSK it resumes with, and the client's certificate (DER) if it presented one.
     */
    public record State(int cipherSuite, long issuedAtMillis, long lifetimeSeconds, int ageAdd, long maxEarlyData,
            byte[] psk, byte[] clientCertificate) {
        public boolean expired(long nowMillis) {
            return nowMillis < issuedAtMillis || nowMillis - issuedAtMillis >= lifetimeSeconds * 1000;
        }

        public void wipe() {
            Arrays.fill(psk, (byte) 0);
        }
    }

    private TicketSealer() {
    }

    public static byte[] seal(TicketKeys keys, State state, long nowMillis) {
        byte[] plain = new WireWriter().uint8(VERSION).uint16(state.cipherSuite()).uint32(state.issuedAtMillis() >>> 32)
                .uint32(state.issuedAtMillis() & 0xFFFFFFFFL).uint32(state.lifetimeSeconds()).uint32(state.ageAdd() & 0xFFFFFFFFL)
                .uint32(state.maxEarlyData()).vector8(state.psk())
                .vector16(state.clientCertificate()).toByteArray();
        TicketKeys.Key key = keys.current(nowMillis);
        byte[] secret = key.secret();
        byte[] out = new byte[4 + NONCE + plain.length + TAG];
        byte[] header = new WireWriter().uint32(key.id() & 0xFFFFFFFFL).toByteArray();
        System.arraycopy(header, 0, out, 0, 4);
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 4, NONCE);
        try {
            Cipher c = GCM.get();
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(secret, "AES"), new GCMParameterSpec(TAG * 8, nonce));
            c.updateAAD(header);
            c.doFinal(plain, 0, plain.length, out, 4 + NONCE);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing a session ticket failed", e);
        } finally {
            Arrays.fill(secret, (byte) 0);
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** The state in a ticket, or empty if it is not one of ours, was altered, or its key is gone. */
    public static Optional<State> open(TicketKeys keys, byte[] ticket, long nowMillis) {
        if (ticket.length < 4 + NONCE + TAG) {
            return Optional.empty();
        }
        int id = (ticket[0] & 0xFF) << 24 | (ticket[1] & 0xFF) << 16 | (ticket[2] & 0xFF) << 8 | (ticket[3] & 0xFF);
        Optional<TicketKeys.Key> key = keys.find(id, nowMillis);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        byte[] secret = key.get().secret();
        byte[] plain = null;
        try {
            Cipher c = GCM.get();
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(secret, "AES"),
                    new GCMParameterSpec(TAG * 8, ticket, 4, NONCE));
            c.updateAAD(ticket, 0, 4);
            plain = c.doFinal(ticket, 4 + NONCE, ticket.length - 4 - NONCE);
            WireReader r = new WireReader(plain);
            if (r.uint8("version") != VERSION) {
                return Optional.empty();
            }
            int suite = r.uint16("cipher_suite");
            long issued = r.uint32("issued") << 32 | r.uint32("issued");
            long lifetime = r.uint32("lifetime");
            int ageAdd = (int) r.uint32("age_add");
            long maxEarlyData = r.uint32("max_early_data");
            byte[] psk = r.vector8(32, 255, "psk");
            byte[] cert = r.vector16(0, 0xFFFF, "client_certificate");
            r.finish("ticket");
            return Optional.of(new State(suite, issued, lifetime, ageAdd, maxEarlyData, psk, cert));
        } catch (GeneralSecurityException | DecodeException e) {
            return Optional.empty(); // forged, corrupted, or sealed under another key with this id
        } finally {
            Arrays.fill(secret, (byte) 0);
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }
}
