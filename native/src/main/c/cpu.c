#include "pqdtls.h"

#include <stddef.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

PQDTLS_API uint32_t pqdtls_cpu_features(void) {
    unsigned int eax, ebx, ecx, edx;
    uint32_t features = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return 0;
    }
    if (ecx & (1u << 25)) {
        features |= PQDTLS_CPU_X86_AESNI;
    }
    if (ecx & (1u << 1)) {
        features |= PQDTLS_CPU_X86_PCLMULQDQ;
    }
    /* AVX-class instructions are usable only if the OS saves their register state (XCR0). */
    int ymm_ok = 0, zmm_ok = 0;
    if ((ecx & (1u << 27)) && (ecx & (1u << 28))) {
        uint64_t xcr0 = read_xcr0();
        ymm_ok = (xcr0 & 0x6) == 0x6;
        zmm_ok = ymm_ok && (xcr0 & 0xE0) == 0xE0;
    }
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        if (ymm_ok && (ebx & (1u << 5))) {
            features |= PQDTLS_CPU_X86_AVX2;
        }
        if (zmm_ok && (ebx & (1u << 16))) {
            features |= PQDTLS_CPU_X86_AVX512F;
        }
        if (ymm_ok && (ecx & (1u << 9))) {
            features |= PQDTLS_CPU_X86_VAES;
        }
        if (ymm_ok && (ecx & (1u << 10))) {
            features |= PQDTLS_CPU_X86_VPCLMULQDQ;
        }
        if (ebx & (1u << 29)) {
            features |= PQDTLS_CPU_X86_SHA;
        }
    }
    return features;
}

PQDTLS_API const char *pqdtls_cpu_feature_name(int32_t bit) {
    static const char *const names[] = {"AES-NI", "PCLMULQDQ", "AVX2", "AVX-512F",
                                        "VAES", "VPCLMULQDQ", "SHA-NI"};
    return bit >= 0 && bit < (int32_t)(sizeof names / sizeof names[0]) ? names[bit] : NULL;
}

#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>

PQDTLS_API uint32_t pqdtls_cpu_features(void) {
    unsigned long hw = getauxval(AT_HWCAP);
    uint32_t features = 0;
    if (hw & HWCAP_AES) {
        features |= PQDTLS_CPU_ARM_AES;
    }
    if (hw & HWCAP_PMULL) {
        features |= PQDTLS_CPU_ARM_PMULL;
    }
    if (hw & HWCAP_SHA2) {
        features |= PQDTLS_CPU_ARM_SHA2;
    }
    if (hw & HWCAP_SHA3) {
        features |= PQDTLS_CPU_ARM_SHA3;
    }
    return features;
}

PQDTLS_API const char *pqdtls_cpu_feature_name(int32_t bit) {
    static const char *const names[] = {"AES", "PMULL", "SHA2", "SHA3"};
    return bit >= 16 && bit < 20 ? names[bit - 16] : NULL;
}

#else

PQDTLS_API uint32_t pqdtls_cpu_features(void) {
    return 0;
}

PQDTLS_API const char *pqdtls_cpu_feature_name(int32_t bit) {
    (void)bit;
    return NULL;
}

#endif
