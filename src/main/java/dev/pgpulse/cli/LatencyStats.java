package dev.pgpulse.cli;

import java.util.Arrays;

/**
 * The two statistics the bench quotes: the nearest-rank percentile of sorted latencies, and the median of a few
 * figures (the rounds of a run, or their ratios).
 */
final class LatencyStats {
    private LatencyStats() {
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
