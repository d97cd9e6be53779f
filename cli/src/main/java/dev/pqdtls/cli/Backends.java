package dev.pqdtls.cli;

import dev.pqdtls.internal.backend.BackendSelector;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Checks the crypto backend the user asked for ({@code ffm}, {@code fallback}) before any work, and
 * says which Java the native one needs: a Java 17 runtime cannot even load its classes.
 */
final class Backends {
    /** The ffm backend (and the bench runner) are Java 22 code. */
    static final int FFM_MIN_JAVA = 22;
    static final String FFM = "ffm";

    private Backends() {
    }

    /**
     * Checks a requested backend before any work: an unknown name is a usage error listing the short
     * names; ffm on Java 17-21 fails saying which Java runs and what to do; a backend that is present
     * but cannot run fails with the library's reason.
     *
     * @param how how the user asked, e.g. {@code --backend} or {@code -Dpqdtls.backend}
     */
    static void requireUsable(CommandLine cl, String name, String how) {
        requireUsable(cl, name, how, BackendSelector.discover(), Runtime.version().feature());
    }

    /** As above, for what {@code BackendSelector.discover()} found on a Java {@code javaFeature} runtime. */
    static void requireUsable(CommandLine cl, String name, String how, List<BackendSelector.Candidate> candidates,
            int javaFeature) {
        String wanted = name.trim();
        String asked = how + (how.startsWith("-D") ? "=" : " ") + wanted;
        Set<String> names = new LinkedHashSet<>();
        for (BackendSelector.Candidate c : candidates) {
            names.add(c.name());
        }
        BackendSelector.Candidate match = candidates.stream()
                .filter(c -> c.name().equalsIgnoreCase(wanted)).findFirst().orElse(null);
        if (match == null) {
            throw new ParameterException(cl, "unknown backend '" + name + "' (" + how + "); expected one of "
                    + (names.isEmpty() ? "(none on the class path)" : String.join(", ", names)));
        }
        if (match.name().equals(FFM) && javaFeature < FFM_MIN_JAVA) {
            throw new IllegalStateException(needsNewerJava("the ffm backend (" + asked + ")")
                    + ", or use the fallback backend");
        }
        if (!match.usable()) {
            throw new IllegalStateException("backend '" + match.name() + "' (" + asked + ") cannot run: "
                    + match.unusableReason().orElse("?"));
        }
    }

    /** "WHAT needs Java 22+; this is Java 17.0.13 (/usr/lib/jvm/...): set JAVA_HOME or PQDTLS_JAVA_HOME to a JDK 22+". */
    static String needsNewerJava(String what) {
        return what + " needs Java " + FFM_MIN_JAVA + "+; this is Java " + Runtime.version() + " ("
                + System.getProperty("java.home") + "): set JAVA_HOME or PQDTLS_JAVA_HOME to a JDK " + FFM_MIN_JAVA
                + "+ (e.g. 25)";
    }
}
