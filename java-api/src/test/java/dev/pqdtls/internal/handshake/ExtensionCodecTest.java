package dev.pqdtls.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pqdtls.internal.handshake.ExtensionCodec.KeyShareEntry;
import dev.pqdtls.internal.wire.DecodeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionCodecTest {

    @Test
    void keySharesRoundTripAndRejectRepeatedGroups() throws DecodeException {
        byte[] big = new byte[1216];
        big[0] = 7;
        List<KeyShareEntry> entries = List.of(new KeyShareEntry(0x11EC, big), new KeyShareEntry(0x001D, new byte[32]));
        List<KeyShareEntry> back = ExtensionCodec.parseClientKeyShares(ExtensionCodec.clientKeyShares(entries));
        assertEquals(2, back.size());
        assertEquals(0x11EC, back.get(0).group());
        assertArrayEquals(big, back.get(0).keyExchange());
        byte[] twice = ExtensionCodec.clientKeyShares(List.of(new KeyShareEntry(29, new byte[32]), new KeyShareEntry(29, new byte[32])));
        assertThrows(DecodeException.class, () -> ExtensionCodec.parseClientKeyShares(twice));
        KeyShareEntry server = ExtensionCodec.parseServerKeyShare(ExtensionCodec.serverKeyShare(new KeyShareEntry(23, new byte[65])));
        assertEquals(23, server.group());
        assertEquals(0x11EC, ExtensionCodec.parseSelectedGroup(ExtensionCodec.selectedGroup(0x11EC)));
    }

    @Test
    void listsVersionsCookiesAndCids() throws DecodeException {
        assertEquals(List.of(ExtensionCodec.DTLS13), ExtensionCodec.parseClientSupportedVersions(ExtensionCodec.clientSupportedVersions()));
        assertEquals(ExtensionCodec.DTLS13, ExtensionCodec.parseServerSupportedVersion(ExtensionCodec.serverSupportedVersion()));
        assertEquals(List.of(0x0403, 0x0807), ExtensionCodec.parseUint16List(ExtensionCodec.uint16List(List.of(0x0403, 0x0807)), "sig"));
        assertArrayEquals(new byte[] {1, 2}, ExtensionCodec.parseCookie(ExtensionCodec.cookie(new byte[] {1, 2})));
        assertArrayEquals(new byte[0], ExtensionCodec.parseConnectionId(ExtensionCodec.connectionId(new byte[0])));
        assertThrows(DecodeException.class, () -> ExtensionCodec.parseUint16List(new byte[] {0, 3, 0, 1, 2}, "odd"));
        assertThrows(DecodeException.class, () -> ExtensionCodec.parseUint16List(new byte[] {0, 2, 0, 1, 9}, "trailing"));
        assertThrows(DecodeException.class, () -> ExtensionCodec.parseCookie(new byte[] {0, 0}), "empty cookie");
    }
}
