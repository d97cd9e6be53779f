package dev.pqdtls.cli;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.DtlsConfig;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.internal.backend.BackendSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Options {@code server}, {@code client} and {@code demo} share: what to negotiate and which backend
 * runs it. Bad values are usage errors (exit 2) whose message names the option and lists what is
 * accepted.
 */
final class ProtocolOptions {
    /** For help texts (annotation values must be constants); a test checks them against the enums. */
    static final String GROUPS_HELP = "X25519MLKEM768, X25519, secp256r1, SecP256r1MLKEM768, MLKEM768";
    static final String SUITES_HELP = "TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, "
            + "TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256";
    static final String GROUP_NAMES = Arrays.stream(NamedGroup.values()).map(NamedGroup::displayName)
            .collect(Collectors.joining(", "));
    static final String SUITE_NAMES = Arrays.stream(CipherSuite.values()).map(Enum::name)
            .collect(Collectors.joining(", "));

    @Option(names = "--groups", split = ",", paramLabel = "G", converter = GroupName.class,
            description = {"Key-exchange groups in preference order (default X25519MLKEM768,X25519,secp256r1).",
                "Names: " + GROUPS_HELP + "."})
    List<NamedGroup> groups;

    /** {@code --group}, as {@code demo} spelled it before: kept working, not advertised. */
    @Option(names = "--group", split = ",", converter = GroupName.class, hidden = true)
    List<NamedGroup> groupAlias;

    @Option(names = "--suites", split = ",", paramLabel = "S", converter = SuiteName.class,
            description = {"Cipher suites by IANA name in preference order (default: all but TLS_AES_128_CCM_8_SHA256, "
                + "AES-128-GCM first).",
                "Names: " + SUITES_HELP + "."})
    List<CipherSuite> suites;

    @Option(names = "--backend", paramLabel = "B",
            description = "Crypto backend: ffm (Java 22+), jna (Java 17+, with the native library) or fallback "
                    + "(default: the best usable one; see 'pqdtls probe').")
    String backend;

    @Option(names = "--cid", paramLabel = "N",
            description = "Ask the peer for connection IDs of N bytes, 0..20 (default 0: none).")
    Integer cid;

    @Option(names = "--mtu", paramLabel = "BYTES",
            description = "Largest UDP payload sent, 256..65507 (default 1200).")
    Integer mtu;

    /**
     * The library's option names and the command line's, for turning {@link DtlsConfig.Builder#build()}'s
     * messages (which name the API option) into ones that name what the user typed.
     */
    private static final Map<String, String> CLI_NAMES = Map.ofEntries(
            Map.entry("groups", "--groups"), Map.entry("cipherSuites", "--suites"), Map.entry("backend", "--backend"),
            Map.entry("connectionIdLength", "--cid"), Map.entry("mtu", "--mtu"),
            Map.entry("handshakeTimeout", "--timeout"), Map.entry("certificate", "--cert/--key"),
            Map.entry("trustedCertificates", "--ca"), Map.entry("insecureTrustAll", "--insecure"),
            Map.entry("serverName", "--server-name"), Map.entry("clientAuth", "--client-auth"),
            Map.entry("cookiePolicy", "--cookie"), Map.entry("pinnedPublicKeys", "--pin"),
            Map.entry("preSharedKeys", "--psk/--psk-file"));
    private static final Pattern LEADING_NAME = Pattern.compile("^([A-Za-z]+)\\b");

    /**
     * Checks these options before any work (key generation, sockets): the backend can run here and the
     * library accepts the values. Failures name the command-line option.
     */
    void check(CommandLine cl) {
        String name = effectiveBackend(backend);
        if (name != null) {
            Backends.requireUsable(cl, name, backend != null ? "--backend" : "-D" + BackendSelector.BACKEND_PROPERTY);
        }
        DtlsConfig.Builder b = DtlsConfig.builder();
        applyTo(b);
        build(cl, b);
    }

    /** Copies the options given onto {@code b}; options left out keep the library's defaults. */
    void applyTo(DtlsConfig.Builder b) {
        List<NamedGroup> g = groups();
        if (g != null) {
            b.groups(g);
        }
        if (suites != null) {
            b.cipherSuites(suites);
        }
        if (backend != null) {
            b.backend(backend.trim());
        }
        if (cid != null) {
            b.connectionIdLength(cid);
        }
        if (mtu != null) {
            b.mtu(mtu);
        }
    }

    /** {@code --groups} and the hidden {@code --group} together, or null if neither was given. */
    List<NamedGroup> groups() {
        return withAlias(groups, groupAlias);
    }

    /** What an option and its hidden alias gave, in order, or null if neither was given. */
    static <T> List<T> withAlias(List<T> option, List<T> alias) {
        if (option == null && alias == null) {
            return null;
        }
        List<T> all = new ArrayList<>();
        all.addAll(option == null ? List.of() : option);
        all.addAll(alias == null ? List.of() : alias);
        return all;
    }

    /** {@link DtlsConfig.Builder#build()} with its complaints turned into usage errors naming the CLI option. */
    static DtlsConfig build(CommandLine cl, DtlsConfig.Builder b) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, cliMessage(e.getMessage()), e);
        }
    }

    /** {@code connectionIdLength must be in [0, 20], was 21} becomes {@code --cid must be in [0, 20], was 21}. */
    static String cliMessage(String apiMessage) {
        Matcher m = LEADING_NAME.matcher(apiMessage);
        if (m.find() && CLI_NAMES.containsKey(m.group(1))) {
            return CLI_NAMES.get(m.group(1)) + apiMessage.substring(m.end());
        }
        return "invalid option value: " + apiMessage;
    }

    /**
     * The backend to ask the library for: the option if given, else the {@code pqdtls.backend} system
     * property, else null for the best usable one. Only the option is applied to the configuration;
     * the library reads the property itself.
     */
    static String effectiveBackend(String option) {
        if (option != null) {
            return option.trim();
        }
        String property = System.getProperty(BackendSelector.BACKEND_PROPERTY);
        return property == null || property.isBlank() ? null : property.trim();
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
