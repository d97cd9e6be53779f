package dev.pqdtls.ffm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures the audit log's lines: the tests run the library's SLF4J logging on slf4j-jdk14, so the
 * lines arrive at the java.util.logging logger {@code dev.pqdtls.audit}.
 */
final class AuditCapture extends Handler implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Logger logger = Logger.getLogger("dev.pqdtls.audit"); // held: JUL loggers are weakly kept
    private final List<String> lines = new CopyOnWriteArrayList<>();

    AuditCapture() {
        logger.setLevel(Level.INFO);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        lines.add(r.getMessage());
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Every line parsed, failing the test on a line that is not one JSON object. */
    List<JsonNode> events() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            JsonNode n = JSON.readTree(l);
            if (!n.isObject()) {
                throw new AssertionError("not a JSON object: " + l);
            }
            out.add(n);
        }
        return out;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
