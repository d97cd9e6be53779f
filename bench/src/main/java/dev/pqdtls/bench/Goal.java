package dev.pqdtls.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A goal of an issue, computed from one run and recorded, never asserted (a 2-vCPU machine shared with builds
 * would only measure its neighbours): {@code value} against {@code goal}, at most or at least. {@code value}
 * is NaN when it could not be computed; {@code missing} then says why.
 *
 * @param unit "ms" for a time, "×" for a ratio (printed right after the figure)
 */
record Goal(String name, String measured, double value, double goal, boolean atMost, String unit, String missing) {

    static Goal of(String name, String measured, double value, double goal, boolean atMost, String unit) {
        return new Goal(name, measured, value, goal, atMost, unit, Double.isNaN(value) ? "not computable" : null);
    }

    static Goal missing(String name, double goal, boolean atMost, String unit, String why) {
        return new Goal(name, null, Double.NaN, goal, atMost, unit, why);
    }

    boolean computed() {
        return !Double.isNaN(value);
    }

    String verdict() {
        return !computed() ? "n/a" : (atMost ? value <= goal : value >= goal) ? "met" : "missed";
    }

    String valueText() {
        return computed() ? String.format(Locale.ROOT, "%.2f", value) + suffix() : "–";
    }

    String goalText() {
        return (atMost ? "≤ " : "≥ ") + EndToEndReport.number(goal) + suffix();
    }

    private String suffix() {
        return unit.equals("×") ? "×" : " " + unit;
    }

    static String markdown(List<Goal> goals) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"goal", "this run", "value", "goal", "verdict"});
        for (Goal g : goals) {
            rows.add(new String[] {g.name(), g.computed() ? g.measured() : g.missing(), g.valueText(), g.goalText(),
                g.verdict()});
        }
        return Tables.markdown(rows, "llrrl");
    }

    static String text(List<Goal> goals) {
        int nameWidth = goals.stream().mapToInt(g -> g.name().length()).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (Goal g : goals) {
            sb.append("  ").append(Tables.pad(g.name(), nameWidth, false)).append("  ")
                    .append(Tables.pad(g.valueText(), 9, true)).append("  goal ").append(Tables.pad(g.goalText(), 9, false))
                    .append("  ").append(Tables.pad(g.verdict(), 6, false)).append("  ")
                    .append(g.computed() ? g.measured() : g.missing()).append('\n');
        }
        return sb.toString();
    }
}
