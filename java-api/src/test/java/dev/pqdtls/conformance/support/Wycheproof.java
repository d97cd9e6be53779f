package dev.pqdtls.conformance.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A Wycheproof test-vector file (C2SP layout, {@code testvectors_v1/*_test.json}), read with
 * Jackson; fields are looked up by their schema names and a missing field is an error, never a
 * default. The files come from Debian's {@code wycheproof} source package, which
 * {@code ci/fetch-wycheproof.sh} caches; the system property {@value #PROPERTY} names the directory.
 */
public final class Wycheproof {
    /** System property naming the directory of {@code *_test.json} files. */
    public static final String PROPERTY = "pqdtls.wycheproof.dir";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String fileName;
    private final JsonNode root;

    private Wycheproof(String fileName, JsonNode root) {
        this.fileName = fileName;
        this.root = root;
    }

    /**
     * The vector directory: {@value #PROPERTY}, or (as in the parent pom) the cache that
     * {@code ci/fetch-wycheproof.sh} fills, {@code ~/.cache/pqdtls/wycheproof/testvectors_v1}.
     */
    public static Path directory() {
        String dir = System.getProperty(PROPERTY);
        Path path = dir == null || dir.isBlank()
                ? Paths.get(System.getProperty("user.home"), ".cache", "pqdtls", "wycheproof", "testvectors_v1")
                : Paths.get(dir);
        return path.toAbsolutePath().normalize();
    }

    /**
     * Loads {@code fileName} from {@link #directory()} and checks that it follows {@code schema}
     * (the file's {@code schema} field) and holds the {@code numberOfTests} it declares. A missing
     * file skips the calling test with the reason (a JUnit assumption) or, when the environment
     * variable {@code CI} is {@code true}, fails it.
     */
    public static Wycheproof load(String fileName, String schema) {
        Path dir = directory();
        Path file = dir.resolve(fileName);
        if (!Files.isReadable(file)) {
            String reason = "Wycheproof vector file " + fileName + " not found in " + dir + " (system property "
                    + PROPERTY + "); get the vectors with ci/fetch-wycheproof.sh (Debian's wycheproof package, "
                    + "cached in ~/.cache/pqdtls/wycheproof/testvectors_v1, the default directory) or point -D"
                    + PROPERTY + "=<dir of *_test.json> at a copy";
            if ("true".equals(System.getenv("CI"))) {
                System.out.println("[conformance] FAIL (CI=true): " + reason);
                Assertions.fail("CI=true, so missing vectors fail instead of skipping: " + reason);
            }
            System.out.println("[conformance] SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
        Wycheproof vectors = new Wycheproof(fileName, root);
        String actualSchema = required(root, "schema", fileName).asText();
        if (!schema.equals(actualSchema)) {
            throw new IllegalStateException(file + " follows schema " + actualSchema + ", but the test reads it as "
                    + schema + ": check the field names against the new schema and update the test");
        }
        int declared = required(root, "numberOfTests", fileName).asInt();
        int found = 0;
        for (Group g : vectors.groups()) {
            found += g.tests().size();
        }
        if (declared != found) {
            throw new IllegalStateException(file + " declares " + declared + " tests but holds " + found);
        }
        return vectors;
    }

    private static JsonNode required(JsonNode node, String field, Object where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalStateException(where + " has no field " + field);
        }
        return value;
    }

    public String fileName() {
        return fileName;
    }

    public String algorithm() {
        return root.path("algorithm").asText();
    }

    public List<Group> groups() {
        List<Group> groups = new ArrayList<>();
        int index = 0;
        for (JsonNode g : root.path("testGroups")) {
            groups.add(new Group(fileName, index++, g));
        }
        return groups;
    }

    /** One {@code testGroups[]} entry. */
    public static final class Group {
        private final String fileName;
        private final int index;
        private final JsonNode node;

        Group(String fileName, int index, JsonNode node) {
            this.fileName = fileName;
            this.index = index;
            this.node = node;
        }

        public int index() {
            return index;
        }

        public int intValue(String field) {
            return required(node, field, this).asInt();
        }

        public String text(String field) {
            return required(node, field, this).asText();
        }

        public byte[] bytes(String field) {
            return Hex.decode(required(node, field, this).asText());
        }

        public String type() {
            return text("type");
        }

        public String source() {
            JsonNode s = node.path("source");
            return s.isMissingNode() ? "" : s.path("name").asText("") + " " + s.path("version").asText("");
        }

        public List<Vector> tests() {
            List<Vector> tests = new ArrayList<>();
            for (JsonNode t : node.path("tests")) {
                tests.add(new Vector(fileName, t));
            }
            return tests;
        }

        @Override
        public String toString() {
            return fileName + " group " + index;
        }
    }

    /** One test vector. */
    public static final class Vector {
        private final String fileName;
        private final JsonNode node;

        Vector(String fileName, JsonNode node) {
            this.fileName = fileName;
            this.node = node;
            String result = node.path("result").asText();
            if (!result.equals("valid") && !result.equals("invalid") && !result.equals("acceptable")) {
                throw new IllegalStateException(fileName + " tcId " + node.path("tcId").asText("?")
                        + ": result is '" + result + "', not valid, invalid or acceptable");
            }
        }

        public int tcId() {
            return node.path("tcId").asInt();
        }

        /** {@code valid}, {@code invalid} or {@code acceptable}. */
        public String result() {
            return node.path("result").asText();
        }

        public boolean isValid() {
            return "valid".equals(result());
        }

        public boolean isInvalid() {
            return "invalid".equals(result());
        }

        public boolean isAcceptable() {
            return "acceptable".equals(result());
        }

        public String comment() {
            return node.path("comment").asText("");
        }

        public List<String> flags() {
            List<String> flags = new ArrayList<>();
            node.path("flags").forEach(f -> flags.add(f.asText()));
            return flags;
        }

        public boolean has(String field) {
            return node.has(field);
        }

        public byte[] bytes(String field) {
            return Hex.decode(required(node, field, this).asText());
        }

        public int intValue(String field) {
            return required(node, field, this).asInt();
        }

        /** Names the vector in test names and failure messages. */
        @Override
        public String toString() {
            String c = comment();
            return fileName + " tcId " + tcId() + " (" + result() + (c.isEmpty() ? "" : ", " + c)
                    + (flags().isEmpty() ? "" : ", " + flags()) + ")";
        }

        /** A short display name for a dynamic test. */
        public String displayName() {
            String c = comment();
            return "tcId " + tcId() + " " + result() + (c.isEmpty() ? "" : ": " + c);
        }
    }
}
