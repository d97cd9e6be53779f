package dev.pqdtls.cli;

import java.lang.reflect.Method;

/**
 * Starts one thread per connection: a virtual thread when the JVM has them (Java 21+), else a
 * daemon platform thread. The CLI compiles for release 17, so the virtual-thread builder is reached
 * reflectively, once.
 */
final class ConnectionThreads {
    private static final Method OF_VIRTUAL;
    private static final Method NAME;
    private static final Method START;

    static {
        Method ofVirtual = null;
        Method name = null;
        Method start = null;
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            name = builder.getMethod("name", String.class);
            start = builder.getMethod("start", Runnable.class);
        } catch (ReflectiveOperationException e) {
            ofVirtual = null; // Java 17-20: platform threads
        }
        OF_VIRTUAL = ofVirtual;
        NAME = name;
        START = start;
    }

    private ConnectionThreads() {
    }

    /** True if {@link #start} makes virtual threads. */
    static boolean virtual() {
        return OF_VIRTUAL != null;
    }

    static Thread start(String name, Runnable task) {
        if (OF_VIRTUAL != null) {
            try {
                Object builder = OF_VIRTUAL.invoke(null);
                NAME.invoke(builder, name);
                return (Thread) START.invoke(builder, task);
            } catch (ReflectiveOperationException e) {
                // e.g. preview-gated on Java 19/20: fall through to a platform thread
            }
        }
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
