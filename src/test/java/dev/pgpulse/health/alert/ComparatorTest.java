package dev.pgpulse.health.alert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ComparatorTest {

    @ParameterizedTest(name = "{0}: below {1}, equal {2}, above {3}")
    @CsvSource({
            "GT, false, false, true",
            "GE, false, true,  true",
            "LT, true,  false, false",
            "LE, true,  true,  false",
            "EQ, false, true,  false",
            "NE, true,  false, true"})
    void truthTable(Comparator c, boolean below, boolean equal, boolean above) {
        assertThat(c.test(1, 2)).isEqualTo(below);
        assertThat(c.test(2, 2)).isEqualTo(equal);
        assertThat(c.test(3, 2)).isEqualTo(above);
    }

    @Test
    void aMissingSampleFiresNothing() {
        for (Comparator c : Comparator.values()) {
            assertThat(c.test(Double.NaN, 2)).as(c.name()).isFalse();
        }
    }

    @Test
    void jsonSpellings() {
        assertThat(Comparator.values()).extracting(Comparator::symbol)
                .containsExactly(">", ">=", "<", "<=", "==", "!=");
        for (Comparator c : Comparator.values()) {
            assertThat(Comparator.fromSymbol(c.symbol())).contains(c);
        }
        assertThat(Comparator.fromSymbol("=>")).isEmpty();
        assertThat(Comparator.fromSymbol("GT")).isEmpty();
        assertThat(Comparator.fromSymbol(null)).isEmpty();
    }

    @Test
    void severitiesAreLowerCaseInJson() {
        assertThat(Severity.values()).extracting(Severity::json).containsExactly("info", "warning", "critical");
        assertThat(Severity.fromJson("warning")).contains(Severity.WARNING);
        assertThat(Severity.fromJson("fatal")).isEmpty();
    }
}
