package dev.pgpulse.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' {@code promtool} (Debian's {@code prometheus} package, a {@link Prerequisite} through {@link Tools}):
 * {@code check rules} on a rules file and {@code test rules} on a unit-test file, run in the file's folder.
 */
public final class Promtool {
    /** Its exit code and what it printed (stdout and stderr together). */
    public record Run(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    private final Path binary;

    private Promtool(Path binary) {
        this.binary = binary;
    }

    /** promtool, or the test fails (CI) or is skipped (elsewhere). */
    public static Promtool require() {
        return new Promtool(Tools.require("promtool", "prometheus"));
    }

    /** {@code promtool check rules FILE}. */
    public Run checkRules(Path rules) throws IOException, InterruptedException {
        return run(rules.toAbsolutePath().getParent(), "check", "rules", rules.toAbsolutePath().toString());
    }

    /** {@code promtool test rules FILE}; the file's {@code rule_files} are found beside it. */
    public Run testRules(Path tests) throws IOException, InterruptedException {
        return run(tests.toAbsolutePath().getParent(), "test", "rules", tests.getFileName().toString());
    }

    /** Writes the rules and the unit tests side by side in {@code dir} and runs {@code test rules} on them. */
    public Run testRules(Path dir, String rulesYaml, String testsYaml) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("rules.yml"), rulesYaml, StandardCharsets.UTF_8);
        Path tests = dir.resolve("tests.yml");
        Files.writeString(tests, testsYaml, StandardCharsets.UTF_8);
        return testRules(tests);
    }

    private Run run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 60 s:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }
}
