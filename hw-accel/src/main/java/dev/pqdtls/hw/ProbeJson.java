package dev.pqdtls.hw;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;

/** Renders a {@link ProbeReport} as indented JSON; the field names are those of the report records. */
public final class ProbeJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ProbeJson() {
    }

    /** The report as a JSON object, without a trailing newline. */
    public static String render(ProbeReport report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            // Records of strings, numbers and maps always serialize; this would be a bug here.
            throw new UncheckedIOException("cannot render probe report as JSON", e);
        }
    }
}
