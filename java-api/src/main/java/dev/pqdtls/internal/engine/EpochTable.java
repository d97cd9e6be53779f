package dev.pqdtls.internal.engine;

import dev.pqdtls.internal.recordlayer.EpochCipher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ciphers of one direction by epoch. A connection has at most a few epochs alive at once (the
 * current one, the previous one across a KeyUpdate, the handshake epoch while it lingers), so a
 * small array searched linearly beats a map in both time and bytes (an idle connection keeps one).
 */
final class EpochTable {
    private EpochCipher[] ciphers = new EpochCipher[2];
    private int size;

    EpochCipher get(long epoch) {
        for (int i = 0; i < size; i++) {
            if (ciphers[i].epoch() == epoch) {
                return ciphers[i];
            }
        }
        return null;
    }

    boolean contains(long epoch) {
        return get(epoch) != null;
    }

    /** Adds or replaces the cipher of its epoch; returns the replaced one, or null. */
    EpochCipher put(EpochCipher cipher) {
        for (int i = 0; i < size; i++) {
            if (ciphers[i].epoch() == cipher.epoch()) {
                EpochCipher old = ciphers[i];
                ciphers[i] = cipher;
                return old;
            }
        }
        if (size == ciphers.length) {
            ciphers = java.util.Arrays.copyOf(ciphers, size * 2);
        }
        ciphers[size++] = cipher;
        return null;
    }

    /** Closes and removes the ciphers of epochs below {@code below}. */
    void retireBelow(long below) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (ciphers[i].epoch() < below) {
                ciphers[i].close();
            } else {
                ciphers[kept++] = ciphers[i];
            }
        }
        java.util.Arrays.fill(ciphers, kept, size, null);
        size = kept;
        if (ciphers.length > 2 && size <= 2) {
            ciphers = java.util.Arrays.copyOf(ciphers, 2);
        }
    }

    int size() {
        return size;
    }

    /** The i-th cipher, in no particular order. */
    EpochCipher at(int i) {
        return ciphers[i];
    }

    void forEach(Consumer<EpochCipher> action) {
        for (int i = 0; i < size; i++) {
            action.accept(ciphers[i]);
        }
    }

    List<Long> epochs() {
        List<Long> epochs = new ArrayList<>(size);
        forEach(c -> epochs.add(c.epoch()));
        return epochs;
    }
}
