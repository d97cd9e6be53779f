package dev.pqdtls.conformance.support;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pqdtls.spi.CryptoBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.TestAbortedException;

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

    /** What a suite does with one group: run every vector through a check, or leave it out saying why. */
    protected static final class GroupPlan {
        private final String label;
        private final VectorCheck check;
        private final String outOfScope;

        private GroupPlan(String label, VectorCheck check, String outOfScope) {
            this.label = label;
            this.check = check;
            this.outOfScope = outOfScope;
        }

        /** Runs the group's vectors; {@code label} names the group's container. */
        public static GroupPlan run(String label, VectorCheck check) {
            return new GroupPlan(label, check, null);
        }

        /** Leaves the group out; the log line counts it under {@code reason} with {@code detail}. */
        public static GroupPlan outOfScope(String reason, String detail) {
            return new GroupPlan(detail, null, reason);
        }
    }

    /** {@link #vectorFile(String, String, Function)} running every group with the same check. */
    protected final DynamicNode vectorFile(String fileName, String schema, Function<Wycheproof.Group, String> label,
            VectorCheck check) {
        return vectorFile(fileName, schema, g -> GroupPlan.run(label.apply(g), check));
    }

    /**
     * A Wycheproof file as a container of one container per group ("group N " + label), holding a
     * bounded dynamic test per vector; groups the plan leaves out are counted in the log line, by
     * reason. A missing file becomes one skipped test saying where the vectors were looked for and
     * how to get them (under {@code CI=true} the factory fails instead: see {@link Wycheproof#load}).
     */
    protected final DynamicNode vectorFile(String fileName, String schema, Function<Wycheproof.Group, GroupPlan> plan) {
        Wycheproof vectors;
        try {
            vectors = Wycheproof.load(fileName, schema);
        } catch (TestAbortedException missing) {
            return DynamicTest.dynamicTest(fileName + " (missing)", () -> {
                throw missing;
            });
        }
        List<DynamicNode> groups = new ArrayList<>();
        Map<String, int[]> leftOut = new TreeMap<>(); // reason -> {groups, vectors}
        Map<String, Set<String>> leftOutDetails = new TreeMap<>();
        int runs = 0;
        for (Wycheproof.Group g : vectors.groups()) {
            GroupPlan p = plan.apply(g);
            List<Wycheproof.Vector> tests = g.tests();
            if (p.outOfScope != null) {
                int[] c = leftOut.computeIfAbsent(p.outOfScope, r -> new int[2]);
                c[0]++;
                c[1] += tests.size();
                leftOutDetails.computeIfAbsent(p.outOfScope, r -> new TreeSet<>()).add(p.label);
                continue;
            }
            List<DynamicNode> cases = new ArrayList<>();
            for (Wycheproof.Vector v : tests) {
                cases.add(bounded(v.displayName(), () -> p.check.check(g, v)));
            }
            runs += cases.size();
            groups.add(DynamicContainer.dynamicContainer("group " + g.index() + " " + p.label, cases));
        }
        int outOfScope = leftOut.values().stream().mapToInt(c -> c[0]).sum();
        log(fileName + ": running " + runs + " vectors in " + groups.size() + " groups; out of scope: " + outOfScope
                + " groups" + (outOfScope == 0 ? "" : ":"));
        leftOut.forEach((reason, c) -> log("  out of scope: " + c[0] + " groups (" + c[1] + " vectors): " + reason
                + " " + abbreviated(leftOutDetails.get(reason))));
        return DynamicContainer.dynamicContainer(fileName, groups);
    }

    private static String abbreviated(Set<String> details) {
        List<String> shown = new ArrayList<>(details);
        int max = 12;
        return shown.size() <= max ? shown.toString()
                : shown.subList(0, max).toString().replaceFirst("]$", ", ... " + (shown.size() - max) + " more]");
    }
}
