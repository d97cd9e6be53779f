package dev.pqdtls.bench;

import java.util.List;

/**
 * The reports' tables, as Markdown and as aligned plain text. The first column is a name (left-aligned),
 * the others figures (right-aligned); a row of two cells is a name and a remark (e.g. "not measured: why")
 * that spans the figure columns.
 */
final class Tables {
    private Tables() {
    }

    static String markdown(List<String[]> rows) {
        return markdown(rows, "l" + "r".repeat(rows.get(0).length - 1));
    }

    /** With the columns aligned as {@code align} says, one letter each: 'l' left, 'r' right. */
    static String markdown(List<String[]> rows, String align) {
        StringBuilder sb = new StringBuilder();
        String[] header = rows.get(0);
        sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.length; i++) {
            sb.append(align.charAt(i) == 'r' ? "---:|" : "---|");
        }
        sb.append('\n');
        for (String[] row : rows.subList(1, rows.size())) {
            sb.append("| ").append(String.join(" | ", row)).append(" |");
            sb.append(" |".repeat(Math.max(0, header.length - row.length))).append('\n');
        }
        return sb.toString();
    }

    static String text(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            if (row.length == columns) {
                for (int i = 0; i < columns; i++) {
                    width[i] = Math.max(width[i], row[i].length());
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(pad(row[0], width[0], false));
            if (row.length < columns) {
                for (int i = 1; i < row.length; i++) {
                    line.append("  ").append(row[i]);
                }
            } else {
                for (int i = 1; i < columns; i++) {
                    line.append("  ").append(pad(row[i], width[i], true));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
