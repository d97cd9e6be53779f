package dev.pqdtls.bench;

import dev.pqdtls.bench.EndToEnd.Row;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;

/** The end-to-end MB/s per measured row as a PNG bar chart (XChart, rendered off-screen). */
final class EndToEndChart {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private EndToEndChart() {
    }

    /**
     * Writes the chart to {@code png}. Returns why it did not (no measured row, no usable AWT/fonts, an I/O
     * error) instead of throwing: the numbers matter more than the picture.
     */
    static Optional<String> write(List<Row> rows, String title, Path png) {
        List<Row> measured = rows.stream().filter(Row::measured).toList();
        if (measured.isEmpty()) {
            return Optional.of("chart not drawn: no row was measured");
        }
        // Off-screen only; must be set before the first AWT class loads (callers set it too).
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        try {
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                    .xAxisTitle("row").yAxisTitle("MB/s (application data, 10^6 B)").build();
            CategoryStyler style = chart.getStyler();
            style.setLegendVisible(false);
            style.setChartBackgroundColor(Color.WHITE);
            style.setPlotGridVerticalLinesVisible(false);
            style.setSeriesColors(new Color[] {new Color(0x90b8e0)});
            // Linear on purpose: bar lengths are the ratios the report is about; the labels carry the small values.
            style.setLabelsVisible(true);
            style.setLabelsPosition(1.0);
            style.setLabelsFontColorAutomaticEnabled(false);
            style.setLabelsFontColor(Color.BLACK);
            style.setDecimalPattern("#,##0.0");
            chart.addSeries("MB/s", measured.stream().map(EndToEnd::shortName).toList(),
                    measured.stream().map(Row::mbPerSecond).toList());
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
            return Optional.empty();
        } catch (Exception | LinkageError e) { // LinkageError: AWT or font libraries missing on a slim JRE
            return Optional.of("chart not drawn: " + e);
        }
    }
}
