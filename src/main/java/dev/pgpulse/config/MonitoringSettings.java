package dev.pgpulse.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How often the health monitor samples, and where alerts are posted besides the log.
 *
 * @param webhook an http(s) URL that receives each alert as a JSON POST, if any
 */
public record MonitoringSettings(Duration healthInterval, Optional<URI> webhook, Duration webhookTimeout) {
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(5);

    public MonitoringSettings {
        Objects.requireNonNull(healthInterval, "healthInterval");
        Objects.requireNonNull(webhook, "webhook");
        Objects.requireNonNull(webhookTimeout, "webhookTimeout");
    }

    /** The webhook's path, user info and query may hold its token: a record's own toString would print them. */
    @Override
    public String toString() {
        return "MonitoringSettings[healthInterval=" + healthInterval + ", webhook=" + webhook.map(Redact::webhook)
                .orElse("(none)") + ", webhookTimeout=" + webhookTimeout + "]";
    }

    public static MonitoringSettings defaults() {
        return new MonitoringSettings(DEFAULT_HEALTH_INTERVAL, Optional.empty(), DEFAULT_WEBHOOK_TIMEOUT);
    }
}
