package dev.pqdtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DtlsConfigTest {

    private static void rejected(String option, Consumer<DtlsConfig.Builder> change) {
        DtlsConfig.Builder b = DtlsConfig.builder();
        change.accept(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().startsWith(option), "the message names the option: " + e.getMessage());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        DtlsConfig c = DtlsConfig.builder().build();
        assertEquals(NamedGroup.X25519_MLKEM768, c.groups().get(0));
        assertEquals(3, c.cipherSuites().size());
        assertEquals(1200, c.mtu());
        assertEquals(DtlsConfig.CookiePolicy.ALWAYS, c.cookiePolicy());
        assertEquals(0, c.connectionIdLength());
        assertTrue(c.udpOffload());
        assertEquals(1L << 23, c.keyUpdateAfterRecords());
    }

    @Test
    void everyOutOfRangeValueIsRejectedNamingTheOption() {
        rejected("groups", b -> b.groups(List.of()));
        rejected("groups", b -> b.groups(NamedGroup.X25519, NamedGroup.X25519));
        rejected("cipherSuites", b -> b.cipherSuites(List.of()));
        rejected("mtu", b -> b.mtu(100));
        rejected("mtu", b -> b.mtu(70_000));
        rejected("initialRetransmitTimeout", b -> b.initialRetransmitTimeout(Duration.ZERO));
        rejected("handshakeTimeout", b -> b.handshakeTimeout(Duration.ofHours(1)));
        rejected("connectionIdLength", b -> b.connectionIdLength(21));
        rejected("keyUpdateAfterRecords", b -> b.keyUpdateAfterRecords(1L << 24));
        rejected("cookieLifetime", b -> b.cookieLifetime(Duration.ofMillis(10)));
        rejected("receiveQueueCapacity", b -> b.receiveQueueCapacity(0));
        rejected("socketReceiveBufferSize", b -> b.socketReceiveBufferSize(100));
        rejected("socketSendBufferSize", b -> b.socketSendBufferSize(-1));
        rejected("certificate", b -> {
            try {
                b.certificate(List.of(), java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate());
            } catch (java.security.GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void unknownNamesListTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamedGroup.byName("X448"));
        assertTrue(e.getMessage().contains("X25519MLKEM768"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CipherSuite.byName("TLS_AES_128_CCM_SHA256"));
        assertTrue(e.getMessage().contains("TLS_CHACHA20_POLY1305_SHA256"), e.getMessage());
    }
}
