package dev.pqdtls.nativeabi.testing;

import dev.pqdtls.internal.engine.Connection;
import java.nio.ByteBuffer;

/**
 * Moves datagrams between two sans-I/O connections in memory, for the native backends' engine tests.
 * No loss, so no timers.
 */
public final class EnginePump {
    private EnginePump() {
    }

    /** Delivers everything queued both ways, one datagram at a time, until both sides are quiet. */
    public static void exchangeAll(Connection a, Connection b) {
        boolean moved = true;
        for (int round = 0; moved && round < 100; round++) {
            moved = false;
            for (Connection[] dir : new Connection[][] {{a, b}, {b, a}}) {
                for (ByteBuffer d = dir[0].pollOutgoing(); d != null; d = dir[0].pollOutgoing()) {
                    dir[1].onDatagram(d, 0);
                    moved = true;
                }
            }
        }
    }
}
