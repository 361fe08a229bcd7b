package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** What of a URL a message may show: never a password, a token in the query or a fragment. */
class RedactTest {
    private static final String PW = "S3cr3tPw";

    @ParameterizedTest
    @ValueSource(strings = {
            "postgresql://u:" + PW,
            "postgresql://u:" + PW + "/db",
            "postgresql://u:" + PW + "?x",
            "postgresql://u:" + PW + "@h/db",
            "postgresql://u:a@" + PW + "@h/db",
            "postgresql://u:a/" + PW + "@h/db",
            "postgresql://h/db?password=" + PW,
            "jdbc:postgresql://h/db?user=a&password=" + PW,
            "https://hook.example/alerts?token=" + PW,
            "https://user:" + PW + "@hook.example/alerts",
            "https://" + PW + "@hook.example/alerts",
            "https://hook.example/alerts?" + PW,
            "https://hook.example/alerts#" + PW})
    void noPartThatMayBeASecretIsShown(String url) {
        assertThat(Redact.url(url)).doesNotContain(PW).contains(Redact.MASK);
        assertThat(Redact.urlsIn("failed for '" + url + "' just now")).doesNotContain(PW).endsWith("' just now");
    }

    @Test
    void whatIsNotSecretStays() {
        assertThat(Redact.url("postgresql://app:pw@db1:5432/orders?sslmode=require"))
                .isEqualTo("postgresql://app:********@db1:5432/orders?sslmode=********");
        assertThat(Redact.url("postgresql://app@[::1]:5432/orders")).isEqualTo("postgresql://app@[::1]:5432/orders");
        assertThat(Redact.url("https://u:p@hooks.example:8443/pgpulse?token=t&x=1"))
                .isEqualTo("https://********@hooks.example:8443/pgpulse?token=********&x=********");
        assertThat(Redact.url("http://127.0.0.1:9/hook")).isEqualTo("http://127.0.0.1:9/hook");
    }
}
