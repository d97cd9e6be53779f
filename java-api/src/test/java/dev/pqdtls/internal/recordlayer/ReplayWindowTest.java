package dev.pqdtls.internal.recordlayer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    @Test
    void acceptsEachNumberOnceAndOnlyAfterAuthentication() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.isFresh(0));
        assertTrue(w.isFresh(0), "checking alone must not mark a record seen");
        w.markAuthentic(0);
        assertFalse(w.isFresh(0));
        assertTrue(w.isFresh(1));
    }

    @Test
    void windowEdgesAfterAJump() {
        ReplayWindow w = new ReplayWindow();
        w.markAuthentic(100);
        assertEquals(100, w.highest());
        assertFalse(w.isFresh(100));
        assertTrue(w.isFresh(99));
        assertTrue(w.isFresh(100 - ReplayWindow.SIZE + 1), "oldest number inside the window");
        assertFalse(w.isFresh(100 - ReplayWindow.SIZE), "first number left of the window");
        assertTrue(w.isFresh(101));
    }

    @Test
    void outOfOrderRecordsInsideTheWindowAreAcceptedOnce() {
        ReplayWindow w = new ReplayWindow();
        w.markAuthentic(10);
        w.markAuthentic(7);
        assertFalse(w.isFresh(7));
        assertTrue(w.isFresh(8));
        w.markAuthentic(12);
        assertFalse(w.isFresh(7), "seen bit must survive a slide");
        assertFalse(w.isFresh(10));
        assertTrue(w.isFresh(9));
    }

    @Test
    void slideBeyondTheWholeWindowForgetsOldBits() {
        ReplayWindow w = new ReplayWindow();
        w.markAuthentic(1);
        w.markAuthentic(1 + 5 * ReplayWindow.SIZE);
        assertFalse(w.isFresh(1));
        assertTrue(w.isFresh(5 * ReplayWindow.SIZE), "inside the new window and never seen");
    }
}
