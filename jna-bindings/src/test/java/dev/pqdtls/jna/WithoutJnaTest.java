package dev.pqdtls.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Without JNA on the class path the backend loads, says why it cannot run, and nothing else fails. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WithoutJnaTest {

    @Test
    void checkUsableNamesTheMissingJar() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!Path.of(entry).getFileName().toString().startsWith("jna-")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Object backend = loader.loadClass(JnaBackend.class.getName()).getConstructor().newInstance();
            Optional<?> reason = (Optional<?>) backend.getClass().getMethod("checkUsable").invoke(backend);
            assertEquals(Optional.of("JNA is not on the class path (add net.java.dev.jna:jna 5.x)"), reason);
            assertEquals(Optional.of(reason.get()), backend.getClass().getMethod("checkUsable").invoke(backend),
                    "asked again, after the failed class initialisation");
            assertTrue(((java.util.Map<?, ?>) backend.getClass().getMethod("implementations").invoke(backend)).isEmpty());
        }
    }
}
