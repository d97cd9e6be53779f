package dev.pqdtls.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DisplayTest {
    @Test
    void addressesPrintAsPeopleWriteThem() throws Exception {
        assertEquals("127.0.0.1:4433", Display.address(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4433)));
        assertEquals("[::1]:4433", Display.address(new InetSocketAddress(InetAddress.getByName("::1"), 4433)));
        assertEquals("[::]:1", Display.address(new InetSocketAddress(InetAddress.getByName("::"), 1)));
        // RFC 5952 §4.2.3: the first of two equally long zero runs; §4.2.2: never a single zero group.
        assertEquals("[2001:db8::1:0:0:1]:5", Display.address(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 5)));
        assertEquals("[2001:db8:0:1:1:1:1:1]:5", Display.address(new InetSocketAddress(InetAddress.getByName("2001:db8:0:1:1:1:1:1"), 5)));
        assertEquals("[fe80::1:2]:5", Display.address(new InetSocketAddress(InetAddress.getByName("fe80::1:2"), 5)));
        assertEquals("[1::]:5", Display.address(new InetSocketAddress(InetAddress.getByName("1::"), 5)));
        assertEquals("example.invalid:7", Display.address(InetSocketAddress.createUnresolved("example.invalid", 7)));
    }

    @Test
    void durationsPrintWithTheirUnit() {
        assertEquals("10 s", Display.duration(Duration.ofSeconds(10)));
        assertEquals("250 ms", Display.duration(Duration.ofMillis(250)));
        assertEquals("0 ms", Display.duration(Duration.ZERO));
        assertEquals("1.5 s", Display.duration(Duration.ofMillis(1500)));
        assertEquals("60 s", Display.duration(Duration.ofSeconds(60)));
        assertEquals("10 min", Display.duration(Duration.ofMinutes(10)));
        assertEquals("1 h", Display.duration(Duration.ofHours(1)));
        assertEquals("365 d", Display.duration(Duration.ofDays(365)));
        assertEquals("PT0.0000005S", Display.duration(Duration.ofNanos(500)));
    }
}
