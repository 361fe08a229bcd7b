package dev.pgpulse.testing;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A tool the tests drive is missing: under CI the test fails (CI installs it), elsewhere it is skipped with why. */
class ToolsTest {
    private static final String MISSING = "pgpulse-no-such-tool";

    @Test
    void aMissingToolFailsUnderCiAndSkipsElsewhere() {
        assertThatThrownBy(() -> Tools.require(MISSING, "some-package", Map.of("CI", "true", "PATH", "/nonexistent")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("apt-get install some-package")
                .hasMessageContaining(".ci/run");
        assertThatThrownBy(() -> Tools.require(MISSING, "some-package", Map.of("PATH", "/nonexistent")))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining(MISSING + " not found");
        assertThatThrownBy(() -> Tools.require(MISSING, "some-package", Map.of("CI", "false", "PATH", "/nonexistent")))
                .isInstanceOf(TestAbortedException.class);
        assertThat(Tools.require("sh", "dash", Map.of("CI", "true", "PATH", "/bin:/usr/bin"))).isExecutable();
    }
}
