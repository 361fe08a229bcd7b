package dev.pgpulse.health;

import dev.pgpulse.config.HostPort;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Which of an endpoint's listed hosts a server is, from the address and port it says it was reached at: the entry
 * whose port matches when only one does, else the one whose name resolves to the server's address. A server reached
 * some other way (a proxy, NAT, a name that no longer resolves to it) is shown as it reports itself.
 */
final class ServingHost {
    /** Names are resolved only when ports do not tell the hosts apart, and kept this long (a health round's cost). */
    static final Duration RESOLVED_FOR = Duration.ofMinutes(1);

    private record Resolved(Set<String> addresses, long atNanos) {
    }

    private final Map<String, Resolved> resolved = new ConcurrentHashMap<>();

    /** The listed entry ({@code db2:5433}), else what the server says; null when it said nothing. */
    String of(List<HostPort> hosts, ServerStats server) {
        if (server == null) {
            return null;
        }
        List<HostPort> samePort = hosts.stream().filter(h -> h.port() == server.serverPort()).toList();
        if (samePort.size() == 1) {
            return samePort.getFirst().toString();
        }
        if (!samePort.isEmpty()) {
            String address = server.serverAddress();
            for (HostPort h : samePort) {
                if (address == null ? h.host().startsWith("/") : addresses(h.host()).contains(normal(address))) {
                    return h.toString();
                }
            }
        }
        return server.reportedAddress();
    }

    private Set<String> addresses(String host) {
        long now = System.nanoTime();
        Resolved r = resolved.get(host);
        if (r == null || now - r.atNanos() > RESOLVED_FOR.toNanos()) {
            Set<String> found;
            try {
                found = Arrays.stream(InetAddress.getAllByName(host)).map(InetAddress::getHostAddress)
                        .map(ServingHost::normal).collect(Collectors.toUnmodifiableSet());
            } catch (UnknownHostException | SecurityException e) {
                found = Set.of();
            }
            r = new Resolved(found, now);
            resolved.put(host, r);
        }
        return r.addresses();
    }

    /** {@code ::1} and {@code 0:0:0:0:0:0:0:1} are one address; a zone ({@code %eth0}) is not part of it. */
    private static String normal(String address) {
        String a = address.contains("%") ? address.substring(0, address.indexOf('%')) : address;
        try {
            return a.contains(":") || a.matches("[0-9.]+") ? InetAddress.getByName(a).getHostAddress() : a;
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
