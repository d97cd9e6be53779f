package dev.pqdtls.fallback;

import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Where Bouncy Castle was loaded from and which version it is, for {@code implementations()} and
 * the probe. Only this class and the primitives touch BC types, so {@link FallbackBackend} itself
 * loads without BC and can say that BC is missing.
 */
final class BouncyCastleInfo {
    static final String PROBE_CLASS = "org.bouncycastle.math.ec.rfc7748.X25519";
    static final String MAVEN_COORDINATES = "org.bouncycastle:bcprov-jdk18on:1.83";

    private static volatile String version;
    private static volatile String location;

    private BouncyCastleInfo() {
    }

    static String version() {
        String v = version;
        if (v == null) {
            load();
            v = version;
        }
        return v;
    }

    static String location() {
        if (location == null) {
            load();
        }
        return location;
    }

    private static synchronized void load() {
        if (version != null) {
            return;
        }
        String v = null;
        String where = "unknown location";
        try {
            Class<?> bc = Class.forName(PROBE_CLASS, false, BouncyCastleInfo.class.getClassLoader());
            CodeSource source = bc.getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            if (url != null) {
                where = url.toString();
                if ("file".equals(url.getProtocol())) {
                    Path path = Path.of(url.toURI());
                    where = path.toString();
                    if (path.toString().endsWith(".jar")) {
                        try (JarFile jar = new JarFile(path.toFile())) {
                            Manifest manifest = jar.getManifest();
                            if (manifest != null) {
                                v = manifest.getMainAttributes().getValue("Bundle-Version");
                            }
                        }
                    }
                }
            }
            if (v == null && bc.getModule().isNamed() && bc.getModule().getDescriptor() != null) {
                Optional<String> raw = bc.getModule().getDescriptor().rawVersion();
                v = raw.orElse(null);
            }
            if (v == null) {
                // Shaded jars lose BC's manifest; its JCA provider still knows its version.
                Object provider = Class.forName("org.bouncycastle.jce.provider.BouncyCastleProvider", true,
                        BouncyCastleInfo.class.getClassLoader()).getConstructor().newInstance();
                v = ((java.security.Provider) provider).getVersionStr();
            }
        } catch (Exception | LinkageError e) {
            where = "not determined: " + e;
        }
        location = where;
        version = v == null ? "(version unknown)" : v;
    }
}
