package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryColumn;
import org.junit.jupiter.api.Test;

import java.sql.Types;

import static org.assertj.core.api.Assertions.assertThat;

class CellTextTest {
    private static final QueryColumn TEXT = new QueryColumn("note", "text", Types.VARCHAR);
    private static final QueryColumn BYTEA = new QueryColumn("raw", "bytea", Types.BINARY);
    private static final QueryColumn JSONB = new QueryColumn("doc", "jsonb", Types.OTHER);

    @Test
    void nullIsMarkedEmptyStaysEmptyAndLongOrMultiLineTextIsOneShortLine() {
        assertThat(CellText.cell(TEXT, null)).isEqualTo("NULL");
        assertThat(CellText.cell(TEXT, "")).isEmpty();
        assertThat(CellText.cell(TEXT, "a\nb\tc")).isEqualTo("a↵b c");
        String cut = CellText.cell(TEXT, "x".repeat(10_000));
        assertThat(cut).hasSize(CellText.CELL_CHARS + 1).endsWith("…");
        assertThat(CellText.full(TEXT, "a\nb")).isEqualTo("a\nb");
    }

    @Test
    void byteaShowsItsFirst32BytesAndItsSize() {
        String hex = "\\x" + "ab".repeat(100);
        assertThat(CellText.cell(BYTEA, hex)).isEqualTo("\\x" + "ab".repeat(32) + "… (100 bytes)");
        assertThat(CellText.cell(BYTEA, "\\x00ff")).isEqualTo("\\x00ff");
        assertThat(CellText.describe(BYTEA, hex)).isEqualTo("raw (bytea): 100 bytes");
        assertThat(CellText.full(BYTEA, hex)).isEqualTo(hex);
    }

    @Test
    void jsonIsPrettyPrintedInTheViewerWithExactNumbersAndKeyOrder() {
        String pretty = CellText.full(JSONB, "{\"b\": [1, 2], \"a\": 0.1000000000000000055}");
        assertThat(pretty).isEqualTo("{\n  \"b\" : [ 1, 2 ],\n  \"a\" : 0.1000000000000000055\n}");
        assertThat(CellText.full(JSONB, "not json {")).isEqualTo("not json {");
    }
}
