package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

class ConnectionUriTest {
    @TempDir
    Path home;

    @ParameterizedTest
    @ValueSource(strings = {"postgres://app:pw@db1.example:6432/orders", "postgresql://app:pw@db1.example:6432/orders",
            "POSTGRESQL://app:pw@db1.example:6432/orders"})
    void libpqSchemesGiveEveryAuthorityPart(String url) {
        assertThat(ConnectionUri.parse(url).parts()).containsOnly(entry("user", "app"), entry("password", "pw"),
                entry("host", "db1.example"), entry("port", "6432"), entry("database", "orders"));
    }

    @Test
    void libpqQueryParametersMapToOurKeys() {
        var parsed = ConnectionUri.parse("postgresql://h/db?sslmode=verify-full&application_name=my%20app"
                + "&connect_timeout=7&dbname=other&user=u2&port=7000&host=h2");

        assertThat(parsed.parts()).containsOnly(entry("host", "h2"), entry("port", "7000"), entry("database", "other"),
                entry("user", "u2"), entry("sslmode", "verify-full"), entry("application_name", "my app"),
                entry("connect_timeout", "7"));
        assertThat(parsed.warnings()).isEmpty();
    }

    @Test
    void percentEscapesAreDecodedInUserPasswordAndDatabaseButPlusStaysLiteral() {
        var parts = ConnectionUri.parse("postgresql://us%40er:p%3Aw%2Fd+x%25@h/my%2Ddb").parts();

        assertThat(parts).contains(entry("user", "us@er"), entry("password", "p:w/d+x%"), entry("database", "my-db"));
    }

    @Test
    void userWithoutPasswordAndEmptyPasswordAreDistinguished() {
        assertThat(ConnectionUri.parse("postgresql://app@h/db").parts()).containsEntry("user", "app")
                .doesNotContainKey("password");
        assertThat(ConnectionUri.parse("postgresql://app:@h/db").parts()).containsEntry("password", "");
    }

    @Test
    void bracketedIpv6HostLosesItsBrackets() {
        assertThat(ConnectionUri.parse("postgresql://[::1]:5433/db").parts())
                .contains(entry("host", "::1"), entry("port", "5433"));
        assertThat(ConnectionUri.parse("jdbc:postgresql://[fe80::1]/db").parts()).containsEntry("host", "fe80::1");
    }

    @Test
    void urlWithoutHostOrDatabaseLeavesThemOut() {
        // libpq reads "postgresql:///db" as "the default host": the PG* variables must still be able to fill it.
        assertThat(ConnectionUri.parse("postgresql:///db").parts()).containsOnly(entry("database", "db"));
        assertThat(ConnectionUri.parse("postgresql://h").parts()).containsOnly(entry("host", "h"));
    }

    @Test
    void jdbcUrlPropertiesMapToOurKeysIgnoringCase() {
        var parsed = ConnectionUri.parse("jdbc:postgresql://db1:5433/orders?user=app&password=pw&SSLMODE=require"
                + "&ApplicationName=console&connectTimeout=4");

        assertThat(parsed.parts()).containsOnly(entry("host", "db1"), entry("port", "5433"), entry("database", "orders"),
                entry("user", "app"), entry("password", "pw"), entry("sslmode", "require"),
                entry("application_name", "console"), entry("connect_timeout", "4"));
    }

    @Test
    void unknownJdbcPropertyIsIgnoredWithAWarningNamingIt() {
        var parsed = ConnectionUri.parse("jdbc:postgresql://db1/orders?tcpKeepAlive=true");

        assertThat(parsed.parts()).doesNotContainKey("tcpKeepAlive");
        assertThat(parsed.warnings()).singleElement().asString().contains("'tcpKeepAlive'", "ignored");
    }

    @Test
    void unknownLibpqParameterIsRejectedNamingItAndTheSupportedOnes() {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionUri.parse("postgresql://h/db?keepalives=1"))
                .withMessageContaining("'keepalives'").withMessageContaining("sslmode")
                .withMessageContaining("target_session_attrs");
    }

    @Test
    void severalHostsComeOutAsLibpqListsOfHostsAndPorts() {
        assertThat(ConnectionUri.parse("postgresql://app@db1:5432,db2:5433/app").parts()).containsOnly(
                entry("user", "app"), entry("host", "db1,db2"), entry("port", "5432,5433"), entry("database", "app"));
        assertThat(ConnectionUri.parse("jdbc:postgresql://db1:5432,db2:5433/app").parts()).containsOnly(
                entry("host", "db1,db2"), entry("port", "5432,5433"), entry("database", "app"));
        // a host without a port is an empty entry (libpq's default port); no port at all leaves the port out
        assertThat(ConnectionUri.parse("postgresql://db1,[::1]:5433/app").parts())
                .contains(entry("host", "db1,::1"), entry("port", ",5433"));
        assertThat(ConnectionUri.parse("postgresql://db1,db2/app").parts()).containsEntry("host", "db1,db2")
                .doesNotContainKey("port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://h1,,h2/db", "postgresql://h1,:5432/db", "postgresql://,h2/db"})
    void anEmptyHostInAListIsRefused(String url) {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionUri.parse(url))
                .withMessageContaining("several hosts with an empty one");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://a%2Cb/db", "postgresql://h1,a%2Cb:5432/db"})
    void anEncodedCommaInAHostIsRefusedRatherThanReadAsAList(String url) {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionUri.parse(url))
                .withMessageContaining("a host name holding a comma");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://h1,h2/db?target_session_attrs=read-write",
            "postgresql://h1,h2/db?target_session_attrs=primary", "postgresql://h/db?target_session_attrs=Read-Write",
            "jdbc:postgresql://h1,h2/db?targetServerType=primary", "jdbc:postgresql://h1,h2/db?targetServerType=master"})
    void readWriteAndPrimaryAreOneTargetSessionAttrs(String url) {
        var parsed = ConnectionUri.parse(url);
        assertThat(parsed.parts()).containsEntry(ConnectionUri.TARGET_SESSION_ATTRS, "read-write");
        assertThat(parsed.warnings()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://h1,h2/db?target_session_attrs=any",
            "postgresql://h1,h2/db?target_session_attrs=standby", "postgresql://h/db?target_session_attrs=read-only",
            "jdbc:postgresql://h1,h2/db?targetServerType=preferSecondary"})
    void otherTargetSessionAttrsAreRefusedSayingWhy(String url) {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionUri.parse(url))
                .withMessageContaining("the primary endpoint takes writes").withMessageContaining("read-write or primary")
                .withMessageContaining("DATABASE_READ_URLS");
    }

    @Test
    void aHostListFormatsAndParsesBack() {
        var parts = Map.of("host", "db1,db2", "port", "5432,5433", "database", "app", "user", "app",
                ConnectionUri.TARGET_SESSION_ATTRS, "read-write");
        String url = ConnectionUri.format(parts);

        assertThat(url).isEqualTo("postgresql://app@db1:5432,db2:5433/app?target_session_attrs=read-write");
        assertThat(ConnectionUri.parse(url).parts()).isEqualTo(parts);
        assertThat(ConnectionUri.format(Map.of("host", "db1,db2", "port", "6432"))).isEqualTo("postgresql://db1:6432,db2:6432");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nonsense", "mysql://h/db", "http://h/db", ""})
    void otherTextIsNotAPostgresUrl(String url) {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionUri.parse(url))
                .withMessage("not a PostgreSQL URL");
    }

    /** A '#' starts the fragment, which the patterns leave out: it was "not a PostgreSQL URL", which it is. */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql://u:pa#Zq9w@h/db", "postgres://h/db#Zq9w", "jdbc:postgresql://h/db?password=a#Zq9w"})
    void aHashIsExplainedAsTheFragmentItStarts(String url) {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionUri.parse(url))
                .withMessageContaining("'#'").withMessageContaining("%23").withMessageNotContaining("Zq9w");
    }

    @Test
    void malformedPercentEscapeIsExplained() {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionUri.parse("postgresql://u:100%@h/db"))
                .withMessageContaining("percent-escape");
    }

    @Test
    void maskHidesUserinfoAndQueryPasswords() {
        assertThat(ConnectionUri.mask("postgresql://app:s3cr3t@h/db")).isEqualTo("postgresql://app:********@h/db");
        assertThat(ConnectionUri.mask("jdbc:postgresql://h/db?user=a&password=s3cr3t&sslmode=require"))
                .isEqualTo("jdbc:postgresql://h/db?user=********&password=********&sslmode=********");
        assertThat(ConnectionUri.mask("postgresql://app@h/db")).isEqualTo("postgresql://app@h/db");
    }

    @Test
    void loadedFromDatabaseUrlTheEndpointCarriesEveryPart() throws Exception {
        var config = ConfigFixture.load(home, Map.of("DATABASE_URL",
                "postgresql://app:pw@[::1]:6543/orders?sslmode=REQUIRE&application_name=batch&connect_timeout=3"));

        var primary = config.primary().orElseThrow();
        assertThat(primary.host()).isEqualTo("::1");
        assertThat(primary.port()).isEqualTo(6543);
        assertThat(primary.sslMode()).as("sslmode is case-insensitive, as in libpq").isEqualTo("require");
        assertThat(primary.applicationName()).isEqualTo("batch");
        assertThat(primary.connectTimeout()).hasSeconds(3);
        assertThat(primary.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:6543/orders");
        assertThat(primary.displayTarget()).as("an IPv6 address in brackets, as a URL writes it")
                .isEqualTo("app@[::1]:6543/orders");
    }

    @Test
    void formatWritesALibpqUriThatParsesBackToTheSamePartsWithoutThePassword() {
        var parts = new java.util.LinkedHashMap<String, String>();
        parts.put("user", "ops team@eu");
        parts.put("host", "::1");
        parts.put("port", "6432");
        parts.put("database", "orders 50%+x");
        parts.put("sslmode", "require");
        parts.put("application_name", "pulse prod");
        parts.put("connect_timeout", "5");
        String url = ConnectionUri.format(parts);
        assertThat(url).startsWith("postgresql://ops%20team%40eu@[::1]:6432/");
        assertThat(ConnectionUri.parse(url).parts()).isEqualTo(parts);

        parts.put("password", "hunter2");
        assertThat(ConnectionUri.format(parts)).doesNotContain("hunter2");
        assertThat(ConnectionUri.format(java.util.Map.of("host", "db1"))).isEqualTo("postgresql://db1");
    }
}
