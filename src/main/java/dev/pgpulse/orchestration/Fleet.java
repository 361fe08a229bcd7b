package dev.pgpulse.orchestration;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.HealthStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Several clusters watched by one process: one {@link Orchestrator} per cluster (its pools, breakers, health monitor,
 * alerts), all behind one scheduler of a few threads, each cluster's meters labelled {@code cluster="<name>"} and
 * scraped as one exposition. A fleet of one cluster is the orchestrator as it always was: no label, its own
 * scheduler, so a single server's series keep their names and labels.
 */
public final class Fleet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
    /** Scheduler threads: enough that one cluster's slow round (a hung server, up to its 5 s read bound) holds up few. */
    static final int MAX_THREADS = 4;

    private final Map<String, Orchestrator> clusters;
    private final ScheduledExecutorService scheduler;

    private Fleet(Map<String, Orchestrator> clusters, ScheduledExecutorService scheduler) {
        this.clusters = clusters;
        this.scheduler = scheduler;
    }

    /** A fleet of one: the orchestrator as it runs alone. */
    public static Fleet of(String name, Orchestrator orchestrator) {
        Map<String, Orchestrator> one = new LinkedHashMap<>();
        one.put(name, orchestrator);
        return new Fleet(one, null);
    }

    /**
     * Starts an orchestrator per cluster, in parallel (a cluster whose servers are slow to answer does not hold up
     * the others' start beyond its own {@code startup.wait}). One cluster: as {@link #of}. If any fails to start, the
     * started ones are closed and the first failure is thrown.
     *
     * @param options each cluster's options (its health interval and rules file)
     */
    public static Fleet start(List<ConfigLoader.Cluster> clusters, Function<PgPulseConfig, Orchestrator.Options> options)
            throws Exception {
        if (clusters.isEmpty()) {
            throw new IllegalArgumentException("a fleet needs at least one cluster");
        }
        if (clusters.size() == 1) {
            ConfigLoader.Cluster c = clusters.getFirst();
            return of(c.name(), Orchestrator.start(c.config(), options.apply(c.config())));
        }
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(Math.min(MAX_THREADS, clusters.size()),
                Thread.ofPlatform().name("pgpulse-fleet-", 1).daemon().factory());
        Map<String, Future<Orchestrator>> starting = new LinkedHashMap<>();
        Map<String, Orchestrator> started = new LinkedHashMap<>();
        Fleet fleet = new Fleet(started, scheduler);
        Exception failure = null;
        try {
            // the executor's close waits for every start: none is left running when this returns or throws
            try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
                for (ConfigLoader.Cluster c : clusters) {
                    Orchestrator.Options o = options.apply(c.config()).inFleet(c.name(), scheduler);
                    starting.put(c.name(), starter.submit(() -> Orchestrator.start(c.config(), o)));
                }
            }
            for (Map.Entry<String, Future<Orchestrator>> f : starting.entrySet()) {
                try {
                    started.put(f.getKey(), f.getValue().get());
                } catch (java.util.concurrent.ExecutionException e) {
                    Exception cause = e.getCause() instanceof Exception x ? x : e;
                    if (failure == null) {
                        failure = new IllegalStateException("cluster " + f.getKey() + ": " + cause.getMessage(), cause);
                    }
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            failure = e;
        }
        if (failure != null) {
            // what did start is closed, then the scheduler; an interrupted start also collects what finished
            for (Future<Orchestrator> f : starting.values()) {
                if (f.state() == Future.State.SUCCESS && !started.containsValue(f.resultNow())) {
                    started.put("unnamed-" + started.size(), f.resultNow());
                }
            }
            fleet.close();
            if (failure instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw failure;
        }
        LOG.info("watching {} clusters: {}", started.size(), String.join(", ", started.keySet()));
        return fleet;
    }

    /** The clusters' names, in the profile's order. */
    public List<String> names() {
        return List.copyOf(clusters.keySet());
    }

    public Optional<Orchestrator> cluster(String name) {
        return Optional.ofNullable(clusters.get(name));
    }

    public Map<String, Orchestrator> clusters() {
        return java.util.Collections.unmodifiableMap(clusters);
    }

    /** Whether the meters carry a {@code cluster} label: more than one cluster. */
    public boolean labelled() {
        return clusters.size() > 1;
    }

    /** The worst health over the clusters; null while one has had no sample yet (the fleet is still starting). */
    public HealthStatus status() {
        HealthStatus worst = null;
        for (Orchestrator o : clusters.values()) {
            HealthSnapshot h = o.health().latest();
            if (h == null) {
                return null;
            }
            HealthStatus s = h.status();
            worst = worst == null || s.ordinal() > worst.ordinal() ? s : worst;
        }
        return worst;
    }

    /**
     * Every cluster's meters as one Prometheus text exposition: families of the same name merged, so each family's
     * HELP and TYPE appear once with the series of every cluster under it.
     */
    public String scrape() {
        if (clusters.size() == 1) {
            return clusters.values().iterator().next().scrape();
        }
        Map<String, List<MetricSnapshot>> byName = new LinkedHashMap<>();
        for (Orchestrator o : clusters.values()) {
            PrometheusMeterRegistry registry = (PrometheusMeterRegistry) o.meters();
            for (MetricSnapshot m : registry.getPrometheusRegistry().scrape()) {
                byName.computeIfAbsent(m.getMetadata().getPrometheusName(), n -> new ArrayList<>()).add(m);
            }
        }
        List<MetricSnapshot> merged = new ArrayList<>(byName.size());
        byName.values().forEach(same -> merged.add(merge(same)));
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            PrometheusTextFormatWriter.create().write(out, new MetricSnapshots(merged));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** One family from the same family of each cluster (the first one's HELP and unit). */
    @SuppressWarnings("unchecked")
    private static MetricSnapshot merge(List<MetricSnapshot> same) {
        MetricSnapshot first = same.getFirst();
        if (same.size() == 1) {
            return first;
        }
        List<DataPointSnapshot> points = new ArrayList<>();
        for (MetricSnapshot m : same) {
            if (m.getClass() != first.getClass()) {
                LOG.debug("{}: a family of two types across clusters; keeping {}", first.getMetadata().getName(),
                        first.getClass().getSimpleName());
                continue;
            }
            points.addAll(m.getDataPoints());
        }
        var meta = first.getMetadata();
        return switch (first) {
            case CounterSnapshot c -> new CounterSnapshot(meta, (List<CounterSnapshot.CounterDataPointSnapshot>) (List<?>) points);
            case GaugeSnapshot g -> new GaugeSnapshot(meta, (List<GaugeSnapshot.GaugeDataPointSnapshot>) (List<?>) points);
            case HistogramSnapshot h -> new HistogramSnapshot(h.isGaugeHistogram(), meta,
                    (List<HistogramSnapshot.HistogramDataPointSnapshot>) (List<?>) points);
            case SummarySnapshot s -> new SummarySnapshot(meta, (List<SummarySnapshot.SummaryDataPointSnapshot>) (List<?>) points);
            case InfoSnapshot i -> new InfoSnapshot(meta, (List<InfoSnapshot.InfoDataPointSnapshot>) (List<?>) points);
            case StateSetSnapshot s -> new StateSetSnapshot(meta,
                    (List<StateSetSnapshot.StateSetDataPointSnapshot>) (List<?>) points);
            case UnknownSnapshot u -> new UnknownSnapshot(meta, (List<UnknownSnapshot.UnknownDataPointSnapshot>) (List<?>) points);
            default -> first;
        };
    }

    /** Closes every cluster's orchestrator (in parallel: each drains its calls), then the shared scheduler. */
    @Override
    public void close() {
        try (ExecutorService closer = Executors.newVirtualThreadPerTaskExecutor()) {
            clusters.values().forEach(o -> closer.submit(o::close));
        }
        if (scheduler != null) {
            Orchestrator.stop(scheduler);
        }
    }
}
