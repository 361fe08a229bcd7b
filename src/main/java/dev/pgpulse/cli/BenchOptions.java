package dev.pgpulse.cli;

import dev.pgpulse.config.Overrides;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code pgpulse bench} is asked to measure: thread counts, run length, rounds and warm-up, each checked
 * against caps that keep one bench bounded, and the pool sizing the thread counts need.
 */
final class BenchOptions {
    /** Caps that keep one bench bounded: at most minutes per run, not the hours a typo would ask for. */
    static final int MAX_THREADS = 1024;
    static final int MAX_SECONDS = 300;
    static final int MAX_ROUNDS = 20;
    static final int MAX_WARMUP = 60;

    @Option(names = "--threads", split = ",", paramLabel = "N", defaultValue = "1,8",
            description = "Thread counts to measure, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3",
            description = "Length of one measured run, per path and thread count (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "3",
            description = "Raw/service pairs per thread count; the median is quoted (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "2",
            description = "Seconds of unmeasured warm-up per path, at the largest thread count (default: ${DEFAULT-VALUE}).")
    int warmup;

    /** Every bad option, one line each: a run is minutes long, so nobody should learn of them one per try. */
    List<String> validate() {
        List<String> bad = new ArrayList<>();
        if (threads == null || threads.isEmpty() || threads.stream().anyMatch(t -> t == null || t < 1 || t > MAX_THREADS)) {
            bad.add("--threads takes thread counts from 1 to " + MAX_THREADS + ", e.g. --threads 1,8");
        }
        within(bad, "--seconds", seconds, 1, MAX_SECONDS);
        within(bad, "--rounds", rounds, 1, MAX_ROUNDS);
        within(bad, "--warmup", warmup, 0, MAX_WARMUP);
        return bad;
    }

    private static void within(List<String> bad, String option, int value, int min, int max) {
        if (value < min || value > max) {
            bad.add(option + " " + value + ": expected a whole number from " + min + " to " + max);
        }
    }

    /** The largest thread count; only once {@link #validate()} found nothing wrong. */
    int maxThreads() {
        return Collections.max(threads);
    }

    /** {@code given} with the pool sized to the largest thread count unless --set says otherwise. */
    Overrides overrides(Overrides given) {
        Map<String, String> settings = new LinkedHashMap<>(given.settings());
        settings.putIfAbsent("pool.max_size", String.valueOf(maxThreads()));
        if (!settings.containsKey("pool.min_idle")) {
            // A fixed-size pool: every connection exists before the first run; idle_timeout would only make
            // HikariCP warn that it has no effect.
            settings.put("pool.min_idle", settings.get("pool.max_size"));
            settings.putIfAbsent("pool.idle_timeout", "0");
        }
        return new Overrides(given.configFile(), given.profile(), given.url(), given.replicas(), given.environment(),
                settings);
    }
}
