package dev.pgpulse.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mistyped command line is one line naming the problem and where help is, never the whole usage. Bounded:
 * were a bad number read as a good one, {@code agent} would serve until stopped.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UsageErrorsTest {
    private static final String PW = "S3cr3tPw";

    @TempDir
    Path home;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "config --no-such-flag                          | Unknown option: '--no-such-flag' | pgpulse config",
            "bench --seconds x                              | '--seconds'                      | pgpulse bench",
            "agent --port ٩١٨٧                              | is not a whole number (digits 0-9) | pgpulse agent",
            "loadtest --writes ٣ --concurrency 1 --report r | is not a whole number (digits 0-9) | pgpulse loadtest",
            "restore                                        | Missing required                 | pgpulse restore",
            "status postgresql://u:" + PW + "@h/db          | Unmatched argument               | pgpulse status",
            "status --url                                   | --url                            | pgpulse status",
            "nosuchcommand                                  | Unmatched argument               | pgpulse"})
    void oneLineNamesTheProblemAndPointsAtHelp(String args, String problem, String command) {
        CliRun r = CliRun.of(Map.of(), home, args.split(" "));

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).singleElement().asString().startsWith("pgpulse: ").contains(problem)
                .endsWith("; see `" + command + " --help`").doesNotContain(PW);
    }

    @org.junit.jupiter.api.Test
    void typosInTheEnvironmentWarnBadValuesAndEmptiesRefuse() {
        CliRun typo = CliRun.of(Map.of("PGPULSE_POOL_MAX_SISE", "20"), home, "config");
        CliRun level = CliRun.of(Map.of("PGPULSE_LOG_LEVEL", "LOUD"), home, "config");
        CliRun empty = CliRun.of(Map.of(), home, "config", "--set", "backup.dir=");
        CliRun device = CliRun.of(Map.of(), home, "config", "--config", "/dev/zero");

        assertThat(typo.code()).isZero();
        assertThat(typo.err().lines()).containsExactly("pgpulse: warning: PGPULSE_POOL_MAX_SISE is not a PgPulse setting; "
                + "did you mean PGPULSE_POOL_MAX_SIZE?");
        assertThat(level.code()).isEqualTo(2);
        assertThat(level.err().lines()).singleElement().asString().startsWith("pgpulse: configuration: PGPULSE_LOG_LEVEL = 'LOUD'");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err().lines()).singleElement().asString()
                .startsWith("pgpulse: configuration: backup.dir = '' (from flag --set backup.dir)");
        assertThat(device.code()).isEqualTo(2);
        assertThat(device.err().lines()).singleElement().asString()
                .startsWith("pgpulse: configuration: profile file /dev/zero is not a regular file");
    }

    /** A duration without a unit is exit 2 in one line with the fix; libpq's connect_timeout keeps its seconds. */
    @org.junit.jupiter.api.Test
    void aDurationWithoutAUnitIsRefusedExceptWherePostgresqlFixesTheUnit() {
        CliRun bare = CliRun.of(Map.of(), home, "config", "--set", "pool.connection_timeout=250");
        CliRun libpq = CliRun.of(Map.of("PGHOST", "db.example", "PGCONNECT_TIMEOUT", "10"), home, "config");

        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.err().lines()).singleElement().asString().isEqualTo("pgpulse: configuration: "
                + "primary.pool.connection_timeout = '250' (from flag --set pool.connection_timeout): has no unit; "
                + "write \"250s\" (seconds) or \"250ms\"");
        assertThat(libpq.code()).as(libpq.err()).isZero();
        assertThat(libpq.out().lines().filter(l -> l.contains("primary.connect_timeout"))).singleElement().asString()
                .contains("10s", "env PGCONNECT_TIMEOUT");
    }
}
