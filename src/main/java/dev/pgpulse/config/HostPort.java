package dev.pgpulse.config;

import java.util.Objects;

/**
 * One server address of an endpoint, as libpq lists them ({@code db1:5432}); an endpoint's primary may list several,
 * tried in order for the one that takes writes.
 */
public record HostPort(String host, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, but was " + port);
        }
    }

    /** {@code db1:5432}, an IPv6 address in brackets ({@code [::1]:5432}), as URLs and messages write it. */
    @Override
    public String toString() {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }
}
