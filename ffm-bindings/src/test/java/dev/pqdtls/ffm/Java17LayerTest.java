package dev.pqdtls.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pqdtls.spi.CryptoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The base layer of this module's multi-release jar (src/main/java17, compiled to
 * target/classes-java17), which Java 17..21 see instead of the real backend: it must carry the
 * same backend name, priority and module descriptor, and only say why it cannot run. (The jar
 * itself is run on Java 17 by ci/test.sh's consumer stage, class path and module path.)
 */
class Java17LayerTest {
    private static final Path LAYER = Path.of("target", "classes-java17");

    /** Loads the layer's FfmBackend itself rather than asking the parent, which has the real one. */
    private static final class LayerLoader extends ClassLoader {
        LayerLoader() {
            super(Java17LayerTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(FfmBackend.class.getName())) {
                return super.loadClass(name, resolve);
            }
            try {
                byte[] bytes = Files.readAllBytes(LAYER.resolve(name.replace('.', '/') + ".class"));
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }

    @Test
    void theLayersBackendHasTheRealNameAndPriorityAndSaysWhichJavaItNeeds() throws Exception {
        CryptoBackend layer = (CryptoBackend) new LayerLoader().loadClass(FfmBackend.class.getName())
                .getConstructor().newInstance();
        CryptoBackend real = new FfmBackend();
        assertEquals(real.name(), layer.name());
        assertEquals(real.priority(), layer.priority());
        assertEquals(Optional.of("ffm needs Java 22+; this is Java " + Runtime.version().feature()), layer.checkUsable());
    }

    @Test
    void theLayersModuleDescriptorMatchesTheRealOne() throws IOException {
        ModuleDescriptor layer = read(LAYER.resolve("module-info.class"));
        ModuleDescriptor real = read(Path.of("target", "classes", "module-info.class"));
        assertEquals(real.name(), layer.name());
        assertEquals(requires(real), requires(layer)); // names and modifiers; java.base's version differs
        assertEquals(real.provides(), layer.provides());
        assertEquals(real.exports(), layer.exports());
        assertEquals(real.uses(), layer.uses());
        assertEquals(61, classFileMajor(LAYER.resolve("module-info.class")), "release 17");
    }

    private static Set<String> requires(ModuleDescriptor d) {
        return d.requires().stream().map(r -> r.modifiers() + " " + r.name()).collect(Collectors.toSet());
    }

    private static ModuleDescriptor read(Path moduleInfo) throws IOException {
        try (InputStream in = Files.newInputStream(moduleInfo)) {
            return ModuleDescriptor.read(in);
        }
    }

    private static int classFileMajor(Path classFile) throws IOException {
        byte[] b = Files.readAllBytes(classFile);
        return ((b[6] & 0xFF) << 8) | (b[7] & 0xFF);
    }
}
