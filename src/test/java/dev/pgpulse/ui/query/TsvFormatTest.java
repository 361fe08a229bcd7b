package dev.pgpulse.ui.query;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TsvFormatTest {

    @Test
    void rowsAreTabSeparatedWithNullEmptyAndTabsLineBreaksAndBackslashesEscapedAsCopyDoes() {
        List<String[]> rows = List.of(new String[]{"1", null, ""}, new String[]{"a\tb", "line1\nline2\r", "C:\\x"});
        assertThat(TsvFormat.format(List.of("id", "note", "path"), rows))
                .isEqualTo("id\tnote\tpath\n1\t\t\na\\tb\tline1\\nline2\\r\tC:\\\\x\n");
        assertThat(TsvFormat.format(null, List.<String[]>of(new String[]{"x"}))).isEqualTo("x\n");
        // each line has as many fields as columns, whatever the values hold
        String tsv = TsvFormat.format(null, rows);
        assertThat(Arrays.stream(tsv.split("\n")).map(l -> l.split("\t", -1).length)).containsOnly(3);
    }
}
