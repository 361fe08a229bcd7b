package dev.pgpulse.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The statistics the bench quotes, on figures small enough to check by hand. */
class LatencyStatsTest {
    @Test
    void percentilesAreNearestRankAndMediansAverageTheMiddlePair() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

        assertThat(LatencyStats.percentile(sorted, 0.50)).isEqualTo(5);
        assertThat(LatencyStats.percentile(sorted, 0.99)).isEqualTo(10);
        assertThat(LatencyStats.percentile(new long[] {7}, 0.99)).isEqualTo(7);
        assertThat(LatencyStats.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(LatencyStats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }
}
