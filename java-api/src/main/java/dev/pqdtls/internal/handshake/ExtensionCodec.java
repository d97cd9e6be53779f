package dev.pqdtls.internal.handshake;

import dev.pqdtls.internal.wire.DecodeException;
import dev.pqdtls.internal.wire.WireReader;
import dev.pqdtls.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/** Encodings of the extension bodies the handshake uses (RFC 8446 §4.2, RFC 9146 §3). */
public final class ExtensionCodec {
    /** DTLS 1.3 in supported_versions (RFC 9147 §5.3). */
    public static final int DTLS13 = 0xFEFC;

    private ExtensionCodec() {
    }

    /** One KeyShareEntry: group codepoint and key_exchange bytes. */
    public record KeyShareEntry(int group, byte[] keyExchange) {
    }

    // supported_versions -------------------------------------------------------------------------

    public static byte[] clientSupportedVersions() {
        return new WireWriter().begin8().uint16(DTLS13).end().toByteArray();
    }

    public static List<Integer> parseClientSupportedVersions(byte[] data) throws DecodeException {
        return parseUint16List(new WireReader(data).sub8(2, 254, "supported_versions"), data, "supported_versions");
    }

    public static byte[] serverSupportedVersion() {
        return new WireWriter().uint16(DTLS13).toByteArray();
    }

    public static int parseServerSupportedVersion(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        int v = r.uint16("selected_version");
        r.finish("supported_versions");
        return v;
    }

    // supported_groups and signature_algorithms --------------------------------------------------

    /** A {@code uint16 list<2..2^16-2>}, the shape of supported_groups and signature_algorithms. */
    public static byte[] uint16List(List<Integer> values) {
        WireWriter w = new WireWriter().begin16();
        values.forEach(w::uint16);
        return w.end().toByteArray();
    }

    public static List<Integer> parseUint16List(byte[] data, String what) throws DecodeException {
        return parseUint16List(new WireReader(data).sub16(2, 0xFFFE, what), data, what);
    }

    private static List<Integer> parseUint16List(WireReader list, byte[] whole, String what) throws DecodeException {
        if (list.remaining() % 2 != 0) {
            throw new DecodeException(what + " has odd length");
        }
        List<Integer> out = new ArrayList<>();
        while (list.hasRemaining()) {
            out.add(list.uint16(what));
        }
        if (list.position() != whole.length) {
            throw new DecodeException(what + " has trailing bytes");
        }
        return out;
    }

    // key_share ----------------------------------------------------------------------------------

    public static byte[] clientKeyShares(List<KeyShareEntry> entries) {
        WireWriter w = new WireWriter().begin16();
        for (KeyShareEntry e : entries) {
            w.uint16(e.group()).vector16(e.keyExchange());
        }
        return w.end().toByteArray();
    }

    /** Parses client_shares; a group offered twice is illegal (RFC 8446 §4.2.8). */
    public static List<KeyShareEntry> parseClientKeyShares(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        WireReader list = r.sub16(0, 0xFFFF, "client_shares");
        r.finish("key_share");
        List<KeyShareEntry> out = new ArrayList<>();
        while (list.hasRemaining()) {
            int group = list.uint16("group");
            byte[] share = list.vector16(1, 0xFFFF, "key_exchange");
            for (KeyShareEntry e : out) {
                if (e.group() == group) {
                    throw new DecodeException("key_share offers group " + group + " twice");
                }
            }
            out.add(new KeyShareEntry(group, share));
        }
        return out;
    }

    public static byte[] serverKeyShare(KeyShareEntry entry) {
        return new WireWriter().uint16(entry.group()).vector16(entry.keyExchange()).toByteArray();
    }

    public static KeyShareEntry parseServerKeyShare(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        KeyShareEntry e = new KeyShareEntry(r.uint16("group"), r.vector16(1, 0xFFFF, "key_exchange"));
        r.finish("key_share");
        return e;
    }

    /** The HelloRetryRequest form of key_share: only the selected group. */
    public static byte[] selectedGroup(int group) {
        return new WireWriter().uint16(group).toByteArray();
    }

    public static int parseSelectedGroup(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        int g = r.uint16("selected_group");
        r.finish("key_share");
        return g;
    }

    // cookie and connection_id -------------------------------------------------------------------

    public static byte[] cookie(byte[] cookie) {
        return new WireWriter().vector16(cookie).toByteArray();
    }

    public static byte[] parseCookie(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        byte[] c = r.vector16(1, 0xFFFF, "cookie");
        r.finish("cookie");
        return c;
    }

    /** connection_id: the CID the sender wants to receive in records addressed to it (RFC 9146 §3). */
    public static byte[] connectionId(byte[] cid) {
        return new WireWriter().vector8(cid).toByteArray();
    }

    public static byte[] parseConnectionId(byte[] data) throws DecodeException {
        WireReader r = new WireReader(data);
        byte[] cid = r.vector8(0, 255, "cid");
        r.finish("connection_id");
        return cid;
    }
}
