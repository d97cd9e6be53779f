package dev.pqdtls.fallback.protocol;

import dev.pqdtls.internal.engine.Connection;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Moves datagrams between two sans-I/O connections on a simulated clock, optionally losing,
 * duplicating and reordering them with a seeded random source, so lossy runs are repeatable and need
 * no real time or sleeps.
 */
public final class LoopbackPump {
    private final Connection a;
    private final Connection b;
    private final Random random;
    private final double loss;
    private final double duplication;
    private final double reordering;
    public long now = 1_000_000;
    int datagramsLost;

    public LoopbackPump(Connection a, Connection b, long seed, double loss, double duplication, double reordering) {
        this.a = a;
        this.b = b;
        this.random = new Random(seed);
        this.loss = loss;
        this.duplication = duplication;
        this.reordering = reordering;
    }

    public LoopbackPump(Connection a, Connection b) {
        this(a, b, 0, 0, 0, 0);
    }

    /** Runs until both sides are past the handshake and quiet, or {@code maxSteps} pass. */
    public boolean runUntilEstablished(int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            boolean moved = deliver(a, b) | deliver(b, a);
            if (!moved) {
                if (a.state() != Connection.State.HANDSHAKING && b.state() != Connection.State.HANDSHAKING) {
                    return a.state() == Connection.State.CONNECTED && b.state() == Connection.State.CONNECTED;
                }
                long next = Math.min(a.nextTimerMillis(now), b.nextTimerMillis(now));
                if (next == Long.MAX_VALUE) {
                    return false;
                }
                now = Math.max(now, next);
                a.onTimer(now);
                b.onTimer(now);
            }
        }
        return false;
    }

    /** Delivers what is pending in both directions until quiet, advancing timers when needed. */
    public void settle(int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            boolean moved = deliver(a, b) | deliver(b, a);
            if (!moved) {
                return;
            }
        }
    }

    /** Lets simulated time pass, firing timers and delivering whatever they send. */
    public void advance(long millis) {
        long until = now + millis;
        while (true) {
            settle(1000);
            long next = Math.min(a.nextTimerMillis(now), b.nextTimerMillis(now));
            if (next > until) {
                now = until;
                return;
            }
            now = Math.max(now, next);
            a.onTimer(now);
            b.onTimer(now);
        }
    }

    private boolean deliver(Connection from, Connection to) {
        List<ByteBuffer> batch = new ArrayList<>();
        for (ByteBuffer d = from.pollOutgoing(); d != null; d = from.pollOutgoing()) {
            if (random.nextDouble() < loss) {
                datagramsLost++;
                continue;
            }
            batch.add(d);
            if (random.nextDouble() < duplication) {
                batch.add(copy(d));
            }
        }
        if (batch.isEmpty()) {
            return false;
        }
        if (random.nextDouble() < reordering) {
            java.util.Collections.shuffle(batch, random);
        }
        for (ByteBuffer d : batch) {
            to.onDatagram(d, now);
        }
        return true;
    }

    private static ByteBuffer copy(ByteBuffer d) {
        ByteBuffer c = ByteBuffer.allocate(d.remaining());
        c.put(d.duplicate()).flip();
        return c;
    }
}
