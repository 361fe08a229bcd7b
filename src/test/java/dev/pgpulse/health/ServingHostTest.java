package dev.pgpulse.health;

import dev.pgpulse.config.HostPort;
import dev.pgpulse.testing.TestSnapshots;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's own address and port, mapped back to the host entry the endpoint lists. */
class ServingHostTest {
    private static final Instant T = Instant.parse("2026-12-03T10:00:00Z");
    private final ServingHost mapper = new ServingHost();

    private static ServerStats at(String address, int port) {
        return TestSnapshots.server("primary", T, s -> {
            s.serverAddress = address;
            s.serverPort = port;
        });
    }

    @Test
    void aPortOnlyOneEntryHasNamesThatEntry() {
        var hosts = List.of(new HostPort("db1.example", 5432), new HostPort("db2.example", 5433));

        assertThat(mapper.of(hosts, at("10.0.0.7", 5433))).isEqualTo("db2.example:5433");
        assertThat(mapper.of(hosts, at("10.0.0.6", 5432))).isEqualTo("db1.example:5432");
    }

    @Test
    void entriesOnOnePortAreToldApartByTheirAddresses() {
        var hosts = List.of(new HostPort("nowhere.invalid", 5432), new HostPort("127.0.0.1", 5432),
                new HostPort("::1", 5432));

        assertThat(mapper.of(hosts, at("127.0.0.1", 5432))).isEqualTo("127.0.0.1:5432");
        assertThat(mapper.of(hosts, at("0:0:0:0:0:0:0:1", 5432))).isEqualTo("[::1]:5432");
        assertThat(mapper.of(List.of(new HostPort("localhost", 5432), new HostPort("nowhere.invalid", 5432)),
                at("127.0.0.1", 5432))).isEqualTo("localhost:5432");
    }

    @Test
    void aServerNoEntryMatchesIsShownAsItReportsItself() {
        var hosts = List.of(new HostPort("db1.example", 5432), new HostPort("db2.example", 5433));

        assertThat(mapper.of(hosts, at("10.0.0.9", 6432))).isEqualTo("10.0.0.9:6432");
        assertThat(mapper.of(List.of(new HostPort("nowhere.invalid", 5432), new HostPort("also.invalid", 5432)),
                at("10.0.0.9", 5432))).isEqualTo("10.0.0.9:5432");
        assertThat(mapper.of(hosts, at("::1", 6432))).isEqualTo("[::1]:6432");
        assertThat(mapper.of(hosts, at(null, 6432))).isEqualTo("port 6432 (Unix socket)");
        assertThat(mapper.of(List.of(new HostPort("/run/postgresql", 5432), new HostPort("db2", 5432)),
                at(null, 5432))).isEqualTo("/run/postgresql:5432");
        assertThat(mapper.of(hosts, null)).isNull();
    }
}
