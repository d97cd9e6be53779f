package dev.pqdtls.bench.robustness;

import java.util.Arrays;

/** Order statistics of a sample (nearest-rank percentiles); NaN for an empty sample. */
final class Stats {
    private Stats() {
    }

    static double median(double[] sample) {
        if (sample.length == 0) {
            return Double.NaN;
        }
        double[] s = sample.clone();
        Arrays.sort(s);
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    /** The smallest value with at least {@code fraction} of the sample at or below it. */
    static double percentile(double[] sample, double fraction) {
        if (sample.length == 0) {
            return Double.NaN;
        }
        double[] s = sample.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(fraction * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }
}
