package dev.pqdtls.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ProbeReport quickProbe() {
        return new Probe(new Probe.Options(true, Duration.ZERO, Duration.ofMillis(5))).run();
    }

    private static JsonNode backend(JsonNode root, String name) {
        for (JsonNode b : root.get("backends")) {
            if (b.get("name").asText().equals(name)) {
                return b;
            }
        }
        throw new AssertionError("no backend " + name + " in " + root);
    }

    @Test
    void reportRendersToJsonWithTheContractFieldNames() throws Exception {
        JsonNode root = MAPPER.readTree(ProbeJson.render(quickProbe()));

        assertTrue(root.get("cpu").get("source").isTextual());
        assertTrue(root.get("cpu").get("features").isObject());
        assertTrue(root.get("jvm").get("version").isTextual());
        assertTrue(root.get("jvm").get("vendor").isTextual());
        assertEquals(System.getProperty("os.arch"), root.get("os").get("arch").asText());

        JsonNode fake = backend(root, "fake");
        assertEquals(7, fake.get("priority").asInt());
        assertTrue(fake.get("usable").isBoolean());
        assertTrue(fake.get("usable").asBoolean());
        assertTrue(fake.has("reason") && fake.get("reason").isNull(), "reason present and null when usable");
        assertEquals("xor 1.0", fake.get("implementations").get("AES-GCM").asText());
        assertEquals("not found: test", fake.get("details").get("liboqs").asText());
        assertTrue(fake.get("aeadMBps").get("TLS_AES_128_GCM_SHA256").isNumber());
        assertTrue(fake.get("aeadMBps").get("TLS_AES_128_GCM_SHA256").asDouble() > 0);
        assertFalse(fake.get("aeadMBps").has("TLS_CHACHA20_POLY1305_SHA256"));
        assertTrue(fake.get("aeadErrors").get("TLS_CHACHA20_POLY1305_SHA256").asText().contains("no ChaCha20"));

        JsonNode unusable = backend(root, "unusable-fake");
        assertFalse(unusable.get("usable").asBoolean());
        assertEquals("libnothing.so not found", unusable.get("reason").asText());

        assertEquals("fake", root.get("selected").get("name").asText());
        assertTrue(root.get("selected").get("reason").asText().contains("unusable-fake (libnothing.so not found)"));
    }

    @Test
    void jsonRoundTripsIntoTheModel() throws Exception {
        ProbeReport report = quickProbe();
        ProbeReport back = MAPPER.readValue(ProbeJson.render(report), ProbeReport.class);
        assertEquals(report, back);
    }

    @Test
    void backendsAreListedHighestPriorityFirst() {
        List<String> names = quickProbe().backends().stream().map(ProbeReport.Backend::name).toList();
        assertTrue(names.indexOf("unusable-fake") < names.indexOf("fake"), names.toString());
    }

    @Test
    void noSpeedSkipsTheMeasurement() throws Exception {
        ProbeReport report = new Probe(Probe.Options.withoutSpeed()).run();
        assertFalse(report.speed().measured());
        report.backends().forEach(b -> assertTrue(b.aeadMBps().isEmpty(), b.name()));
        JsonNode root = MAPPER.readTree(ProbeJson.render(report));
        assertTrue(backend(root, "fake").get("aeadMBps").isObject());
    }

    @Test
    void textHasOneLinePerBackendSayingUsableOrWhyNot() {
        String text = ProbeText.render(quickProbe());
        List<String> lines = text.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("fake") && l.endsWith(" usable")), text);
        assertTrue(lines.stream().anyMatch(l -> l.contains("unusable-fake")
                && l.contains("unusable: libnothing.so not found")), text);
        assertTrue(text.contains("selected: fake"), text);
        assertTrue(text.contains("indicative"), text);
    }

    @Test
    void classVersionErrorsSayWhichJavaIsNeeded() {
        String raw = "UnsupportedClassVersionError: dev/pqdtls/ffm/FfmBackend has been compiled by a more recent"
                + " version of the Java Runtime (class file version 66.0), this version of the Java Runtime"
                + " only recognizes class file versions up to 61.0";
        assertEquals("needs Java 22+ (running " + Runtime.version().feature() + ")", Probe.readableReason(raw));
        assertEquals("libfoo missing", Probe.readableReason("libfoo missing"));
    }

    @Test
    void providersThatFailedToLoadAreNamedByTheirClass() {
        String raw = "UnsupportedClassVersionError: dev/pqdtls/ffm/FfmBackend has been compiled by ...";
        assertEquals("dev.pqdtls.ffm.FfmBackend", Probe.providerName("?", raw));
        assertEquals("?", Probe.providerName("?", "ServiceConfigurationError: no class named here"));
        assertEquals("fallback", Probe.providerName("fallback", raw));
    }

    @Test
    void cpuFeaturesComeFromCpuinfoWhenNoBackendReportsThem() {
        ProbeReport.Cpu cpu = new Probe(Probe.Options.withoutSpeed()).run().cpu();
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertEquals("/proc/cpuinfo", cpu.source());
            assertFalse(cpu.features().isEmpty());
        } else {
            assertTrue(cpu.source().startsWith("unavailable"), cpu.source());
        }
    }
}
