package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CpuFeaturesTest {

    @Test
    void probeAgreesWithProcCpuinfo() throws Exception {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        assumeTrue(Files.isReadable(cpuinfo), "no /proc/cpuinfo");
        String flagsLine = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst()
                .orElse(null);
        assumeTrue(flagsLine != null, "no x86 flags line");
        Set<String> flags = Set.of(flagsLine.substring(flagsLine.indexOf(':') + 1).trim().split("\\s+"));

        Map<String, Boolean> features = new FfmBackend().cpuFeatures();
        Map<String, String> kernelNames = Map.of("AES-NI", "aes", "PCLMULQDQ", "pclmulqdq", "AVX2", "avx2",
                "AVX-512F", "avx512f", "VAES", "vaes", "VPCLMULQDQ", "vpclmulqdq", "SHA-NI", "sha_ni");
        for (Map.Entry<String, String> e : kernelNames.entrySet()) {
            Boolean ours = features.get(e.getKey());
            assertNotNull(ours, e.getKey() + " missing from " + features);
            // The kernel hides AVX flags when it does not save their state, as our XCR0 check does.
            assertEquals(flags.contains(e.getValue()), ours, e.getKey() + " vs /proc/cpuinfo '" + e.getValue() + "'");
        }
    }
}
