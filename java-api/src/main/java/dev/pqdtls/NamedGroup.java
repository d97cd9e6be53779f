package dev.pqdtls;

import java.util.Optional;

/**
 * Key-exchange groups (RFC 8446 §4.2.7, draft-ietf-tls-ecdhe-mlkem). The hybrids concatenate their
 * components in the order the draft fixes: X25519MLKEM768 puts ML-KEM first, SecP256r1MLKEM768 puts
 * the ECDH part first, in both the shares and the shared secret.
 */
public enum NamedGroup {
    SECP256R1("secp256r1", 0x0017, 65, 65, 32),
    X25519("X25519", 0x001D, 32, 32, 32),
    MLKEM768("MLKEM768", 0x0201, 1184, 1088, 32),
    SECP256R1_MLKEM768("SecP256r1MLKEM768", 0x11EB, 65 + 1184, 65 + 1088, 64),
    X25519_MLKEM768("X25519MLKEM768", 0x11EC, 1184 + 32, 1088 + 32, 64);

    private final String displayName;
    private final int codepoint;
    private final int clientShareLength;
    private final int serverShareLength;
    private final int sharedSecretLength;

    NamedGroup(String displayName, int codepoint, int clientShareLength, int serverShareLength,
            int sharedSecretLength) {
        this.displayName = displayName;
        this.codepoint = codepoint;
        this.clientShareLength = clientShareLength;
        this.serverShareLength = serverShareLength;
        this.sharedSecretLength = sharedSecretLength;
    }

    /** The name used in configuration and CLI output, e.g. {@code X25519MLKEM768}. */
    public String displayName() {
        return displayName;
    }

    /** The two-byte IANA codepoint. */
    public int codepoint() {
        return codepoint;
    }

    /** Length in bytes of the key_exchange field a client sends for this group. */
    public int clientShareLength() {
        return clientShareLength;
    }

    /** Length in bytes of the key_exchange field a server answers with. */
    public int serverShareLength() {
        return serverShareLength;
    }

    /** Length in bytes of the shared secret fed to the key schedule. */
    public int sharedSecretLength() {
        return sharedSecretLength;
    }

    /** True for the groups that combine ECDH with ML-KEM. */
    public boolean isHybrid() {
        return this == SECP256R1_MLKEM768 || this == X25519_MLKEM768;
    }

    /** The group with this codepoint, if pqdtls knows it. */
    public static Optional<NamedGroup> byCodepoint(int codepoint) {
        for (NamedGroup g : values()) {
            if (g.codepoint == codepoint) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    /** The group with this display name (case-insensitive), or an exception listing the valid names. */
    public static NamedGroup byName(String name) {
        StringBuilder known = new StringBuilder();
        for (NamedGroup g : values()) {
            if (g.displayName.equalsIgnoreCase(name)) {
                return g;
            }
            known.append(known.length() == 0 ? "" : ", ").append(g.displayName);
        }
        throw new IllegalArgumentException("unknown group '" + name + "'; expected one of " + known);
    }

    @Override
    public String toString() {
        return displayName;
    }
}
