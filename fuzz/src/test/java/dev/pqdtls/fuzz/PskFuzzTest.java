package dev.pqdtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.TicketKeys;
import dev.pqdtls.internal.psk.PskCodec;
import dev.pqdtls.internal.psk.TicketSealer;
import dev.pqdtls.internal.wire.DecodeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PSK wire forms a peer controls (RFC 8446 §4.2.9, §4.2.11, §4.6.1) and the tickets a server
 * opens. Each parse throws {@link DecodeException} or returns a value that re-encodes to its input;
 * a ticket that is not exactly one we sealed opens to nothing (never an exception).
 */
class PskFuzzTest {
    private static final int MAX_INPUT = 16 * 1024;
    private static final TicketKeys KEYS = TicketKeys.of(List.of(new byte[32]));
    private static final long NOW = 1_750_000_000_000L;

    static Stream<Arguments> codecSeeds() {
        byte[] psks = PskCodec.clientPsks(List.of(new PskCodec.Identity("device-17".getBytes(StandardCharsets.US_ASCII), 0),
                new PskCodec.Identity(new byte[120], 0x12345678L)), List.of(32, 48));
        byte[] nst = new PskCodec.NewSessionTicket(43_200, 0x0BADCAFE, new byte[] {0}, new byte[120], 16_384).encode();
        return Stream.of(
                Seeds.named("psk_key_exchange_modes", prefixed(0, PskCodec.modes(List.of(DtlsConfig.PskMode.PSK_DHE_KE,
                        DtlsConfig.PskMode.PSK_KE)))),
                Seeds.named("pre_shared_key (client)", prefixed(1, psks)),
                Seeds.named("pre_shared_key (server)", prefixed(2, PskCodec.serverPsk(1))),
                Seeds.named("NewSessionTicket", prefixed(3, nst)));
    }

    static Stream<Arguments> ticketSeeds() {
        byte[] genuine = TicketSealer.seal(KEYS, new TicketSealer.State(0x1301, NOW, 3600, 7, 1024, new byte[32], new byte[0]), NOW);
        return Stream.of(Seeds.named("a genuine ticket", genuine), Seeds.named("empty", new byte[0]));
    }

    private static byte[] prefixed(int selector, byte[] data) {
        byte[] out = new byte[data.length + 1];
        out[0] = (byte) selector;
        System.arraycopy(data, 0, out, 1, data.length);
        return out;
    }

    @MethodSource("codecSeeds")
    @FuzzTest(maxDuration = "10m")
    void codecs(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        byte[] data = java.util.Arrays.copyOfRange(input, 1, Math.min(input.length, MAX_INPUT));
        Bounds.allocation(1 << 20, 64, data.length, () -> {
            try {
                switch ((input[0] & 0xFF) % 4) {
                    case 0 -> {
                        List<Integer> modes = PskCodec.parseModes(data);
                        assertTrue(!modes.isEmpty());
                    }
                    case 1 -> {
                        PskCodec.ClientPsks psks = PskCodec.parseClientPsks(data);
                        assertEquals(psks.identities().size(), psks.binders().size(), "one binder per identity");
                        byte[] again = PskCodec.clientPsks(psks.identities(), psks.binders().stream().map(b -> b.length).toList());
                        int bindersAt = again.length - PskCodec.bindersLength(psks.binders().stream().map(b -> b.length).toList());
                        assertArrayEquals(java.util.Arrays.copyOf(data, bindersAt), java.util.Arrays.copyOf(again, bindersAt),
                                "the identities re-encode to their input");
                        assertEquals(data.length, again.length, "Truncate() removes exactly the binders");
                    }
                    case 2 -> assertArrayEquals(data, PskCodec.serverPsk(PskCodec.parseServerPsk(data)));
                    default -> {
                        PskCodec.NewSessionTicket nst = PskCodec.NewSessionTicket.parse(data);
                        PskCodec.NewSessionTicket again = PskCodec.NewSessionTicket.parse(nst.encode());
                        assertEquals(nst.lifetimeSeconds(), again.lifetimeSeconds());
                        assertEquals(nst.ageAdd(), again.ageAdd());
                        assertEquals(nst.maxEarlyData(), again.maxEarlyData());
                        assertArrayEquals(nst.nonce(), again.nonce());
                        assertArrayEquals(nst.ticket(), again.ticket());
                    }
                }
            } catch (DecodeException e) {
                // the documented outcome of malformed data
            }
        });
    }

    @MethodSource("ticketSeeds")
    @FuzzTest(maxDuration = "10m")
    void tickets(byte[] input) throws Exception {
        byte[] ticket = Bounds.cap(input, MAX_INPUT);
        Bounds.allocation(1 << 20, 64, ticket.length, () -> {
            var opened = TicketSealer.open(KEYS, ticket, NOW);
            if (opened.isPresent()) {
                // AES-GCM: only what we sealed opens, so it is the seed's state.
                assertEquals(0x1301, opened.get().cipherSuite());
                assertEquals(7, opened.get().ageAdd());
                assertEquals(1024, opened.get().maxEarlyData());
            }
        });
    }
}
