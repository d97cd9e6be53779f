package dev.pqdtls.conformance.support;

/**
 * RFC 8448 ("Example Handshake Traces for TLS 1.3") §4, "Resumed 0-RTT Handshake", and the
 * NewSessionTicket of §3 it resumes: the values the PSK conformance tests reproduce, copied from the
 * RFC (https://www.rfc-editor.org/rfc/rfc8448#section-4). Hex, lower case, no separators; handshake
 * messages with their 4-byte TLS header.
 */
public final class Rfc8448Resumed0Rtt {
    private Rfc8448Resumed0Rtt() {
    }

    /** §3 "{server} construct a NewSessionTicket handshake message" (205 octets). */
    public static final String NEW_SESSION_TICKET = "040000c90000001e933d093202000000b2f35edae4e60404d6f40fa17f000000008393d163fb4f5f105fe2056caeb32a"
                    + "c7007070045931026db07d58dd58090d629af59ecb7fba353d5d9653a708fbcf0f515c1b82db6b08977179dfc684d22f"
                    + "cf7bd5c12222ab63ffd9d2bc46176d144ae98ad93416894822ac5064065f92995a6f052fa3a731703657817ea7a8de73"
                    + "148661768f7f62098fb45c0a9dde04a9cf1aa4206f13dd055df3ed5fa681bbf876e362ad9c0a68d2b5266c79aa806cbf"
                    + "e6113b0008002a000400000400";

    /** §3 "{server} generate resumption secret \"tls13 resumption\"": the ticket nonce and the PSK. */
    public static final String TICKET_NONCE = "0000";
    public static final String RESUMPTION_PSK = "cae5ce63ca4b2a7333a7cef44351eea4b6a0b6dabfe52e8fa8828c57602b807c";

    /** §4 "{client} extract secret \"early\"": the early secret from that PSK. */
    public static final String EARLY_SECRET = "7926bf246b73dd7cf3aa5a75ec3dc91ae3a234c00565744af51697313a085fff";

    /** §4 "{client} send handshake record": the ClientHello with its binder (512 octets). */
    public static final String CLIENT_HELLO = "010001fc0303750e184c0c28d365ffab68b74cb202fdb495ad19f527c6e6cebec35b443b9b3500000613011303130201"
                    + "0001cd0000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400"
                    + "3300260024001d00205839e32b2b0e47211ff3098d998ed0379a07b299b846585b7fab62c61357d174002a0000002b00"
                    + "03020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c"
                    + "000240010015005700000000000000000000000000000000000000000000000000000000000000000000000000000000"
                    + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                    + "2900dd00b800b2f35edae4e60404d6f40fa17f000000008393d163fb4f5f105fe2056caeb32ac7007070045931026db0"
                    + "7d58dd58090d629af59ecb7fba353d5d9653a708fbcf0f515c1b82db6b08977179dfc684d22fcf7bd5c12222ab63ffd9"
                    + "d2bc46176d144ae98ad93416894822ac5064065f92995a6f052fa3a731703657817ea7a8de73148661768f7f62098fb4"
                    + "5c0a9dde04a9cf1aa4206f13dd055df3ed5fa681bbf876e362ad9c0a68d2b5266c79aa806cbfe6113b933d0937002120"
                    + "718cd8f22e8ed71d1a23f7c88f63d45487afe58157cbc57e66bd1323e41a8cd8";

    /** §4 "{client} calculate PSK binder": the truncated ClientHello's length, its hash and the binder. */
    public static final int TRUNCATED_LENGTH = 477;
    public static final String BINDER_HASH = "6fd17487908d45ca0bb7d5e5a968f94aa43296b3fd578d0c102540c380a23e68";
    public static final String BINDER = "718cd8f22e8ed71d1a23f7c88f63d45487afe58157cbc57e66bd1323e41a8cd8";

    /** §4 "{client} derive secret \"tls13 c e traffic\"" and its write keys for early application data. */
    public static final String CLIENT_EARLY_TRAFFIC = "c4196f87b65585b405a6ed59ba9ca31e468ac9b2c79477d449c559a44407197f";
    public static final String EARLY_KEY = "a9d6c91b8adb612268f7724f0b6cdc75";
    public static final String EARLY_IV = "8d52156fb7db01cb290bdef1";
}
