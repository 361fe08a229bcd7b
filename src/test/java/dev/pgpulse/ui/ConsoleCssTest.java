package dev.pgpulse.ui;

import javafx.css.CssParser;
import javafx.css.Rule;
import javafx.css.Selector;
import javafx.css.Stylesheet;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * console.css is written by several panes' blocks, merged by hand: a block that loses its closing brace swallows every
 * rule after it without a word at run time (the Alerts tab's silenced rows stayed white that way).
 */
class ConsoleCssTest {

    @Test
    void theStylesheetParsesWithoutErrorsAndKeepsEveryPanesRules() throws IOException {
        URL css = ConsoleWindow.class.getResource("console.css");
        CssParser.errorsProperty().clear();
        Stylesheet sheet = new CssParser().parse(css);
        assertThat(CssParser.errorsProperty()).as("parse errors").isEmpty();
        List<String> selectors = sheet.getRules().stream().map(Rule::getSelectors).flatMap(List::stream)
                .map(Selector::toString).toList();
        // the last rule of each Alerts-tab block, so a block cut short by the one before it is seen
        assertThat(selectors).contains(
                selector(".preview-state-cell:pending"),
                selector(".rules-pane .table-row-cell:firing:selected .table-cell"),
                selector(".alert-list-pane .table-row-cell:silenced .table-cell"),
                selector(".field-problem"),
                selector(".sql-area .sql-error"),
                selector(".cell-viewer-text.null-value"),
                selector(".plan-view .tree-table-row-cell .plan-misestimate-cell:severe"));
    }

    private static String selector(String text) throws IOException {
        return new CssParser().parse(text + " { -fx-opacity: 1; }").getRules().getFirst().getSelectors().getFirst()
                .toString();
    }
}
