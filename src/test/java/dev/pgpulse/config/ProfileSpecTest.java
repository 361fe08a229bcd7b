package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the profiles dialog may save: each problem one line naming the field and the fix. */
class ProfileSpecTest {
    private static ProfileSpec spec(String name, String primary, List<String> replicas, Map<String, String> pool,
                                    String webhook) {
        return new ProfileSpec(name, primary, replicas, Environment.PRODUCTION, pool, webhook);
    }

    @Test
    void aCompleteProfileHasNoProblem() {
        var s = spec("prod-1.eu", "postgresql://ops@db1:5432/orders?sslmode=require",
                List.of("jdbc:postgresql://db2:5432/orders?user=ops", "postgresql://ops@db3/orders"),
                Map.of("max_size", "8", "connection_timeout", "5s"), "https://hooks.example.com/x");
        assertThat(s.problems()).isEmpty();
        assertThat(ProfileSpec.embedded("local").problems()).isEmpty();
        assertThat(new ProfileSpec("e", "  ", null, null, null, " ").isEmbedded()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "-x", "has space", "ümlaut", "a/b"})
    void badNamesAreRefused(String name) {
        assertThat(ProfileSpec.embedded(name).problems()).singleElement().asString().startsWith("name");
    }

    @Test
    void aNameOver64CharactersIsRefusedAnd64IsFine() {
        assertThat(ProfileSpec.embedded("a".repeat(64)).problems()).isEmpty();
        assertThat(ProfileSpec.embedded("a".repeat(65)).problems()).singleElement().asString()
                .contains("at most 64");
    }

    @Test
    void aPasswordInAnyUrlIsAProblemThatNamesWherePasswordsComeFrom() {
        var s = spec("p", "postgresql://ops:hunter2@db1/orders", List.of("jdbc:postgresql://db2/orders?password=hunter2"),
                Map.of(), null);
        assertThat(s.problems()).hasSize(2).allSatisfy(p -> assertThat(p)
                .doesNotContain("hunter2")
                .contains("remove the password from the URL; PgPulse takes it from ~/.pgpass, PGPASSWORD, or asks at "
                        + "connect and keeps it in memory"));
        assertThat(s.problems().get(0)).startsWith("primary URL");
        assertThat(s.problems().get(1)).startsWith("replica URL 1");
        assertThat(s.toString()).doesNotContain("hunter2");
    }

    @Test
    void urlsMustBePostgresUrlsWithAHost() {
        assertThat(spec("p", "mysql://db1/x", List.of(), Map.of(), null).problems()).singleElement().asString()
                .startsWith("primary URL 'mysql://db1/x': not a PostgreSQL URL; expected postgresql://");
        assertThat(spec("p", "postgresql:///orders", List.of(), Map.of(), null).problems()).singleElement().asString()
                .contains("names no host");
        assertThat(spec("p", "postgresql://db1/x", List.of("postgresql://a,b/x"), Map.of(), null).problems())
                .singleElement().asString().startsWith("replica URL 1").contains("several hosts", "a replica is one server");
        assertThat(spec("p", "postgresql://db1,db2/x", List.of(), Map.of(), null).problems()).isEmpty();
        assertThat(spec("p", "postgresql://db1/x", List.of("postgresql:///x"), Map.of(), null).problems())
                .singleElement().asString().startsWith("replica-1.url").contains("names no host");
    }

    @Test
    void replicasNeedAPrimary() {
        assertThat(new ProfileSpec("p", null, List.of("postgresql://db2/x"), null, Map.of(), null).problems())
                .singleElement().asString().contains("replicas need a primary");
    }

    @Test
    void poolValuesAndTheWebhookAreCheckedAsTheConfigurationChecksThem() {
        var s = spec("p", "postgresql://db1/x", List.of(), Map.of("max_size", "0", "connection_timeout", "5",
                "max_sise", "3"), "ftp://hooks.example.com/T0K3N");
        assertThat(s.problems()).anySatisfy(p -> assertThat(p).startsWith("primary.pool.max_size = '0'")
                        .contains("expected a whole number from 1 to"))
                .anySatisfy(p -> assertThat(p).startsWith("primary.pool.connection_timeout = '5'")
                        .contains("has no unit"))
                .anySatisfy(p -> assertThat(p).contains("pool.max_sise: unknown field"))
                .anySatisfy(p -> assertThat(p).startsWith("alerts.webhook_url").contains("http:// or https://"))
                .allSatisfy(p -> assertThat(p).doesNotContain("T0K3N").doesNotContain("\n"));
    }

    @Test
    void tooManyReplicasIsAProblem() {
        List<String> replicas = java.util.stream.IntStream.rangeClosed(1, Keys.MAX_REPLICAS + 1)
                .mapToObj(i -> "postgresql://r" + i + "/x").toList();
        assertThat(spec("p", "postgresql://db1/x", replicas, Map.of(), null).problems()).singleElement().asString()
                .contains("at most " + Keys.MAX_REPLICAS + " replicas");
    }

    @Test
    void softValuesAreWarnings() {
        var s = spec("p", "postgresql://db1/x", List.of(), Map.of("idle_timeout", "5s"), null);
        assertThat(s.problems()).isEmpty();
        assertThat(s.warnings()).anySatisfy(w -> assertThat(w).contains("idle_timeout 5s is below 10s"));
    }

    @Test
    void toStringMasksTheWebhooksToken() {
        assertThat(spec("p", "postgresql://db1/x", List.of(), Map.of(), "https://hooks.example.com/T0K3N?k=v")
                .toString()).doesNotContain("T0K3N").contains("hooks.example.com");
    }
}
