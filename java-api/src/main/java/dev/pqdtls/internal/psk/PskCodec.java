package dev.pqdtls.internal.psk;

import dev.pqdtls.DtlsConfig;
import dev.pqdtls.internal.handshake.ExtensionType;
import dev.pqdtls.internal.handshake.Extensions;
import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire forms of RFC 8446's PSK messages: psk_key_exchange_modes (§4.2.9), pre_shared_key
 * (§4.2.11) and NewSessionTicket (§4.6.1).
 */
public final class PskCodec {
    /** psk_ke and psk_dhe_ke on the wire. */
    public static final int PSK_KE = 0;
    public static final int PSK_DHE_KE = 1;

    private PskCodec() {
    }

    public static int code(DtlsConfig.PskMode mode) {
        return mode == DtlsConfig.PskMode.PSK_KE ? PSK_KE : PSK_DHE_KE;
    }

    public static byte[] modes(List<DtlsConfig.PskMode> modes) {
        WireWriter w = new WireWriter().begin8();
        modes.forEach(m -> w.uint8(code(m)));
        return w.end().toByteArray();
    }

    /** The mode codes a client offers; unknown ones are kept (and never match ours). */
    public static List<Integer> parseModes(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        WireReader list = r.sub8(1, 255, "ke_modes");
        r.finish("psk_key_exchange_modes");
        List<Integer> out = new ArrayList<>();
        while (list.hasRemaining()) {
            out.add(list.uint8("ke_mode"));
        }
        return out;
    }

    /** One offered identity (RFC 8446 §4.2.11 PskIdentity). */
    public record Identity(byte[] identity, long obfuscatedTicketAge) {
    }

    /** The client's pre_shared_key: identities and their binders, in the same order. */
    public record ClientPsks(List<Identity> identities, List<byte[]> binders) {
    }

    /**
     * The client's pre_shared_key with zero binders of the given lengths, to be filled in once the
     * truncated ClientHello can be hashed (§4.2.11.2).
     */
    public static byte[] clientPsks(List<Identity> identities, List<Integer> binderLengths) {
        WireWriter w = new WireWriter().begin16();
        for (Identity i : identities) {
            w.vector16(i.identity()).uint32(i.obfuscatedTicketAge());
        }
        w.end().begin16();
        for (int length : binderLengths) {
            w.vector8(new byte[length]);
        }
        return w.end().toByteArray();
    }

    /** Bytes the binders list takes at the end of a ClientHello: what Truncate() removes. */
    public static int bindersLength(List<Integer> binderLengths) {
        int n = 2;
        for (int length : binderLengths) {
            n += 1 + length;
        }
        return n;
    }

    public static ClientPsks parseClientPsks(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        WireReader ids = r.sub16(7, 0xFFFF, "identities");
        WireReader bs = r.sub16(33, 0xFFFF, "binders");
        r.finish("pre_shared_key");
        List<Identity> identities = new ArrayList<>();
        while (ids.hasRemaining()) {
            identities.add(new Identity(ids.vector16(1, 0xFFFF, "identity"), ids.uint32("obfuscated_ticket_age")));
        }
        List<byte[]> binders = new ArrayList<>();
        while (bs.hasRemaining()) {
            binders.add(bs.vector8(32, 255, "binder"));
        }
        if (binders.size() != identities.size()) {
            throw new DecodeException("pre_shared_key has " + identities.size() + " identities but " + binders.size()
                    + " binders");
        }
        return new ClientPsks(identities, binders);
    }

    public static byte[] serverPsk(int selectedIdentity) {
        return new WireWriter().uint16(selectedIdentity).toByteArray();
    }

    public static int parseServerPsk(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        int selected = r.uint16("selected_identity");
        r.finish("pre_shared_key");
        return selected;
    }

    /**
     * NewSessionTicket (§4.6.1) with its one extension we know, early_data (§4.2.10): how many bytes
     * of 0-RTT data the ticket may carry, 0 when it is absent.
     */
    public record NewSessionTicket(long lifetimeSeconds, int ageAdd, byte[] nonce, byte[] ticket, long maxEarlyData) {
        public byte[] encode() {
            WireWriter w = new WireWriter().uint32(lifetimeSeconds).uint32(ageAdd & 0xFFFFFFFFL).vector8(nonce)
                    .vector16(ticket).begin16();
            if (maxEarlyData > 0) {
                w.uint16(ExtensionType.EARLY_DATA).begin16().uint32(maxEarlyData).end();
            }
            return w.end().toByteArray();
        }

        public static NewSessionTicket parse(byte[] body) throws DecodeException {
            WireReader r = new WireReader(body);
            long lifetime = r.uint32("ticket_lifetime");
            int ageAdd = (int) r.uint32("ticket_age_add");
            byte[] nonce = r.vector8(0, 255, "ticket_nonce");
            byte[] ticket = r.vector16(1, 0xFFFF, "ticket");
            Extensions ext = Extensions.parse(r, "NewSessionTicket");
            r.finish("NewSessionTicket");
            long maxEarlyData = 0;
            if (ext.get(ExtensionType.EARLY_DATA).isPresent()) {
                WireReader e = new WireReader(ext.get(ExtensionType.EARLY_DATA).get());
                maxEarlyData = e.uint32("max_early_data_size");
                e.finish("early_data");
            }
            return new NewSessionTicket(lifetime, ageAdd, nonce, ticket, maxEarlyData);
        }
    }
}
