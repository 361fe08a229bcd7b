package dev.pgpulse.orchestration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A watched tool's stderr, as pg_dump --verbose writes it, reaches the watcher whole: every line, every character. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildProcessTest {

    private static List<String> watch(String script) throws Exception {
        List<String> lines = new ArrayList<>();
        ChildProcess.Watcher watcher = new ChildProcess.Watcher() {
            @Override
            public void line(String line) {
                lines.add(line);
            }

            @Override
            public void tick() {
            }
        };
        try (ChildProcess guard = ChildProcess.guard("pgpulse-test-exit")) {
            assertThat(guard.run(List.of("sh", "-c", script), Map.of(), false, null, watcher).exitCode()).isZero();
        }
        return lines;
    }

    @Test
    void moreThanAMebibyteWrittenJustBeforeExitIsAllPassedOn() throws Exception {
        // 3 MB in 50 000 lines of 60 bytes, written in one burst just before the tool exits (well inside one watch
        // interval): the last drain must read it all, not one buffer's worth
        List<String> lines = watch("head -c 3000000 /dev/zero | tr '\\0' x | fold -w 60 >&2");
        assertThat(lines).hasSize(50_000).allMatch(l -> l.equals("x".repeat(60)));
    }

    @Test
    void aCharacterSplitAcrossTwoReadsIsDecodedWhole() throws Exception {
        assumeTrue(Charset.defaultCharset().equals(StandardCharsets.UTF_8), "the JVM's charset is UTF-8");
        // one 'a' then two-byte characters: every 64 KiB read boundary falls inside one of them
        List<String> lines = watch("printf a >&2; i=0; while [ $i -lt 3000 ]; do "
                + "printf 'éééééééééééééééééééééééééééééééééééééééééééééééééééé' >&2; i=$((i+1)); done; "
                + "printf '\\nrelation «Bestellungen» done\\n' >&2");
        String all = String.join("", lines.subList(0, lines.size() - 1));
        assertThat(all).doesNotContain("\uFFFD").startsWith("aé");
        assertThat(all.chars().filter(c -> c == 'é').count()).isEqualTo(3000L * 52);
        assertThat(lines.getLast()).isEqualTo("relation «Bestellungen» done");
        assertThat(lines.subList(0, lines.size() - 1)).allMatch(l -> l.length() <= ChildProcess.StderrTail.MAX_LINE);
    }
}
