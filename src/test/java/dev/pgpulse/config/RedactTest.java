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
            // An '@' inside a query value or fragment is not the end of the user info.
            "postgresql://h/db?password=" + PW + "@x",
            "postgresql://h/db?password=x@" + PW,
            "postgresql://u@h:x/db?password=p@" + PW,
            "jdbc:postgresql://h:x/db?user=u&password=pp@" + PW,
            "jdbc:postgresql://h/db?password=p:q@" + PW,
            "jdbc:postgresql:db?password=p@" + PW,
            "postgresql://h/db#p@" + PW})
    void noPartThatMayBeASecretIsShown(String url) {
        assertThat(Redact.url(url)).doesNotContain(PW).contains(Redact.MASK);
        assertThat(Redact.urlsIn("failed for '" + url + "' just now")).doesNotContain(PW).endsWith("' just now");
    }

    /** Slack, Discord, Teams and Mattermost put the token in the path; others in the query or user info. */
    @ParameterizedTest
    @ValueSource(strings = {
            "https://hooks.slack.com/services/T000/B000/" + PW,
            "https://discord.com/api/webhooks/123456/" + PW,
            "https://acme.webhook.office.com/webhookb2/" + PW + "/IncomingWebhook/x/y",
            "https://chat.example/hooks/" + PW,
            "https://hooks.slack.com/services/T000/B000/" + PW + "?x=1",
            "https://hook.example/alerts?token=" + PW,
            "https://user:" + PW + "@hook.example/alerts",
            "https://" + PW + "@hook.example/alerts",
            "https://hook.example/alerts?" + PW,
            "https://hook.example/alerts#" + PW,
            "HTTPS://hook.example" + "/" + PW})
    void aWebhookShowsOnlySchemeHostAndPort(String url) {
        assertThat(Redact.webhook(url)).isEqualTo("https://hook.example/\u2026".replace("hook.example",
                java.net.URI.create(url).getHost()));
        assertThat(Redact.url(url)).as("an http(s) URL is a webhook wherever it is").isEqualTo(Redact.webhook(url));
        assertThat(Redact.urlsIn("webhook " + url + " answered HTTP 404")).doesNotContain(PW)
                .isEqualTo("webhook " + Redact.webhook(url) + " answered HTTP 404");
    }

    @Test
    void aWebhookKeepsItsPortAndABarePath() {
        assertThat(Redact.webhook("http://hook:" + PW + "@127.0.0.1:8080/hook/" + PW)).isEqualTo("http://127.0.0.1:8080/\u2026");
        assertThat(Redact.webhook("https://[::1]:8443/x")).isEqualTo("https://[::1]:8443/\u2026");
        assertThat(Redact.webhook(" https://hooks.example/ ")).isEqualTo("https://hooks.example/");
        assertThat(Redact.webhook("https://hooks.example")).isEqualTo("https://hooks.example");
        assertThat(Redact.webhook(java.net.URI.create("https://hooks.example:443/a?b#c"))).isEqualTo("https://hooks.example:443/\u2026");
    }

    /** A webhook URL that is wrong is in a problem: its host stays if it can be read, nothing of its path does. */
    @ParameterizedTest
    @ValueSource(strings = {
            "ftp://hooks.example/services/T000/B000/" + PW,
            "hooks.example/services/T000/B000/" + PW,
            "https://hooks.example/services/T000/B000/" + PW + " with a space",
            "https://hooks.example/services/%zz/" + PW,
            "https://u:" + PW + "@hooks.example/x y",
            "https://u:a/" + PW + "@hooks.example/x y",
            "https://u:" + PW,
            "mailto:" + PW})
    void aBrokenWebhookShowsNoPathOrUserInfo(String url) {
        String shown = Redact.webhook(url);
        assertThat(shown).doesNotContain(PW).doesNotContain("T000").doesNotContain("services");
        assertThat(shown).satisfiesAnyOf(s -> assertThat(s).contains("hooks.example"), s -> assertThat(s).contains(Redact.MASK));
    }

    @Test
    void whatIsNotSecretStays() {
        assertThat(Redact.url("postgresql://app:pw@db1:5432/orders?sslmode=require"))
                .isEqualTo("postgresql://app:********@db1:5432/orders?sslmode=********");
        assertThat(Redact.url("postgresql://app@[::1]:5432/orders")).isEqualTo("postgresql://app@[::1]:5432/orders");
        assertThat(Redact.url("postgresql://app@db1/orders,archive")).isEqualTo("postgresql://app@db1/orders,archive");
        assertThat(Redact.urlsIn("cannot reach jdbc:postgresql://db1:5432/orders?user=app&password=pw"))
                .isEqualTo("cannot reach jdbc:postgresql://db1:5432/orders?user=********&password=********");
    }
}
