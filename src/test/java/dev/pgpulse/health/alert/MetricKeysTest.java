package dev.pgpulse.health.alert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class MetricKeysTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "pool.primary.awaiting", "pool.replica-1.awaiting", "pool.replica-12.awaiting", "pool.*.awaiting",
            "pool.primary.usage_ratio", "pool.*.usage_ratio", "pool.replica-1.connection_failures_per_minute",
            "breaker.primary.state", "breaker.replica-3.state", "breaker.*.state",
            "endpoint.primary.health", "endpoint.replica-2.health", "endpoint.*.health",
            "server.connections.used_ratio", "server.rollback_ratio", "server.cache_hit_ratio",
            "server.longest_transaction_seconds", "server.deadlocks_per_minute", "server.oldest_xid_age",
            "replication.lag_seconds",
            "query.*.p95_ms", "query.findUser.p95_ms", "query.orders.by-id_v2.p95_ms",
            "service.slow_queries_per_minute", "pool.replica-2.acquire_p95_ms", "traffic.*.calls_per_second",
            "traffic.primary.p50_ms", "traffic.replica-1.p95_ms", "traffic.primary.p99_ms", "service.calls_in_flight",
            "service.oldest_call_in_flight_seconds", "traffic.primary.calls_in_flight", "traffic.*.calls_in_flight",
            "traffic.replica-2.oldest_call_in_flight_seconds", "traffic.*.oldest_call_in_flight_seconds"})
    void accepts(String key) {
        assertThat(MetricKeys.isValid(key)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "pool.primary.wating", "pool.replica.awaiting", "pool.replica-0.awaiting", "pool.replica-x.awaiting",
            "pool.standby.awaiting", "pool..awaiting", "pool.primary.awaiting ", "POOL.primary.awaiting",
            "breaker.*.status", "endpoint.primary.status", "endpoint.health",
            "pool.primary.connection_failures", "breaker.**.state", "server.connections", "server.*.rollback_ratio",
            "replication.lag", "query..p95_ms", "query.a b.p95_ms", "query.p95_ms", "query.x.p99_ms",
            "service.slow_queries", "server.rollback_ratio.x",
            "traffic.primary.p90_ms", "traffic.findUser.p95_ms", "service.oldest_call_seconds",
            "traffic.calls_in_flight", "traffic.replica.calls_in_flight", "traffic.primary.oldest_call_in_flight",
            "service.primary.calls_in_flight"})
    void rejects(String key) {
        assertThat(MetricKeys.isValid(key)).isFalse();
    }

    @Test
    void describeListsEveryDocumentedKey() {
        assertThat(MetricKeys.describe()).startsWith("pool.<endpoint>.awaiting, ");
        for (String key : MetricKeys.DOCUMENTED) {
            assertThat(MetricKeys.describe()).contains(key);
        }
    }

}
