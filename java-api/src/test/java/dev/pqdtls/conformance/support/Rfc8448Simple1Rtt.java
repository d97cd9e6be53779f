package dev.pqdtls.conformance.support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RFC 8448 ("Example Handshake Traces for TLS 1.3") §3, "Simple 1-RTT Handshake": the handshake
 * messages, key-schedule steps and records the conformance tests reproduce, copied from the RFC
 * (https://www.rfc-editor.org/rfc/rfc8448#section-3) with each step's title and field names as the
 * RFC prints them. Hex, lower case, no separators.
 */
public final class Rfc8448Simple1Rtt {
    private Rfc8448Simple1Rtt() {
    }

    /** One {@code {client}} or {@code {server}} step of the trace with its fields in order. */
    public static final class Step {
        private final String title;
        private final Map<String, String> fields = new LinkedHashMap<>();

        /** {@code nameAndHex} alternates a field name as the RFC prints it and the field's hex. */
        Step(String title, String... nameAndHex) {
            if (nameAndHex.length % 2 != 0) {
                throw new IllegalArgumentException(title + ": field names and values must pair up");
            }
            this.title = title;
            for (int i = 0; i < nameAndHex.length; i += 2) {
                fields.put(nameAndHex[i], nameAndHex[i + 1]);
            }
        }

        /** The RFC's title of the step, e.g. {@code server derive secret "tls13 c hs traffic"}. */
        public String title() {
            return title;
        }

        /** A fresh copy of the field's bytes; fails if the step has no such field. */
        public byte[] field(String name) {
            return Hex.decode(hex(name));
        }

        String hex(String name) {
            String hex = fields.get(name);
            if (hex == null) {
                throw new IllegalStateException("RFC 8448 step '" + title + "' has no field '" + name
                        + "'; it has " + fields.keySet());
            }
            return hex;
        }

        @Override
        public String toString() {
            return title + " " + fields.keySet();
        }
    }

    // --- handshake messages ------------------------------------------------------------------------

public static final Step CLIENT_HELLO = new Step("client construct a ClientHello handshake message",
            "ClientHello", "010000c003036660261ff947cea49cce6cfad687f457cf1b14531ba14131a0e8f309a1d0b9c40000"
                    + "06130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d00"
                    + "17001800190100010101020103010400230000003300260024001d00204cfdfcd178b784bf328cae"
                    + "793b136f2aedce005ff183d7bb1495207236647037002b0003020304000d0020001e040305030603"
                    + "020308040805080604010501060102010402050206020202002d00020101001c00024001");

    public static final Step SERVER_HELLO = new Step("server construct a ServerHello handshake message",
            "ServerHello", "0200005603031274991495cf425857262dde2299342c315afba9b64a87d552515614e01b045d0013"
                    + "0100002e00330024001d0020c7bb6bdfc26350b929a08a41a76ddac210b096868d960c4845987dc3"
                    + "a7fa650a002b00020304");

    public static final Step ENCRYPTED_EXTENSIONS = new Step("server construct a EncryptedExtensions handshake message",
            "EncryptedExtensions", "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000");

    public static final Step CERTIFICATE = new Step("server construct a Certificate handshake message",
            "Certificate", "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b"
                    + "0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d323630"
                    + "3733303031323335395a300e310c300a0603550403130372736130819f300d06092a864886f70d01"
                    + "0101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826"
                    + "d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0cc"
                    + "b0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d0"
                    + "3e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304"
                    + "023000300b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5"
                    + "b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf3"
                    + "6b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3e"
                    + "b7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4"
                    + "2b4de10000");

    public static final Step CERTIFICATE_VERIFY = new Step("server construct a CertificateVerify handshake message",
            "CertificateVerify", "0f00008408040080ace0af8e87d7c63cc9dbe7dcc12ff83bd55df0ccda9bf4e5a0f70100d9bc4d25"
                    + "aa684fd9d347642c942222526e163e3b0fba312b10e9b67eb0ac9c2be5fef490f81d7827e3bc12fa"
                    + "027ab439e71cc8459c14b94a8f3506ec44547d6c23e19cc7f9d5e0d1f595108fc240f5b0842c485a"
                    + "321487c4950377a52e917294715567cd");

    public static final Step SERVER_FINISHED = new Step("server construct a Finished handshake message",
            "Finished", "140000204c92b1b256d861a1830167827d3e288d1a76f03484e9ec886d4ff66149cbec2f");

    public static final Step CLIENT_FINISHED = new Step("client construct a Finished handshake message",
            "Finished", "1400002080a2c0d6cbc21078dba30affbf091929278edc832db4bfa1c811c9e8c67da9bb");

    // --- ephemeral X25519 keys ---------------------------------------------------------------------

    public static final Step CLIENT_X25519 = new Step("client create an ephemeral x25519 key pair",
            "private key", "70a1a8f491e82d530542c6d7a8dcd8cfa9e31f59bb336b550b13bfe199f542c5",
            "public key", "4cfdfcd178b784bf328cae793b136f2aedce005ff183d7bb1495207236647037");

    public static final Step SERVER_X25519 = new Step("server create an ephemeral x25519 key pair",
            "private key", "5aa93ea18f4c5e4a39856f573af4ec1503bad0d5cdabaffc26c1ab4c361f86c8",
            "public key", "c7bb6bdfc26350b929a08a41a76ddac210b096868d960c4845987dc3a7fa650a");

    // --- key schedule (RFC 8446 §7.1) --------------------------------------------------------------

    public static final Step EARLY_SECRET = new Step("server extract secret \"early\"",
            "IKM", "0000000000000000000000000000000000000000000000000000000000000000",
            "secret", "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");

    public static final Step DERIVED_FOR_HANDSHAKE = new Step("server derive secret for handshake \"tls13 derived\"",
            "PRK", "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a",
            "hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "info", "00200d746c733133206465726976656420e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b93"
                    + "4ca495991b7852b855",
            "expanded", "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba");

    public static final Step HANDSHAKE_SECRET = new Step("server extract secret \"handshake\"",
            "salt", "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba",
            "IKM", "1bea3fdfd25f94033804b68997a55d1931dc51124ad7f6e28959bb4672e3bd13",
            "secret", "f2c66e28ed535dfb8721b7145ca51c8bc058514f79aa881d0d32cbe1341a2e45");

    public static final Step CLIENT_HS_TRAFFIC = new Step("server derive secret \"tls13 c hs traffic\"",
            "PRK", "f2c66e28ed535dfb8721b7145ca51c8bc058514f79aa881d0d32cbe1341a2e45",
            "hash", "3d35f3eba0aabf5d9661236e3b5bb938fdc32f409cc27c55499e1f0baa3abd8f",
            "info", "002012746c73313320632068732074726166666963203d35f3eba0aabf5d9661236e3b5bb938fdc3"
                    + "2f409cc27c55499e1f0baa3abd8f",
            "expanded", "d7c28b57a857e961b5bf3e1d7b18d02757c4f97acb66a23372e5a7f3d0a71e07");

    public static final Step SERVER_HS_TRAFFIC = new Step("server derive secret \"tls13 s hs traffic\"",
            "PRK", "f2c66e28ed535dfb8721b7145ca51c8bc058514f79aa881d0d32cbe1341a2e45",
            "hash", "3d35f3eba0aabf5d9661236e3b5bb938fdc32f409cc27c55499e1f0baa3abd8f",
            "info", "002012746c73313320732068732074726166666963203d35f3eba0aabf5d9661236e3b5bb938fdc3"
                    + "2f409cc27c55499e1f0baa3abd8f",
            "expanded", "3031e9c2c26ecc154bc36826e87feeff8f4547df52596747b2dcabf92b18fb59");

    public static final Step DERIVED_FOR_MASTER = new Step("server derive secret for master \"tls13 derived\"",
            "PRK", "f2c66e28ed535dfb8721b7145ca51c8bc058514f79aa881d0d32cbe1341a2e45",
            "hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "info", "00200d746c733133206465726976656420e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b93"
                    + "4ca495991b7852b855",
            "expanded", "6aac276f77177e737a1fe91dcf0d2ec9cb4fcead8690703a15348b5e5220cafa");

    public static final Step MASTER_SECRET = new Step("server extract secret \"master\"",
            "salt", "6aac276f77177e737a1fe91dcf0d2ec9cb4fcead8690703a15348b5e5220cafa",
            "IKM", "0000000000000000000000000000000000000000000000000000000000000000",
            "secret", "a12970d9b27a3d59b6ecc1530d284073bd745ddc68d994e7a6ee70881b3d6da6");

    public static final Step SERVER_FINISHED_KEY = new Step("server calculate finished \"tls13 finished\"",
            "PRK", "3031e9c2c26ecc154bc36826e87feeff8f4547df52596747b2dcabf92b18fb59",
            "hash", "",
            "info", "00200e746c7331332066696e697368656400",
            "expanded", "2456e4d4c3cc526cad20c011327277e2b8834df514fa50db921101293cc627a8",
            "finished", "4c92b1b256d861a1830167827d3e288d1a76f03484e9ec886d4ff66149cbec2f");

    public static final Step CLIENT_AP_TRAFFIC = new Step("server derive secret \"tls13 c ap traffic\"",
            "PRK", "a12970d9b27a3d59b6ecc1530d284073bd745ddc68d994e7a6ee70881b3d6da6",
            "hash", "b285e2e2beb28adf85ce08112f7c4804cb52347a258edfa9c1bf31f7f808e8ce",
            "info", "002012746c7331332063206170207472616666696320b285e2e2beb28adf85ce08112f7c4804cb52"
                    + "347a258edfa9c1bf31f7f808e8ce",
            "expanded", "2dca43b0ae13af89e9533d39b65dd25cc22df9e7afcaf082a76895a4da353b50");

    public static final Step SERVER_AP_TRAFFIC = new Step("server derive secret \"tls13 s ap traffic\"",
            "PRK", "a12970d9b27a3d59b6ecc1530d284073bd745ddc68d994e7a6ee70881b3d6da6",
            "hash", "b285e2e2beb28adf85ce08112f7c4804cb52347a258edfa9c1bf31f7f808e8ce",
            "info", "002012746c7331332073206170207472616666696320b285e2e2beb28adf85ce08112f7c4804cb52"
                    + "347a258edfa9c1bf31f7f808e8ce",
            "expanded", "49033ff303eef5739d1376cb6d27ebd695733f3c3f617e7fc76d02a6fac6277f");

    public static final Step EXPORTER_MASTER = new Step("server derive secret \"tls13 exp master\"",
            "PRK", "a12970d9b27a3d59b6ecc1530d284073bd745ddc68d994e7a6ee70881b3d6da6",
            "hash", "b285e2e2beb28adf85ce08112f7c4804cb52347a258edfa9c1bf31f7f808e8ce",
            "info", "002010746c73313320657870206d617374657220b285e2e2beb28adf85ce08112f7c4804cb52347a"
                    + "258edfa9c1bf31f7f808e8ce",
            "expanded", "319b2e433f189fc5a1d81ea369e3af838cbecb0db8fffd5b9ab205afcdb999d9");

    public static final Step CLIENT_FINISHED_KEY = new Step("client calculate finished \"tls13 finished\"",
            "PRK", "d7c28b57a857e961b5bf3e1d7b18d02757c4f97acb66a23372e5a7f3d0a71e07",
            "hash", "",
            "info", "00200e746c7331332066696e697368656400",
            "expanded", "34e8b781a8643a166bc10ec40c6c239f5d76005b35c6f35ff7f01075c36aaa66",
            "finished", "80a2c0d6cbc21078dba30affbf091929278edc832db4bfa1c811c9e8c67da9bb");

    public static final Step RESUMPTION_MASTER = new Step("client derive secret \"tls13 res master\"",
            "PRK", "a12970d9b27a3d59b6ecc1530d284073bd745ddc68d994e7a6ee70881b3d6da6",
            "hash", "31a6e1ceae1e798050f53cac68662eededafcf279cab1c1838b935ffcebf4275",
            "info", "002010746c73313320726573206d61737465722031a6e1ceae1e798050f53cac68662eededafcf27"
                    + "9cab1c1838b935ffcebf4275",
            "expanded", "a34be53b07ab35b8503d7626a7cad4966873ebdea135c4b2e4cd28e4b812ac54");

    // --- traffic keys (RFC 8446 §7.3) --------------------------------------------------------------

    public static final Step SERVER_HS_WRITE_KEYS = new Step("server derive write traffic keys for handshake data",
            "PRK", "3031e9c2c26ecc154bc36826e87feeff8f4547df52596747b2dcabf92b18fb59",
            "key info", "001009746c733133206b657900",
            "key expanded", "4d15c00e47317fe99c714f8ebd92c4d1",
            "iv info", "000c08746c73313320697600",
            "iv expanded", "18223084735f2f2d8588caaa");

    public static final Step CLIENT_HS_WRITE_KEYS = new Step("server derive read traffic keys for handshake data",
            "PRK", "d7c28b57a857e961b5bf3e1d7b18d02757c4f97acb66a23372e5a7f3d0a71e07",
            "key info", "001009746c733133206b657900",
            "key expanded", "947fe41b60fa1bcf942d456268476e8d",
            "iv info", "000c08746c73313320697600",
            "iv expanded", "962df1fc720f9574f7d22248");

    public static final Step SERVER_AP_WRITE_KEYS = new Step("server derive write traffic keys for application data",
            "PRK", "49033ff303eef5739d1376cb6d27ebd695733f3c3f617e7fc76d02a6fac6277f",
            "key info", "001009746c733133206b657900",
            "key expanded", "bbe6b3fc9c068c6fb331eca8aa919bfd",
            "iv info", "000c08746c73313320697600",
            "iv expanded", "8057dc46846821a1bea306e0");

    public static final Step CLIENT_AP_WRITE_KEYS = new Step("client derive write traffic keys for application data",
            "PRK", "2dca43b0ae13af89e9533d39b65dd25cc22df9e7afcaf082a76895a4da353b50",
            "key info", "001009746c733133206b657900",
            "key expanded", "d92b3e9a88ea7fe2ed69aa9c8b629e91",
            "iv info", "000c08746c73313320697600",
            "iv expanded", "37a828161ead2b6813ad0b13");

    // --- records (RFC 8446 §5.2) -------------------------------------------------------------------

    /** The RFC prints the payload in full; it is these four handshake messages in order. */
    public static final Step SERVER_HANDSHAKE_RECORD = new Step("server send handshake record (EncryptedExtensions..Finished)",
            "payload", ENCRYPTED_EXTENSIONS.hex("EncryptedExtensions") + CERTIFICATE.hex("Certificate")
                    + CERTIFICATE_VERIFY.hex("CertificateVerify") + SERVER_FINISHED.hex("Finished"),
            "complete record", "17030302a2d86231e399eee4544f58e5c9ff1d0def3baa470ae2ed0b127c5dd471715673cef74b51"
                    + "fecac0d9d347ce9f43efe772ad20efddfa5b9a3911760311279599832e856ceba25bdc8071f97228"
                    + "277985b96f4e2b520f48b129bd3f9bb8e0ba5ad5cb2513b7d9157fab22fbd5862a8631a194b4ece8"
                    + "e31dade9e6d019d5714833de181192b427a10fe4e929f637d55c3ecf0182191dee94df0cdeed15dc"
                    + "c6f114c5abdcc0626356cfe4dcf011022c0e6a2431d688bbc829fa495bcb0e7456636b153c9c79a4"
                    + "f8cb083164c5f555ac78b8844a25d8c7b3f40d7226f53e6b6f0976989c70a327b6e7bf5316a20b8d"
                    + "e99e25ab7d5e2faba2f53ef8f3713995023e678859cde121cf548625d61fe840f0c5749fc65c984c"
                    + "543a139a3185091aeb9eaca24d269a31501cc506bdf9b620994c8dc4bdc977afd9e971fad42eb1c9"
                    + "d05545fc37164a123233e370bb6afef2cbf7df710c95a4e20982cca1ebfc67a6ebb82e8ee5910a69"
                    + "ec085598ab497365c408aca90d13feea1d773af9899f9e37b74189f711ea08a960810c449c141ab4"
                    + "ee2d4958021050e1bc4347fbfddb90e924752f1df76ed1ce7c0038ce1193b0e72e056c3e330914cb"
                    + "e656b80bbebf0359bf301e06901974baad55765f186c7b1c1304e1101181629351682a0a96e2a844"
                    + "2cd65234d55f4dcdc585c3a729aab205590a53a9ce9e4b0e1218f0952cc2806b5f46c59d88a172da"
                    + "c37c9f37afb91cea61665324b06d3ce79d7465d323ca9cb4ccd8d8adf21eefde6a24f36fe7e02213"
                    + "9285de95dd6283e106773d11d07d9bf27ca9e9953a0c23730b159ff8aa0086d74e0ba5557257c2f3"
                    + "08a55ff54c9c48547886f979fa841b8c2d6cd7a14ef642dda832badba34a3554fcd4092d8de04e43"
                    + "2ccbdaa4eac28f922a29bd00a7d26f5072a3fa2da1a228394a26a805dee090422794fb1476cff0");

    /** The RFC prints the payload in full; it is the client's Finished message. */
    public static final Step CLIENT_FINISHED_RECORD = new Step("client send handshake record (Finished)",
            "payload", CLIENT_FINISHED.hex("Finished"),
            "complete record", "1703030035ed2b5675d3a8b0d0cedd0519d5e7573c4aa061f42daeecca1c5498e1f063a9c6c5f594"
                    + "e3859f568a0bc5ee9ee49db23a0999f0aede");

    public static final Step CLIENT_APPLICATION_RECORD = new Step("client send application_data record",
            "payload", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627"
                    + "28292a2b2c2d2e2f3031",
            "complete record", "17030300436f75483d5af74e8419fadfd21404a9b5eba36b5170c504366f2da8ddc2bd7bfcaf3cbe"
                    + "e33d8c0172f0f8485a1fa52d1364257cf5c509eaf35c39189b5278b5861b019f");

    public static final Step SERVER_APPLICATION_RECORD = new Step("server send application_data record",
            "payload", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627"
                    + "28292a2b2c2d2e2f3031",
            "complete record", "1703030043cc8a45078c6c81b7461ff5624f6312aa44c3c101eb700e6248042f40baca0d988fefd1"
                    + "1e945d27c7c364b5068580571908646e59a85e12690df143671095b3c93d705c");
}
