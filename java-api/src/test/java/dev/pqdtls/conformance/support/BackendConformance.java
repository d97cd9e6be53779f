package dev.pqdtls.conformance.support;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pqdtls.spi.CryptoBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * Common ground of the conformance suites: one backend instance per test class, which must be
 * usable here (a backend under test that cannot run is a failure, not a skip), and dynamic tests
 * that are each bounded by a timeout (JUnit's default timeout covers the factory, not the dynamic
 * tests it returns).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformance {
    /** Upper bound for one dynamic test (one vector or one small scenario). */
    protected static final Duration DYNAMIC_TEST_TIMEOUT = Duration.ofSeconds(30);

    private CryptoBackend backend;

    /** The backend under test; called once per test class. */
    protected abstract CryptoBackend backend();

    /** The backend created for this class. */
    protected final CryptoBackend cryptoBackend() {
        if (backend == null) {
            backend = backend();
        }
        return backend;
    }

    @BeforeAll
    protected final void requireUsableBackend() {
        CryptoBackend b = cryptoBackend();
        Optional<String> why = b.checkUsable();
        if (why.isPresent()) {
            String msg = "backend '" + b.name() + "' (" + b.getClass().getName() + ") is not usable here: "
                    + why.get();
            System.out.println("[conformance] FAIL: " + msg);
            fail(msg);
        }
        log("backend " + b.name() + " implementations " + b.implementations());
    }

    /** Prints a line naming the backend and the suite, for the build log. */
    protected final void log(String message) {
        System.out.println("[conformance " + cryptoBackend().name() + " " + getClass().getSimpleName() + "] "
                + message);
    }

    /** A dynamic test whose body is bounded by {@link #DYNAMIC_TEST_TIMEOUT}. */
    protected static DynamicTest bounded(String name, Executable body) {
        return DynamicTest.dynamicTest(name, () -> assertTimeoutPreemptively(DYNAMIC_TEST_TIMEOUT, body,
                () -> name + " did not finish within " + DYNAMIC_TEST_TIMEOUT));
    }

    /** What one Wycheproof vector must satisfy; the group carries shared inputs (keys, sizes). */
    protected interface VectorCheck {
        void check(Wycheproof.Group group, Wycheproof.Vector vector) throws Exception;
    }

    /**
     * Every vector of every group as a bounded dynamic test, one container per group named
     * "group N " + {@code label}, and a log line with the counts.
     */
    protected final Stream<DynamicNode> vectorGroups(Wycheproof vectors, Function<Wycheproof.Group, String> label,
            VectorCheck check) {
        List<DynamicNode> groups = new ArrayList<>();
        int runs = 0;
        for (Wycheproof.Group g : vectors.groups()) {
            List<DynamicNode> cases = new ArrayList<>();
            for (Wycheproof.Vector v : g.tests()) {
                runs++;
                cases.add(bounded(v.displayName(), () -> check.check(g, v)));
            }
            groups.add(DynamicContainer.dynamicContainer("group " + g.index() + " " + label.apply(g), cases));
        }
        log(vectors.fileName() + ": running " + runs + " vectors in " + groups.size() + " groups; skipped 0 groups");
        return groups.stream();
    }
}
