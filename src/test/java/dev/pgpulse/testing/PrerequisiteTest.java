package dev.pgpulse.testing;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A missing prerequisite skips a test on a developer's machine and fails it where every test must run. */
class PrerequisiteTest {

    @Test
    void aPresentPrerequisiteLetsTheTestRun() {
        assertThatCode(() -> Prerequisite.require(true, "anything")).doesNotThrowAnyException();
    }

    @Test
    void aMissingOneFailsWhenEveryTestMustRunAndSkipsOtherwise() {
        String before = System.getProperty(Prerequisite.PROPERTY);
        try {
            System.setProperty(Prerequisite.PROPERTY, "true");
            assertThatThrownBy(() -> Prerequisite.require(false, "Xvfb (apt-get install xvfb)"))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("missing on this machine: Xvfb (apt-get install xvfb)");
            System.setProperty(Prerequisite.PROPERTY, "false");
            // CI sets the environment variable, which this JVM cannot unset: there it fails all the same
            Class<? extends Throwable> expected = System.getenv("CI") != null && !System.getenv("CI").isBlank()
                    && !System.getenv("CI").equalsIgnoreCase("false")
                    ? AssertionFailedError.class : TestAbortedException.class;
            assertThatThrownBy(() -> Prerequisite.require(false, "Xvfb")).isInstanceOf(expected);
        } finally {
            if (before == null) {
                System.clearProperty(Prerequisite.PROPERTY);
            } else {
                System.setProperty(Prerequisite.PROPERTY, before);
            }
        }
    }
}
