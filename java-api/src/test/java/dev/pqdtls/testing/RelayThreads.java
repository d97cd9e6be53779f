package dev.pqdtls.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.function.BooleanSupplier;

/** The I/O threads of the test relays ({@link UdpRelay}, {@link ImpairmentRelay}). */
final class RelayThreads {
    private RelayThreads() {
    }

    /** A relay's receive or delivery loop. */
    interface IoLoop {
        void run() throws IOException;
    }

    /**
     * Starts a daemon thread running {@code body}. Its socket closing ends it quietly; any other I/O
     * error fails the thread unless {@code closed} says the relay is shutting down.
     */
    static Thread start(String name, IoLoop body, BooleanSupplier closed) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (SocketException closing) {
                // closed: this part of the relay ends
            } catch (IOException e) {
                if (!closed.getAsBoolean()) {
                    throw new UncheckedIOException(e);
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
