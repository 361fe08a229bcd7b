package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.flags;
import static org.assertj.core.api.Assertions.assertThat;

/** The primary listing several hosts, in every form libpq and pgjdbc take them. */
class MultiHostConfigTest {
    @TempDir
    Path home;

    private static final List<HostPort> TWO = List.of(new HostPort("db1", 5432), new HostPort("db2", 5433));

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://app@db1:5432,db2:5433/app", "jdbc:postgresql://db1:5432,db2:5433/app?user=app",
            "postgresql://app@db1,db2:5433/app"})
    void aUrlListingHostsGivesThemAllInOrder(String url) throws Exception {
        EndpointConfig p = ConfigFixture.load(home, Map.of("DATABASE_URL", url)).primary().orElseThrow();

        assertThat(p.hosts()).isEqualTo(TWO);
        assertThat(p.host()).isEqualTo("db1");
        assertThat(p.port()).isEqualTo(5432);
        assertThat(p.primaryOnly()).isTrue();
        assertThat(p.displayTarget()).isEqualTo("app@db1:5432,db2:5433/app");
        assertThat(p.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432,db2:5433/app?targetServerType=primary"
                + "&hostRecheckSeconds=" + EndpointConfig.HOST_RECHECK_SECONDS);
        assertThat(p.libpqHosts()).isEqualTo("db1,db2");
        assertThat(p.libpqPorts()).isEqualTo("5432,5433");
    }

    @Test
    void pghostAndPgportListsPairAsLibpqPairsThem() throws Exception {
        var paired = ConfigFixture.load(home, Map.of("PGHOST", "db1,db2", "PGPORT", "5432,5433", "PGUSER", "app",
                "PGDATABASE", "app")).primary().orElseThrow();
        assertThat(paired.hosts()).isEqualTo(TWO);
        assertThat(paired.displayTarget()).isEqualTo("app@db1:5432,db2:5433/app");

        // one port applies to every host; none is libpq's default
        var one = ConfigFixture.load(home, Map.of("PGHOST", "db1,db2", "PGPORT", "6432")).primary().orElseThrow();
        assertThat(one.hosts()).containsExactly(new HostPort("db1", 6432), new HostPort("db2", 6432));
        var none = ConfigFixture.load(home, Map.of("PGHOST", "db1, db2")).primary().orElseThrow();
        assertThat(none.hosts()).containsExactly(new HostPort("db1", 5432), new HostPort("db2", 5432));
        assertThat(none.primaryOnly()).isTrue();
    }

    @Test
    void aUrlsHostListWinsOverPghostAsAnyOfItsParts() throws Exception {
        var p = ConfigFixture.load(home, Map.of("PGHOST", "other", "PGPORT", "7000"),
                flags().url("postgresql://db1:5432,db2:5433/app").build()).primary().orElseThrow();

        assertThat(p.hosts()).isEqualTo(TWO);
    }

    @Test
    void oneHostStaysAsItWasUnlessTheUrlAsksForAPrimary() throws Exception {
        var plain = ConfigFixture.load(home, Map.of("DATABASE_URL", "postgresql://app@db1/app")).primary().orElseThrow();
        assertThat(plain.primaryOnly()).isFalse();
        assertThat(plain.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432/app");

        var asked = ConfigFixture.load(home, Map.of("DATABASE_URL",
                "postgresql://app@db1/app?target_session_attrs=primary")).primary().orElseThrow();
        assertThat(asked.primaryOnly()).isTrue();
        assertThat(asked.jdbcUrl()).contains("?targetServerType=primary");
    }

    @Test
    void configShowsThePortListAndWhyWritesNeedThePrimary() throws Exception {
        var c = ConfigFixture.load(home, Map.of("PGHOST", "db1,db2", "PGPORT", "5432,5433"));

        assertThat(c.settings()).anySatisfy(s -> {
            assertThat(s.key()).isEqualTo("primary.port");
            assertThat(s.displayValue()).isEqualTo("5432,5433");
        });
        assertThat(c.settings()).anySatisfy(s -> {
            assertThat(s.key()).isEqualTo("primary.target_session_attrs");
            assertThat(s.displayValue()).isEqualTo("read-write");
        });
    }

    @Test
    void thePasswordFileIsReadForEachHostInTurn() throws Exception {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "db2:5433:app:app:second\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));

        var p = ConfigFixture.load(home, Map.of("DATABASE_URL", "postgresql://app@db1:5432,db2:5433/app"))
                .primary().orElseThrow();
        assertThat(p.password()).isEqualTo("second");
    }

    @Test
    void aPasswordFileIgnoredForItsModeIsSaidOnceForAllHosts() throws Exception {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "*:*:*:*:secret\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r--r--"));

        var c = ConfigFixture.load(home, Map.of("PGHOST", "db1,db2,db3"));
        assertThat(c.primary().orElseThrow().password()).isNull();
        assertThat(c.warnings()).filteredOn(w -> w.contains("group or world access")).hasSize(1);
    }
}
