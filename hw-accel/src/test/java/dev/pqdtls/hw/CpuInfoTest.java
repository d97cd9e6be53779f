package dev.pqdtls.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuInfoTest {
    private static final String X86 = String.join("\n",
            "processor\t: 0",
            "vendor_id\t: AuthenticAMD",
            "model name\t: AMD EPYC 9R14",
            "flags\t\t: fpu vme de pse tsc msr pae sse sse2 pni pclmulqdq ssse3 aes avx avx2 sha_ni vaes vpclmulqdq",
            "bugs\t\t: sysret_ss_attrs",
            "",
            "processor\t: 1",
            "flags\t\t: fpu");

    private static final String AARCH64 = String.join("\n",
            "processor\t: 0",
            "BogoMIPS\t: 243.75",
            "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp",
            "CPU implementer\t: 0x41");

    @Test
    void x86FlagsLineOfTheFirstProcessor() {
        Map<String, Boolean> expected = new LinkedHashMap<>();
        expected.put("AES-NI", true);
        expected.put("PCLMULQDQ", true);
        expected.put("AVX2", true);
        expected.put("AVX-512F", false);
        expected.put("VAES", true);
        expected.put("VPCLMULQDQ", true);
        expected.put("SHA-NI", true);
        Map<String, Boolean> parsed = CpuInfo.parse(X86);
        assertEquals(expected, parsed);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(parsed.keySet()), "display order");
    }

    @Test
    void aarch64FeaturesLine() {
        assertEquals(Map.of("AES", true, "PMULL", true, "SHA2", true, "SHA3", false), CpuInfo.parse(AARCH64));
    }

    @Test
    void tokensMatchWholeWordsOnly() {
        // "avx512fp16" must not count as "avx512f", nor "sha2" on x86 as anything.
        Map<String, Boolean> parsed = CpuInfo.parse("flags : avx512fp16 sha2 aesx");
        assertEquals(false, parsed.get("AVX-512F"));
        assertEquals(false, parsed.get("AES-NI"));
    }

    @Test
    void noFeatureLineMeansEmpty() {
        assertTrue(CpuInfo.parse("processor : 0\nmodel name : something\n").isEmpty());
        assertTrue(CpuInfo.parse("").isEmpty());
    }
}
