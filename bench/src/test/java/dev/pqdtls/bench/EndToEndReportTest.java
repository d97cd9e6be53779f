package dev.pqdtls.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pqdtls.CipherSuite;
import dev.pqdtls.NamedGroup;
import dev.pqdtls.bench.EndToEnd.Row;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The report's arithmetic and wording on made-up rows (no network, no timing), and the openssl parser. */
@Timeout(30)
class EndToEndReportTest {
    private static final EndToEnd.Options OPTIONS = new EndToEnd.Options(2, 0.5, CipherSuite.TLS_AES_128_GCM_SHA256,
            NamedGroup.X25519_MLKEM768, EndToEnd.ALL_ROWS, null, Path.of("/nonexistent"));

    /** A row of {@code mb} MB/s over one second. */
    private static Row row(int number, double mb) {
        long bytes = (long) (mb * 1e6);
        return new Row(number + ". row " + number, 1000, 900, bytes / 1200, bytes, 1.0, "note", null);
    }

    private static EndToEndReport report(Row... rows) {
        return new EndToEndReport(OPTIONS, List.of(rows), Instant.parse("2026-01-02T03:04:05Z"), "`test`");
    }

    @Test
    void targetsComeFromThisRunsRows() {
        EndToEndReport r = report(row(1, 300), row(3, 50), row(4, 1000), row(5, 120),
                new Row("6. openssl", 0, 0, 1_000_000, 400_000_000L, 1.0, "n", null));
        List<EndToEndReport.Target> t = r.targets();
        assertEquals(6.0, t.get(0).ratio(), 1e-9);
        assertEquals("met", t.get(0).verdict());
        assertEquals(2.5, t.get(1).ratio(), 1e-9);
        assertEquals("missed", t.get(1).verdict());
        assertEquals(300.0 / 400.0, t.get(2).ratio(), 1e-9, "min(raw UDP 1000, openssl 400) = 400");
        assertEquals("met", t.get(2).verdict());
    }

    @Test
    void missingRowsAreSaidNotGuessed() {
        EndToEndReport r = report(row(1, 300), row(3, 50), Row.notMeasured("5. wolfSSL", "no wolfSSL build at /x"));
        List<EndToEndReport.Target> t = r.targets();
        assertEquals("n/a", t.get(1).verdict());
        assertEquals("wolfSSL not measured: no wolfSSL build at /x", t.get(1).missing());
        assertTrue(t.get(2).missing().contains("raw UDP not measured (row 4 not run)"), t.get(2).missing());
        String md = r.markdown(null);
        assertTrue(md.contains("| 5. wolfSSL | not measured: no wolfSSL build at /x |"), md);
        assertTrue(md.contains("wolfSSL not measured"), md);
        assertFalse(md.contains("!["), "no chart link without a chart");
    }

    @Test
    void opensslRowHasNoDeliveryColumnsAndTheTableHasRatios() {
        EndToEndReport r = report(row(4, 1000), new Row("6. openssl", 0, 0, 1_000_000, 1_200_000_000L, 1.0, "n", null));
        String md = r.markdown("end-to-end.png");
        assertTrue(md.contains("![MB/s per row](end-to-end.png)"), md);
        assertTrue(md.contains("| 6. openssl | 1200.0 | 1,000,000 | – | – | 1.20 |"), md);
        assertTrue(md.contains("| 4. row 4 | 1000.0 | 833,333 | 900 / 1,000 | 10.0 | 1.00 |"), md);
        String text = r.text();
        assertTrue(text.lines().findFirst().orElse("").startsWith("row"), text);
    }

    @Test
    void parsesOpensslSpeedMachineReadableOutput() {
        String out = "+DT:AES-128-GCM:1:1200\n+R:825297:AES-128-GCM:0.980000\n+H:1200\n+F:25:AES-128-GCM:1010567755.10\n";
        Optional<OpensslSpeed.Result> r = OpensslSpeed.parse(out);
        assertTrue(r.isPresent());
        assertEquals(825297, r.get().records());
        assertEquals(1200, r.get().bytes());
        assertEquals(0.98, r.get().seconds(), 1e-9);
        assertEquals(1010567755.10, r.get().bytesPerSecond(), 1e-3);
        assertTrue(OpensslSpeed.parse("Error: unknown cipher\n").isEmpty());
    }
}
