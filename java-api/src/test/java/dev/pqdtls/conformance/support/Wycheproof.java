package dev.pqdtls.conformance.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A Wycheproof test-vector file, read with Jackson; fields are looked up by their schema names. */
public final class Wycheproof {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String fileName;
    private final JsonNode root;

    private Wycheproof(String fileName, JsonNode root) {
        this.fileName = fileName;
        this.root = root;
    }

    /** Loads {@code vectors/wycheproof/<fileName>}; skips the calling test if it is missing. */
    public static Wycheproof load(String fileName) {
        Path file = SharedFiles.wycheproof(fileName);
        try {
            return new Wycheproof(fileName, MAPPER.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
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
            return node.path(field).asInt(-1);
        }

        public String text(String field) {
            return node.path(field).asText(null);
        }

        public byte[] bytes(String field) {
            return Hex.decode(node.path(field).asText(""));
        }

        public String type() {
            return node.path("type").asText("");
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
    }

    /** One test vector. */
    public static final class Vector {
        private final String fileName;
        private final JsonNode node;

        Vector(String fileName, JsonNode node) {
            this.fileName = fileName;
            this.node = node;
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
            if (!node.has(field)) {
                throw new IllegalStateException(this + " has no field " + field);
            }
            return Hex.decode(node.path(field).asText());
        }

        public int intValue(String field) {
            return node.path(field).asInt();
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
