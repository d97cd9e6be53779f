package dev.pqdtls.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pqdtls.fuzz.Script.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole connections fed hostile datagrams: a server after a real cookie round trip, and a client after
 * its first ClientHello, each facing an honest peer whose datagrams the fuzzer may deliver, corrupt,
 * cut, extend, replay or replace (see {@link Script} and {@link Duel} for the steps and invariants).
 */
class ConnectionFuzzTest {
    private static final int MAX_SCRIPT = 16 * 1024;

    static Stream<Arguments> serverSeeds() {
        List<byte[]> client = Seeds.clientDatagrams();
        List<Arguments> seeds = new ArrayList<>();
        seeds.add(Seeds.named("honest: flight to the client, its Finished back",
                new Script.Builder().step(Step.FLUSH).step(Step.PEER_NEXT).step(Step.PEER_NEXT).build()));
        seeds.add(Seeds.named("Finished with a flipped byte, then resent after a timeout",
                new Script.Builder().step(Step.FLUSH).flip(20, 0x40).timer(100).step(Step.FLUSH).step(Step.PEER_NEXT).build()));
        seeds.add(Seeds.named("Finished truncated, then replayed ClientHello2",
                new Script.Builder().step(Step.FLUSH).truncate(30).raw(client.get(1)).build()));
        seeds.add(Seeds.named("Finished with junk appended, then replayed",
                new Script.Builder().step(Step.FLUSH).append(new byte[] {0x2F, 0, 1, 2, 3}).step(Step.REPLAY).build()));
        seeds.add(Seeds.named("foreign Finished from another handshake",
                new Script.Builder().step(Step.FLUSH).raw(client.get(client.size() - 1)).step(Step.PEER_NEXT).build()));
        return seeds.stream();
    }

    @MethodSource("serverSeeds")
    @FuzzTest(maxDuration = "15m")
    void serverConnection(byte[] input) throws Exception {
        byte[] script = Bounds.cap(input, MAX_SCRIPT);
        Bounds.allocation(64L << 20, 1024, script.length, () -> Duel.serverUnderTest().run(new Script(script)));
    }

    static Stream<Arguments> clientSeeds() {
        List<byte[]> server = Seeds.serverDatagrams();
        List<Arguments> seeds = new ArrayList<>();
        seeds.add(Seeds.named("honest: HelloRetryRequest, then the server's flight",
                new Script.Builder().step(Step.FLUSH).step(Step.PEER_NEXT).step(Step.FLUSH)
                        .step(Step.PEER_NEXT).step(Step.PEER_NEXT).step(Step.PEER_NEXT).step(Step.PEER_NEXT).build()));
        seeds.add(Seeds.named("captured HelloRetryRequest and ServerHello from another handshake",
                new Script.Builder().raw(server.get(0)).raw(server.get(1)).build()));
        seeds.add(Seeds.named("server flight with a flipped byte and a truncated datagram",
                new Script.Builder().step(Step.FLUSH).step(Step.PEER_NEXT).step(Step.FLUSH).flip(90, 1)
                        .truncate(40).step(Step.PEER_NEXT).timer(200).step(Step.FLUSH).step(Step.PEER_NEXT).build()));
        seeds.add(Seeds.named("HelloRetryRequest twice",
                new Script.Builder().step(Step.FLUSH).step(Step.PEER_NEXT).step(Step.REPLAY).build()));
        return seeds.stream();
    }

    @MethodSource("clientSeeds")
    @FuzzTest(maxDuration = "15m")
    void clientConnection(byte[] input) throws Exception {
        byte[] script = Bounds.cap(input, MAX_SCRIPT);
        Bounds.allocation(64L << 20, 1024, script.length, () -> Duel.clientUnderTest().run(new Script(script)));
    }
}
