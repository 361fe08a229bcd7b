package dev.pgpulse.service;

import dev.pgpulse.pool.Route;

import java.time.Duration;
import java.time.Instant;

/** A call that took at least the slow-query threshold. {@code sql} is null when the caller gave none. */
public record SlowQuery(String operation, String sql, Route route, String endpoint, Duration duration, Instant at) {
}
