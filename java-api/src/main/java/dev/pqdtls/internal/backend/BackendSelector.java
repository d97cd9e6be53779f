package dev.pqdtls.internal.backend;

import dev.pqdtls.spi.CryptoBackend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds crypto backends with {@link ServiceLoader} and picks one: the named one if
 * {@code pqdtls.backend} or the caller asks for it, else the usable one with the highest priority.
 * A backend that fails to load never breaks selection; it is reported with its reason.
 */
public final class BackendSelector {
    /** System property naming the backend to use, e.g. {@code ffm} or {@code fallback}. */
    public static final String BACKEND_PROPERTY = "pqdtls.backend";

    private static final Logger LOG = LoggerFactory.getLogger(BackendSelector.class);
    /** The class file version in an {@link UnsupportedClassVersionError}'s message. */
    private static final Pattern CLASS_FILE_VERSION = Pattern.compile("class file version (\\d+)\\.");
    /** Class file major version 52 is Java 8, 66 is Java 22, and so on. */
    private static final int CLASS_FILE_JAVA_OFFSET = 44;

    private BackendSelector() {
    }

    /** One discovered backend and why it cannot run (empty if it can). */
    public record Candidate(String name, int priority, CryptoBackend backend, Optional<String> unusableReason) {
        public boolean usable() {
            return unusableReason.isEmpty();
        }
    }

    /** The choice made and, for the record, every backend considered. */
    public record Selection(CryptoBackend backend, String reason, List<Candidate> candidates) {
    }

    /** Every backend on the class/module path, highest priority first, with usability checked. */
    public static List<Candidate> discover() {
        List<Candidate> found = load();
        found.replaceAll(BackendSelector::checked);
        return found;
    }

    /**
     * Every backend on the class/module path, highest priority first, instantiated (their constructors
     * are cheap) but not checked: a check may load native code (JNA's, a libcrypto), which selection
     * does only until it finds a usable backend.
     */
    private static List<Candidate> load() {
        List<Candidate> found = new ArrayList<>();
        ServiceLoader<CryptoBackend> loader = ServiceLoader.load(CryptoBackend.class, BackendSelector.class.getClassLoader());
        var it = loader.stream().iterator();
        while (true) {
            ServiceLoader.Provider<CryptoBackend> provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                // e.g. the ffm backend's Java 22 class file seen by a Java 17 runtime: report it, keep looking.
                found.add(new Candidate(providerName(e), Integer.MIN_VALUE, null, Optional.of(describe(e))));
                continue;
            }
            found.add(instantiate(provider));
        }
        found.sort(Comparator.comparingInt(Candidate::priority).reversed());
        return found;
    }

    /** A loaded backend whose usability is not checked yet (reason {@link #UNCHECKED}), or one that failed to load. */
    private static Candidate instantiate(ServiceLoader.Provider<CryptoBackend> provider) {
        String name = backendName(provider.type().getName());
        CryptoBackend backend;
        try {
            backend = provider.get();
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
            return new Candidate(name, Integer.MIN_VALUE, null, Optional.of(describe(e)));
        }
        return new Candidate(backend.name(), backend.priority(), backend, Optional.of(UNCHECKED));
    }

    /** The reason given for a backend of lower priority than the one selected: it was not looked at. */
    static final String UNCHECKED = "not checked (a backend of higher priority was usable)";

    /** The candidate with its usability checked (once). */
    private static Candidate checked(Candidate c) {
        if (c.backend() == null || !c.unusableReason().equals(Optional.of(UNCHECKED))) {
            return c;
        }
        Optional<String> reason;
        try {
            reason = c.backend().checkUsable();
        } catch (LinkageError | RuntimeException e) {
            reason = Optional.of(describe(e));
        }
        return new Candidate(c.name(), c.priority(), c.backend(), reason);
    }

    /** Selects using the {@code pqdtls.backend} system property, if set. */
    public static Selection select() {
        Optional<String> property = Optional.ofNullable(System.getProperty(BACKEND_PROPERTY)).filter(s -> !s.isBlank());
        return select(property, "-D" + BACKEND_PROPERTY + "=" + property.orElse(""));
    }

    /**
     * Selects the named backend, or the best usable one when no name is given.
     *
     * @throws IllegalStateException if the named backend is missing or unusable, or none is usable;
     *     the message lists every backend and why it was skipped
     */
    public static Selection select(Optional<String> requested) {
        return select(requested, "requested crypto backend");
    }

    private static Selection select(Optional<String> requested, String source) {
        List<Candidate> candidates = load();
        Selection selection;
        if (requested.isPresent()) {
            Optional<Candidate> named = find(requested.get(), candidates).map(BackendSelector::checked);
            if (named.isEmpty() || !named.get().usable()) {
                candidates = discover(); // the error lists every backend and why
            } else {
                candidates.replaceAll(c -> c.name().equals(named.get().name()) ? named.get() : c);
            }
            Optional<String> problem = requestProblem(requested.get(), candidates);
            if (problem.isPresent()) {
                throw new IllegalStateException(source + ": " + problem.get());
            }
            selection = new Selection(find(requested.get(), candidates).orElseThrow().backend(), "requested", candidates);
        } else {
            // Checked in priority order up to the first usable one: a lower backend's check may load
            // native code the application never asked for (JNA when ffm runs).
            Candidate best = null;
            for (int i = 0; i < candidates.size() && best == null; i++) {
                candidates.set(i, checked(candidates.get(i)));
                best = candidates.get(i).usable() ? candidates.get(i) : null;
            }
            if (best == null) {
                throw new IllegalStateException("no usable crypto backend; " + summary(candidates)
                        + ". Add pqdtls-fallback to the class path.");
            }
            List<String> skipped = new ArrayList<>();
            for (Candidate c : candidates) {
                if (c == best) {
                    break;
                }
                skipped.add(c.name() + " (" + c.unusableReason().orElse("?") + ")");
            }
            selection = new Selection(best.backend(), skipped.isEmpty() ? "highest priority"
                    : "highest usable priority; skipped " + String.join(", ", skipped), candidates);
        }
        LOG.debug("pqdtls crypto backend: {} ({})", selection.backend().name(), selection.reason());
        return selection;
    }

    /**
     * Why the backend named {@code name} cannot be used here, or empty if it can. An unknown name
     * gets the valid values (the backends on the class path or module path); a known one that
     * cannot run in this JVM gets its reason and the usable alternatives.
     */
    public static Optional<String> requestProblem(String name) {
        return requestProblem(name, discover());
    }

    static Optional<String> requestProblem(String name, List<Candidate> candidates) {
        Optional<Candidate> found = find(name, candidates);
        if (found.isEmpty()) {
            List<String> names = names(candidates, false);
            return Optional.of("unknown backend '" + name + "'; valid values: " + (names.isEmpty()
                    ? "none, as no backend is on the class path or module path (depend on dev.pqdtls:pqdtls)"
                    : String.join(", ", names)));
        }
        Candidate c = found.get();
        if (c.usable()) {
            return Optional.empty();
        }
        List<String> usable = names(candidates, true);
        return Optional.of("'" + c.name() + "' cannot run here: " + c.unusableReason().get() + "; "
                + (usable.isEmpty() ? "no backend is usable" : "usable here: " + String.join(", ", usable)));
    }

    private static Optional<Candidate> find(String name, List<Candidate> candidates) {
        String wanted = name.trim();
        return candidates.stream().filter(c -> c.backend() != null && c.name().equalsIgnoreCase(wanted)).findFirst();
    }

    /** Names of the backends that loaded (only the usable ones if asked), highest priority first. */
    private static List<String> names(List<Candidate> candidates, boolean usableOnly) {
        List<String> names = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.backend() != null && (c.usable() || !usableOnly)) {
                names.add(c.name());
            }
        }
        return names;
    }

    private static String summary(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return "no backends found";
        }
        List<String> parts = new ArrayList<>();
        for (Candidate c : candidates) {
            parts.add(c.name() + (c.usable() ? " (usable)" : " (" + c.unusableReason().get() + ")"));
        }
        return String.join("; ", parts);
    }

    /**
     * The backend named in a loading error, as its {@link CryptoBackend#name()} would say it
     * ({@code dev/pqdtls/ffm/FfmBackend} is {@code ffm}), or "?" if the error does not say.
     */
    static String providerName(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedClassVersionError && t.getMessage() != null) {
                return backendName(t.getMessage().split(" ")[0]);
            }
        }
        return "?";
    }

    /** {@code dev.pqdtls.ffm.FfmBackend} or {@code dev/pqdtls/ffm/FfmBackend} is {@code ffm}. */
    static String backendName(String className) {
        String simple = className.substring(Math.max(className.lastIndexOf('/'), className.lastIndexOf('.')) + 1);
        String suffix = "Backend";
        return (simple.endsWith(suffix) ? simple.substring(0, simple.length() - suffix.length()) : simple)
                .toLowerCase(Locale.ROOT);
    }

    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnsupportedClassVersionError) {
                Matcher m = CLASS_FILE_VERSION.matcher(String.valueOf(c.getMessage()));
                return m.find() ? "needs Java " + (Integer.parseInt(m.group(1)) - CLASS_FILE_JAVA_OFFSET) + "+ (running Java "
                        + Runtime.version().feature() + ")"
                        : "needs a newer Java (running " + Runtime.version().feature() + "): " + c.getMessage();
            }
        }
        StringBuilder sb = new StringBuilder(t.getClass().getSimpleName() + ": " + t.getMessage());
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            sb.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return sb.toString();
    }
}
