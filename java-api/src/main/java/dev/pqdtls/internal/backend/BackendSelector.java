package dev.pqdtls.internal.backend;

import dev.pqdtls.spi.CryptoBackend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds crypto backends with {@link ServiceLoader} and picks one (DESIGN.md §3): the named one if
 * {@code pqdtls.backend} or the caller asks for it, else the usable one with the highest priority.
 * A backend that fails to load never breaks selection; it is reported with its reason.
 */
public final class BackendSelector {
    /** System property naming the backend to use, e.g. {@code ffm} or {@code fallback}. */
    public static final String BACKEND_PROPERTY = "pqdtls.backend";

    private static final Logger LOG = LoggerFactory.getLogger(BackendSelector.class);

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
                // e.g. the ffm backend's Java 22 class file seen by a Java 17 runtime: skip it, keep looking.
                found.add(new Candidate(providerName(e), Integer.MIN_VALUE, null, Optional.of(describe(e))));
                continue;
            }
            found.add(check(provider));
        }
        found.sort(Comparator.comparingInt(Candidate::priority).reversed());
        return found;
    }

    private static Candidate check(ServiceLoader.Provider<CryptoBackend> provider) {
        String typeName = provider.type().getName();
        CryptoBackend backend;
        try {
            backend = provider.get();
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
            return new Candidate(typeName, Integer.MIN_VALUE, null, Optional.of(describe(e)));
        }
        Optional<String> reason;
        try {
            reason = backend.checkUsable();
        } catch (LinkageError | RuntimeException e) {
            reason = Optional.of(describe(e));
        }
        return new Candidate(backend.name(), backend.priority(), backend, reason);
    }

    /** Selects using the {@code pqdtls.backend} system property, if set. */
    public static Selection select() {
        return select(Optional.ofNullable(System.getProperty(BACKEND_PROPERTY)).filter(s -> !s.isBlank()));
    }

    /**
     * Selects the named backend, or the best usable one when no name is given.
     *
     * @throws IllegalStateException if the named backend is missing or unusable, or none is usable;
     *     the message lists every backend and why it was skipped
     */
    public static Selection select(Optional<String> requested) {
        List<Candidate> candidates = discover();
        Selection selection;
        if (requested.isPresent()) {
            String name = requested.get().trim();
            Candidate c = candidates.stream().filter(x -> x.name().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("crypto backend '" + name
                            + "' was requested but is not on the class path; found: " + summary(candidates)));
            if (!c.usable()) {
                throw new IllegalStateException("crypto backend '" + name + "' was requested but cannot run: "
                        + c.unusableReason().get());
            }
            selection = new Selection(c.backend(), "requested", candidates);
        } else {
            Candidate best = candidates.stream().filter(Candidate::usable).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no usable crypto backend; "
                            + summary(candidates) + ". Add pqdtls-fallback to the class path."));
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

    /** The provider class named in a loading error, or "?" if the error does not say. */
    private static String providerName(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedClassVersionError && t.getMessage() != null) {
                return t.getMessage().split(" ")[0].replace('/', '.');
            }
        }
        return "?";
    }

    private static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnsupportedClassVersionError) {
                return "needs a newer Java (running " + Runtime.version().feature() + "): " + c.getMessage();
            }
        }
        StringBuilder sb = new StringBuilder(t.getClass().getSimpleName() + ": " + t.getMessage());
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            sb.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return sb.toString();
    }
}
