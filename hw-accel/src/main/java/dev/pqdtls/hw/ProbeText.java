package dev.pqdtls.hw;

import dev.pqdtls.CipherSuite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders a {@link ProbeReport} as text for people: one line per backend, then the details. */
public final class ProbeText {
    private ProbeText() {
    }

    /** The report as lines of text, each ending in a newline. */
    public static String render(ProbeReport r) {
        StringBuilder out = new StringBuilder();
        out.append("pqdtls capability probe\n");
        out.append(String.format("  os       %s %s (%s)%n", r.os().name(), r.os().version(), r.os().arch()));
        out.append(String.format("  jvm      %s (%s, %s)%n", r.jvm().version(), r.jvm().vendor(), r.jvm().vm()));
        out.append(String.format("  cpu      %s   [source: %s]%n", features(r.cpu().features()), r.cpu().source()));

        int nameWidth = 8;
        for (ProbeReport.Backend b : r.backends()) {
            nameWidth = Math.max(nameWidth, b.name().length());
        }
        out.append("\nbackends (highest priority first)\n");
        if (r.backends().isEmpty()) {
            out.append("  none found on the class path\n");
        }
        for (ProbeReport.Backend b : r.backends()) {
            out.append(String.format("  %-" + nameWidth + "s  priority %4s  %s%n", b.name(),
                    b.priority() == Integer.MIN_VALUE ? "-" : Integer.toString(b.priority()),
                    b.usable() ? "usable" : "unusable: " + b.reason()));
        }
        out.append(String.format("selected: %s (%s)%n",
                r.selected().name() == null ? "none" : r.selected().name(), r.selected().reason()));

        for (ProbeReport.Backend b : r.backends()) {
            if (b.implementations().isEmpty() && b.details().isEmpty()) {
                continue;
            }
            out.append('\n').append(b.name()).append('\n');
            section(out, "implementations", b.implementations());
            section(out, "details", b.details());
        }

        boolean anyUsable = r.backends().stream().anyMatch(ProbeReport.Backend::usable);
        if (r.speed().measured() && anyUsable) {
            out.append("\nAEAD seal, MB/s at ").append(r.speed().recordBytes())
                    .append("-byte records (indicative, not a benchmark)\n");
            out.append(String.format("  %-" + nameWidth + "s", "backend"));
            for (CipherSuite s : CipherSuite.values()) {
                out.append(String.format("  %28s", s.name()));
            }
            out.append('\n');
            for (ProbeReport.Backend b : r.backends()) {
                if (!b.usable()) {
                    continue;
                }
                out.append(String.format("  %-" + nameWidth + "s", b.name()));
                for (CipherSuite s : CipherSuite.values()) {
                    Double v = b.aeadMBps().get(s.name());
                    out.append(String.format("  %28s", v != null ? String.format("%.1f", v) : "error"));
                }
                out.append('\n');
                b.aeadErrors().forEach((suite, why) ->
                        out.append("    ").append(suite).append(": ").append(why).append('\n'));
            }
        } else {
            out.append(r.speed().measured() ? "\nAEAD speed: no usable backend\n" : "\nAEAD speed: skipped\n");
        }
        return out.toString();
    }

    private static void section(StringBuilder out, String title, Map<String, String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        int width = 0;
        for (String k : entries.keySet()) {
            width = Math.max(width, k.length());
        }
        out.append("  ").append(title).append('\n');
        for (Map.Entry<String, String> e : entries.entrySet()) {
            out.append(String.format("    %-" + width + "s  %s%n", e.getKey(), e.getValue()));
        }
    }

    private static String features(Map<String, Boolean> features) {
        if (features.isEmpty()) {
            return "(unknown)";
        }
        List<String> parts = new ArrayList<>();
        features.forEach((name, present) -> parts.add(name + (present ? "+" : "-")));
        return String.join(" ", parts);
    }
}
