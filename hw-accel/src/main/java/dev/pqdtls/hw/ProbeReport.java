package dev.pqdtls.hw;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * What the capability probe found. Rendered by {@link ProbeJson} and {@link ProbeText}; the JSON
 * field names are a contract (CI scripts grep them), so rename nothing without updating them.
 */
@JsonPropertyOrder({"cpu", "jvm", "os", "backends", "selected", "speed"})
public record ProbeReport(Cpu cpu, Jvm jvm, Os os, List<Backend> backends, Selected selected, Speed speed) {

    public ProbeReport {
        backends = List.copyOf(backends);
    }

    /**
     * CPU crypto features and where they came from: {@code "backend <name>"} (its native cpuid or
     * getauxval probe), {@code "/proc/cpuinfo"}, or {@code "unavailable: <why>"}.
     */
    @JsonPropertyOrder({"source", "features"})
    public record Cpu(String source, Map<String, Boolean> features) {
    }

    /** The running JVM. */
    @JsonPropertyOrder({"version", "vendor", "vm", "feature"})
    public record Jvm(String version, String vendor, String vm, int feature) {
    }

    /** The operating system and architecture as the JVM reports them. */
    @JsonPropertyOrder({"name", "version", "arch"})
    public record Os(String name, String version, String arch) {
    }

    /**
     * One backend as {@code BackendSelector.discover()} saw it. {@code reason} is null when usable.
     * {@code aeadMBps} maps suite name to indicative MB/s sealing 1200-byte records; suites that
     * could not be measured appear in {@code aeadErrors} instead.
     */
    @JsonPropertyOrder({"name", "priority", "usable", "reason", "implementations", "details", "aeadMBps",
            "aeadErrors"})
    public record Backend(String name, int priority, boolean usable, String reason,
            Map<String, String> implementations, Map<String, String> details, Map<String, Double> aeadMBps,
            Map<String, String> aeadErrors) {
    }

    /** The backend {@code BackendSelector.select()} would choose (name null if none) and why. */
    @JsonPropertyOrder({"name", "reason"})
    public record Selected(String name, String reason) {
    }

    /** How the AEAD figures were taken, so nobody mistakes them for a benchmark. */
    @JsonPropertyOrder({"measured", "recordBytes", "millisPerMeasurement", "note"})
    public record Speed(boolean measured, int recordBytes, long millisPerMeasurement, String note) {
    }
}
