package dev.pgpulse.cli;

import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.PrometheusRules;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.Promtool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pgpulse alerts export} end to end, in process: what it reads, what it writes, and its refusals (exit 2). */
@Timeout(60)
class AlertsCommandTest {
    @TempDir
    Path home;

    private CliRun run(String... args) {
        return CliRun.of(Map.of(), home, args);
    }

    private static final AlertRule QUIET = new AlertRule("quiet", "Calls: \"many\"", "service.calls_in_flight", Operator.GT,
            50, Duration.ofSeconds(10), Severity.INFO, false);
    private static final AlertRule BUSY = new AlertRule("busy", "Pool busy", "pool.*.usage_ratio", Operator.GE, 0.9,
            Duration.ofMinutes(2), Severity.CRITICAL, true);

    @Test
    void withoutARulesFileTheDefaultRulesGoToStandardOutput() {
        CliRun r = run("alerts", "export", "--format", "prometheus");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(PrometheusRules.export(DefaultRules.all(), false).yaml());
        assertThat(r.err()).isEmpty();
        assertThat(home.resolve(".config")).doesNotExist();
    }

    @Test
    void theAppsRulesFileIsReadAndDisabledRulesAreSkippedUnlessAskedFor() throws Exception {
        Path file = Orchestrator.Options.alertRulesFile(home);
        new AlertRuleStore(file).save(List.of(QUIET, BUSY));

        CliRun r = run("alerts", "export", "--format", "prometheus");
        CliRun all = run("alerts", "export", "--format", "prometheus", "--include-disabled", "--output", "-");

        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(PrometheusRules.export(List.of(QUIET, BUSY), false).yaml())
                .contains("# skipped: rule 'quiet' is disabled").contains("alert: \"PgPulseBusy\"");
        assertThat(r.err().lines()).containsExactly("pgpulse: alerts export: skipped rule 'quiet': is disabled "
                + "(export it with --include-disabled)");
        assertThat(all.code()).isZero();
        assertThat(all.out()).isEqualTo(PrometheusRules.export(List.of(QUIET, BUSY), true).yaml())
                .contains("alert: \"PgPulseQuiet\"");
        assertThat(all.err()).isEmpty();
    }

    @Test
    void anOutputFileIsWrittenAtomicallyOwnerOnlyAndPromtoolAcceptsIt() throws Exception {
        Path rules = home.resolve("team-rules.json");
        new AlertRuleStore(rules).save(List.of(QUIET, BUSY));
        Path out = home.resolve("prometheus").resolve("pgpulse.yml");

        CliRun r = run("alerts", "export", "--format", "prometheus", "--rules", rules.toString(), "--output", out.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out)).isEqualTo(PrometheusRules.export(List.of(QUIET, BUSY), false).yaml());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(r.out().lines()).containsExactly("Wrote 1 Prometheus rule(s) from " + rules + " to " + out
                + " (1 skipped); check it with `promtool check rules " + out + "`");
        assertThat(r.err().lines()).singleElement().asString().contains("skipped rule 'quiet'");
        try (var files = Files.list(out.getParent())) {
            assertThat(files).as("no temp file left").containsExactly(out);
        }
        Promtool.Run check = Promtool.require().checkRules(out);
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 1 rules found");

        // exported again over a file made readable for the Prometheus server: replaced, its mode kept
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
        CliRun again = run("alerts", "export", "--format", "prometheus", "--rules", rules.toString(),
                "--include-disabled", "--output", out.toString());
        assertThat(again.code()).isZero();
        assertThat(Files.readString(out)).contains("PgPulseQuiet");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-r--r--");
    }

    @Test
    void anUnknownFormatIsOneLineAndExit2() {
        CliRun r = run("alerts", "export", "--format", "json");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).containsExactly("pgpulse: alerts export: --format 'json' is not a format PgPulse "
                + "exports; the one there is: prometheus");
    }

    @Test
    void aMissingFormatOrActionIsOneLineAndExit2() {
        CliRun noFormat = run("alerts", "export");
        CliRun noAction = run("alerts");
        CliRun typo = run("alerts", "exprot");

        assertThat(noFormat.code()).isEqualTo(2);
        assertThat(noFormat.err().lines()).singleElement().asString().startsWith("pgpulse: Missing required option")
                .contains("--format").endsWith("; see `pgpulse alerts export --help`");
        assertThat(noAction.code()).isEqualTo(2);
        assertThat(noAction.err().lines()).containsExactly("pgpulse: alerts: say what to do, e.g. "
                + "`pgpulse alerts export --format prometheus`; see `pgpulse alerts --help`");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err().lines()).singleElement().asString().contains("exprot")
                .endsWith("; see `pgpulse alerts --help`");
    }

    @Test
    void aBadRulesFileIsOneLineAndExit2AndIsLeftWhereItIs() throws Exception {
        Path notJson = home.resolve("broken.json");
        Files.writeString(notJson, "{ not json");
        Path badRule = home.resolve("bad.json");
        Files.writeString(badRule, """
                {"schemaVersion": 1, "rules": [{"id": "x", "name": "X", "metric": "pool.*.nope", "comparator": ">",
                 "threshold": 1, "severity": "warning"}]}""");

        CliRun broken = run("alerts", "export", "--format", "prometheus", "--rules", notJson.toString());
        CliRun bad = run("alerts", "export", "--format", "prometheus", "--rules", badRule.toString());
        CliRun missing = run("alerts", "export", "--format", "prometheus", "--rules", home.resolve("nope.json").toString());

        assertThat(broken.code()).isEqualTo(2);
        assertThat(broken.out()).isEmpty();
        assertThat(broken.err().lines()).singleElement().asString()
                .startsWith("pgpulse: alerts export: alert rules file " + notJson).contains("not valid JSON");
        assertThat(Files.readString(notJson)).isEqualTo("{ not json");
        try (var files = Files.list(home)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".broken-"));
        }
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().lines()).singleElement().asString().startsWith("pgpulse: alerts export: ")
                .contains("'x'").contains("pool.*.nope");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().lines()).singleElement().asString()
                .startsWith("pgpulse: alerts export: --rules " + home.resolve("nope.json") + " does not exist");
    }

    @Test
    void anOutputThatCannotBeAFileIsRefused() throws Exception {
        Path folder = Files.createDirectory(home.resolve("rules.d"));
        Path aFile = Files.writeString(home.resolve("plain"), "x");

        CliRun dir = run("alerts", "export", "--format", "prometheus", "--output", folder.toString());
        CliRun blank = run("alerts", "export", "--format", "prometheus", "--output", " ");
        CliRun under = run("alerts", "export", "--format", "prometheus", "--output", aFile.resolve("r.yml").toString());

        assertThat(dir.code()).isEqualTo(2);
        assertThat(dir.err().lines()).containsExactly("pgpulse: alerts export: --output " + folder
                + " is a folder; give a file in it, such as " + folder.resolve("pgpulse-rules.yml"));
        assertThat(blank.code()).isEqualTo(2);
        assertThat(blank.err().lines()).singleElement().asString().contains("--output is empty");
        assertThat(under.code()).isEqualTo(1);
        assertThat(under.err().lines()).singleElement().asString()
                .startsWith("pgpulse: alerts export: cannot write " + aFile.resolve("r.yml"));
        assertThat(Files.readString(aFile)).isEqualTo("x");
    }

    @Test
    void aFifoAsOutputIsRefusedAndLeftWhereItIs() throws Exception {
        Path fifo = dev.pgpulse.testing.OddFiles.fifo(home.resolve("rules.pipe"));

        CliRun pipe = run("alerts", "export", "--format", "prometheus", "--output", fifo.toString());
        // no /dev/null here: a regression run as root would replace it with a regular file

        assertThat(pipe.code()).isEqualTo(2);
        assertThat(pipe.err().lines()).containsExactly("pgpulse: alerts export: --output " + fifo + " is not a regular "
                + "file (a device, FIFO or socket), which an export would replace; give a regular file instead (or - for "
                + "standard output, and redirect it)");
        assertThat(Files.isRegularFile(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("still a FIFO").isFalse();
        assertThat(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    @Test
    void aSymlinkAsOutputIsWrittenThroughAndStaysALink() throws Exception {
        Path real = Files.writeString(Files.createDirectories(home.resolve("checkout")).resolve("pgpulse.yml"), "old\n");
        Path link = dev.pgpulse.testing.OddFiles.link(home.resolve("rules.d").resolve("pgpulse.yml"), real);
        Path dangling = dev.pgpulse.testing.OddFiles.link(home.resolve("rules.d").resolve("gone.yml"),
                home.resolve("nowhere.yml"));

        CliRun r = run("alerts", "export", "--format", "prometheus", "--output", link.toString());
        CliRun toNowhere = run("alerts", "export", "--format", "prometheus", "--output", dangling.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).as("the link is kept").isTrue();
        assertThat(Files.readString(real)).isEqualTo(PrometheusRules.export(DefaultRules.all(), false).yaml());
        assertThat(toNowhere.code()).isEqualTo(2);
        assertThat(toNowhere.err().lines()).singleElement().asString().contains("is a symbolic link to")
                .contains("which does not exist");
        assertThat(Files.isSymbolicLink(dangling)).isTrue();
        assertThat(home.resolve("nowhere.yml")).doesNotExist();
    }
}
