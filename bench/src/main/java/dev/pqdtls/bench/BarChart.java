package dev.pqdtls.bench;

import java.awt.Color;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;

/** A PNG bar chart of the benchmarks' reports (XChart, rendered off-screen): one bar per category and series. */
final class BarChart {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;
    private static final Color[] COLORS = {new Color(0x90b8e0), new Color(0xe0b090), new Color(0x98d098)};

    private BarChart() {
    }

    /**
     * Writes the chart to {@code png}: {@code series} maps a series name to one value per category (NaN: no bar).
     * Returns why it did not (nothing to draw, no usable AWT/fonts, an I/O error) instead of throwing: the
     * numbers matter more than the picture.
     */
    static Optional<String> write(String title, String xTitle, String yTitle, List<String> categories,
            Map<String, List<Double>> series, Path png) {
        if (categories.isEmpty() || series.isEmpty()) {
            return Optional.of("chart not drawn: no row was measured");
        }
        // Off-screen only; must be set before the first AWT class loads (callers set it too).
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        try {
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                    .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
            CategoryStyler style = chart.getStyler();
            style.setLegendVisible(series.size() > 1);
            style.setChartBackgroundColor(Color.WHITE);
            style.setPlotGridVerticalLinesVisible(false);
            style.setSeriesColors(COLORS);
            // Linear on purpose: bar lengths are the ratios the reports are about; the labels carry the small values.
            style.setLabelsVisible(true);
            style.setLabelsPosition(1.0);
            style.setLabelsFontColorAutomaticEnabled(false);
            style.setLabelsFontColor(Color.BLACK);
            style.setDecimalPattern("#,##0.0");
            for (Map.Entry<String, List<Double>> s : new LinkedHashMap<>(series).entrySet()) {
                chart.addSeries(s.getKey(), categories, s.getValue().stream()
                        .map(v -> v == null || v.isNaN() ? 0.0 : v).toList());
            }
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
            return Optional.empty();
        } catch (Exception | LinkageError e) { // LinkageError: AWT or font libraries missing on a slim JRE
            return Optional.of("chart not drawn: " + e);
        }
    }
}
