package dev.pgpulse.health.alert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class OperatorTest {

    @ParameterizedTest(name = "{0}: below {1}, equal {2}, above {3}")
    @CsvSource({
            "GT, false, false, true",
            "GE, false, true,  true",
            "LT, true,  false, false",
            "LE, true,  true,  false",
            "EQ, false, true,  false",
            "NE, true,  false, true"})
    void truthTable(Operator op, boolean below, boolean equal, boolean above) {
        assertThat(op.test(1, 2)).isEqualTo(below);
        assertThat(op.test(2, 2)).isEqualTo(equal);
        assertThat(op.test(3, 2)).isEqualTo(above);
    }

    @Test
    void aMissingSampleFiresNothing() {
        for (Operator op : Operator.values()) {
            assertThat(op.test(Double.NaN, 2)).as(op.name()).isFalse();
        }
    }

    @Test
    void jsonSpellings() {
        assertThat(Operator.values()).extracting(Operator::symbol)
                .containsExactly(">", ">=", "<", "<=", "==", "!=");
        for (Operator op : Operator.values()) {
            assertThat(Operator.fromSymbol(op.symbol())).contains(op);
        }
        assertThat(Operator.fromSymbol("=>")).isEmpty();
        assertThat(Operator.fromSymbol("GT")).isEmpty();
        assertThat(Operator.fromSymbol(null)).isEmpty();
    }

    @Test
    void severitiesAreLowerCaseInJson() {
        assertThat(Severity.values()).extracting(Severity::json).containsExactly("info", "warning", "critical");
        assertThat(Severity.fromJson("warning")).contains(Severity.WARNING);
        assertThat(Severity.fromJson("fatal")).isEmpty();
    }
}
