package dev.pqdtls.hw;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CPU crypto features read from the text of Linux {@code /proc/cpuinfo}: the {@code flags} line on
 * x86, the {@code Features} line on aarch64. Used only when no backend can ask the CPU itself.
 */
public final class CpuInfo {
    /** Display name to the x86 {@code flags} token the kernel prints for it. */
    private static final Map<String, String> X86 = ordered(
            "AES-NI", "aes", "PCLMULQDQ", "pclmulqdq", "AVX2", "avx2", "AVX-512F", "avx512f",
            "VAES", "vaes", "VPCLMULQDQ", "vpclmulqdq", "SHA-NI", "sha_ni");
    /** Display name to the aarch64 {@code Features} token (HWCAP names). */
    private static final Map<String, String> AARCH64 = ordered(
            "AES", "aes", "PMULL", "pmull", "SHA2", "sha2", "SHA3", "sha3");

    private CpuInfo() {
    }

    /**
     * The crypto features named in the first {@code flags} (x86) or {@code Features} (aarch64) line
     * of {@code cpuinfo}, in display order; empty if there is neither.
     */
    public static Map<String, Boolean> parse(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            Map<String, String> names = key.equals("flags") ? X86 : key.equals("features") ? AARCH64 : null;
            if (names == null) {
                continue;
            }
            Set<String> tokens = Set.of(line.substring(colon + 1).trim().toLowerCase(Locale.ROOT).split("\\s+"));
            Map<String, Boolean> features = new LinkedHashMap<>();
            names.forEach((display, token) -> features.put(display, tokens.contains(token)));
            return features;
        }
        return Map.of();
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
