package dev.pqdtls.cli;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.internal.backend.BackendSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Options {@code server} and {@code client} share: what to negotiate and which backend runs it.
 * Bad values are usage errors (exit 2) whose message lists what is accepted.
 */
final class ProtocolOptions {
    /** For help texts (annotation values must be constants); a test checks them against the enums. */
    static final String GROUPS_HELP = "X25519MLKEM768, X25519, secp256r1, SecP256r1MLKEM768, MLKEM768";
    static final String SUITES_HELP = "TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256";
    static final String GROUP_NAMES = Arrays.stream(NamedGroup.values()).map(NamedGroup::displayName)
            .collect(Collectors.joining(", "));
    static final String SUITE_NAMES = Arrays.stream(CipherSuite.values()).map(Enum::name)
            .collect(Collectors.joining(", "));

    @Option(names = "--groups", split = ",", paramLabel = "G", converter = GroupName.class,
            description = {"Key-exchange groups in preference order (default X25519MLKEM768,X25519,secp256r1).",
                "Names: " + GROUPS_HELP + "."})
    List<NamedGroup> groups;

    @Option(names = "--suites", split = ",", paramLabel = "S", converter = SuiteName.class,
            description = {"Cipher suites by IANA name in preference order (default: all, AES-128-GCM first).",
                "Names: " + SUITES_HELP + "."})
    List<CipherSuite> suites;

    @Option(names = "--backend", paramLabel = "B",
            description = "Crypto backend: ffm, jna or fallback (default: the best usable one; see 'pqdtls probe').")
    String backend;

    @Option(names = "--cid", paramLabel = "N",
            description = "Ask the peer for connection IDs of N bytes, 0..20 (default 0: none).")
    Integer cid;

    @Option(names = "--mtu", paramLabel = "BYTES",
            description = "Largest UDP payload sent, 256..65507 (default 1200).")
    Integer mtu;

    /** Copies the options given onto {@code b}; options left out keep the library's defaults. */
    void applyTo(CommandLine cl, DtlsConfig.Builder b) {
        if (groups != null) {
            b.groups(groups);
        }
        if (suites != null) {
            b.cipherSuites(suites);
        }
        String name = effectiveBackend(cl, backend);
        if (name != null) {
            b.backend(name);
        }
        if (cid != null) {
            b.connectionIdLength(cid);
        }
        if (mtu != null) {
            b.mtu(mtu);
        }
    }

    /** {@link DtlsConfig.Builder#build()} with its complaints turned into usage errors. */
    static DtlsConfig build(CommandLine cl, DtlsConfig.Builder b) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "invalid option value: " + e.getMessage(), e);
        }
    }

    /**
     * The backend to ask the library for: the option if given (checked), else the
     * {@code pqdtls.backend} system property (DESIGN.md §3), else null for the best usable one.
     */
    static String effectiveBackend(CommandLine cl, String option) {
        if (option != null) {
            requireKnownBackend(cl, option);
            return option.trim();
        }
        String property = System.getProperty(BackendSelector.BACKEND_PROPERTY);
        return property == null || property.isBlank() ? null : property.trim();
    }

    /**
     * A backend name that no backend on the class path has is a usage error; one that is present but
     * cannot run is a failure, reported by the library with its reason.
     */
    static void requireKnownBackend(CommandLine cl, String name) {
        List<String> names = new ArrayList<>();
        for (BackendSelector.Candidate c : BackendSelector.discover()) {
            names.add(c.name());
            if (c.name().equalsIgnoreCase(name.trim())) {
                return;
            }
        }
        throw new ParameterException(cl, "unknown backend '" + name + "'; expected one of "
                + (names.isEmpty() ? "(none on the class path)" : String.join(", ", names)));
    }

    /** {@code X25519MLKEM768} etc., case-insensitive. */
    static final class GroupName implements ITypeConverter<NamedGroup> {
        @Override
        public NamedGroup convert(String value) {
            try {
                return NamedGroup.byName(value.trim());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** IANA suite names, case-insensitive. */
    static final class SuiteName implements ITypeConverter<CipherSuite> {
        @Override
        public CipherSuite convert(String value) {
            try {
                return CipherSuite.byName(value.trim());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An enum written in lower case with hyphens, e.g. {@code under-load} for {@code UNDER_LOAD}. */
    abstract static class Hyphenated<E extends Enum<E>> implements ITypeConverter<E> {
        private final Class<E> type;

        Hyphenated(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String value) {
            String wanted = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(wanted)) {
                    return e;
                }
            }
            throw new TypeConversionException("'" + value + "' is not one of " + names(type));
        }

        static <E extends Enum<E>> String names(Class<E> type) {
            return Arrays.stream(type.getEnumConstants()).map(Hyphenated::lower).collect(Collectors.joining(", "));
        }

        /** How the command line writes {@code e}. */
        static String lower(Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
