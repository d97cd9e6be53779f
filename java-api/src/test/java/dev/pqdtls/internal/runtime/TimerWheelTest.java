package dev.pqdtls.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TimerWheelTest {
    static final class Timer extends TimerWheel.Entry {
        final String name;

        Timer(String name) {
            this.name = name;
        }
    }

    private static List<String> advance(TimerWheel w, long now) {
        List<String> fired = new ArrayList<>();
        w.advance(now, (Timer t) -> fired.add(t.name));
        return fired;
    }

    @Test
    void firesInTickOrderAndNotBeforeTheDeadline() {
        TimerWheel w = new TimerWheel(10, 16, 1000);
        Timer a = new Timer("a");
        Timer b = new Timer("b");
        Timer c = new Timer("c");
        w.schedule(c, 1055);
        w.schedule(a, 1012);
        w.schedule(b, 1030);
        assertEquals(List.of(), advance(w, 1015), "a is due at its tick, 1020");
        assertEquals(List.of("a"), advance(w, 1020));
        assertEquals(List.of("b"), advance(w, 1040));
        assertEquals(List.of("c"), advance(w, 1060));
        assertEquals(0, w.size());
    }

    @Test
    void rescheduleMovesAndCancelRemovesInConstantTime() {
        TimerWheel w = new TimerWheel(10, 16, 0);
        Timer a = new Timer("a");
        Timer b = new Timer("b");
        w.schedule(a, 50);
        w.schedule(b, 60);
        w.schedule(a, 100);
        w.cancel(b);
        assertFalse(b.scheduled());
        assertEquals(List.of(), advance(w, 90));
        assertEquals(List.of("a"), advance(w, 100));
        w.schedule(a, Long.MAX_VALUE);
        assertFalse(a.scheduled(), "MAX_VALUE means no timer");
    }

    @Test
    void deadlinesBeyondOneTurnWaitForTheirTurn() {
        TimerWheel w = new TimerWheel(10, 16, 0); // one turn = 160 ms
        Timer far = new Timer("far");
        Timer near = new Timer("near");
        w.schedule(far, 500);
        w.schedule(near, 20);
        List<String> fired = new ArrayList<>();
        for (long t = 10; t <= 490; t += 10) {
            fired.addAll(advance(w, t));
        }
        assertEquals(List.of("near"), fired, "far shares slots with earlier ticks but waits for its own");
        assertEquals(List.of("far"), advance(w, 500));
    }

    @Test
    void aLongSleepFiresEverythingDueOnce() {
        TimerWheel w = new TimerWheel(10, 16, 0);
        List<Timer> timers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Timer t = new Timer("t" + i);
            timers.add(t);
            w.schedule(t, 10L * i + 5);
        }
        List<String> fired = advance(w, 5_000);
        assertEquals(100, fired.size());
        assertEquals(100, fired.stream().distinct().count());
        assertTrue(timers.stream().noneMatch(TimerWheel.Entry::scheduled));
    }

    @Test
    void aTimerMaySetItselfAgainWhenItFires() {
        TimerWheel w = new TimerWheel(10, 16, 0);
        Timer t = new Timer("t");
        w.schedule(t, 10);
        List<Long> firedAt = new ArrayList<>();
        for (long now = 10; now <= 100; now += 10) {
            long at = now;
            w.advance(now, (Timer x) -> {
                firedAt.add(at);
                w.schedule(x, at + 30);
            });
        }
        assertEquals(List.of(10L, 40L, 70L, 100L), firedAt);
    }

    @Test
    void theLoopSleepsUntilTheNextNonEmptySlotAtMost() {
        TimerWheel w = new TimerWheel(10, 16, 0);
        assertEquals(100, w.millisUntilNext(0, 100), "nothing scheduled: the horizon");
        w.schedule(new Timer("x"), 45);
        assertEquals(50, w.millisUntilNext(0, 100));
        assertEquals(30, w.millisUntilNext(0, 30), "never beyond the horizon");
    }
}
