package dev.pgpulse.ui.query;

import dev.pgpulse.query.SqlScript;
import dev.pgpulse.query.SqlStatement;
import javafx.concurrent.Task;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.StackPane;
import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;
import org.fxmisc.richtext.LineNumberFactory;
import org.fxmisc.richtext.model.StyleSpans;
import org.reactfx.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The Query tab's SQL editor: a RichTextFX {@link CodeArea}, monospace, with line numbers and SQL highlighting.
 * <ul>
 *   <li>Ctrl+Enter: {@link #setOnRun} gets the selection's statements ({@link SqlScript#split(String, int, int)}),
 *       or without a selection the statement at the caret ({@link SqlScript#statementAt}; empty between
 *       statements, so the tab can say "nothing to run");</li>
 *   <li>Ctrl+Shift+Enter: {@link #setOnRunScript} gets every statement of the script.</li>
 * </ul>
 * Offsets in the statements are the editor's, so {@link #markError} takes a {@code QueryError.position()} as it is.
 * <p>
 * Highlighting is computed on a thread of the editor's, {@link #DEBOUNCE} after the last keystroke (RichTextFX's
 * JavaKeywordsAsyncDemo): a megabyte of script is lexed off the FX thread, and a result overtaken by an edit is
 * dropped. {@link #close()} stops that thread.
 */
public final class SqlEditor extends StackPane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqlEditor.class);
    /** Quiet time after an edit before the script is highlighted again. */
    public static final Duration DEBOUNCE = Duration.ofMillis(120);
    static final String ERROR = "sql-error";
    /** Characters {@link #setText} highlights on the FX thread (a few milliseconds' lexing). */
    static final int HIGHLIGHT_AT_ONCE = 100_000;
    /** The longest token {@link #markError} marks. */
    private static final int MARK_MAX = 64;
    private static final KeyCombination RUN = new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination RUN_SCRIPT = new KeyCodeCombination(KeyCode.ENTER,
            KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN);

    private final CodeArea area = new CodeArea();
    private final ExecutorService highlighter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pgpulse-sql-highlight");
        t.setDaemon(true);
        return t;
    });
    private final Subscription highlighting;
    private Consumer<List<SqlStatement>> onRun = s -> { };
    private Consumer<List<SqlStatement>> onRunScript = s -> { };
    /** The offset marked by {@link #markError}, or -1. */
    private int marked = -1;
    private int markedEnd = -1;
    private long highlightsApplied;
    /** The spans applied last (what the area shows, but for the edits since), or null before the first. */
    private StyleSpans<Collection<String>> applied;
    /** The edits since {@link #applied}: the first edited offset, the shortest distance from an edit to the end. */
    private int dirtyFrom = Integer.MAX_VALUE;
    private int dirtyTail = Integer.MAX_VALUE;
    /** Bumped on every edit: a highlighting of an older text is not applied. */
    private long edits;

    /** A highlighting: spans of the whole text, and the part of them to apply. */
    private record Restyle(StyleSpans<Collection<String>> spans, int from, int to, long edits) {
    }

    public SqlEditor() {
        getStyleClass().add("sql-editor");
        area.getStyleClass().add("sql-area");
        area.setParagraphGraphicFactory(LineNumberFactory.get(area));
        area.setWrapText(false);
        getChildren().add(new VirtualizedScrollPane<>(area));
        highlighting = area.multiPlainChanges()
                .successionEnds(DEBOUNCE)
                .retainLatestUntilLater(highlighter)
                .supplyTask(this::highlightAsync)
                .awaitLatest(area.multiPlainChanges())
                .filterMap(t -> {
                    if (t.isSuccess()) {
                        return Optional.of(t.get());
                    }
                    LOG.warn("SQL highlighting failed: {}", t.getFailure().toString());
                    return Optional.empty();
                })
                .subscribe(this::applyHighlighting);
        // an edit ends the error mark at once (the highlighting after it would clear it only later)
        area.plainTextChanges().subscribe(c -> {
            edits++;
            dirtyFrom = Math.min(dirtyFrom, c.getPosition());
            dirtyTail = Math.min(dirtyTail, area.getLength() - c.getInsertionEnd());
            clearMark(c.getPosition(), c.getNetLength());
        });
        // a filter, so the area's own Enter (a line break) never sees a run key
        area.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (RUN_SCRIPT.match(e)) {
                e.consume();
                onRunScript.accept(scriptStatements());
            } else if (RUN.match(e)) {
                e.consume();
                onRun.accept(runStatements());
            }
        });
    }

    /** Called on the FX thread with what Ctrl+Enter runs (possibly empty: the caret is between statements). */
    public void setOnRun(Consumer<List<SqlStatement>> handler) {
        onRun = Objects.requireNonNull(handler, "handler");
    }

    /** Called on the FX thread with every statement of the script (Ctrl+Shift+Enter). */
    public void setOnRunScript(Consumer<List<SqlStatement>> handler) {
        onRunScript = Objects.requireNonNull(handler, "handler");
    }

    /** What Ctrl+Enter runs now: the selection's statements, else the statement at the caret. */
    public List<SqlStatement> runStatements() {
        String text = area.getText();
        var sel = area.getSelection();
        if (sel.getLength() > 0) {
            return SqlScript.split(text, sel.getStart(), sel.getEnd());
        }
        return SqlScript.statementAt(text, area.getCaretPosition()).map(List::of).orElse(List.of());
    }

    /** What Ctrl+Shift+Enter runs: the whole script. */
    public List<SqlStatement> scriptStatements() {
        return SqlScript.split(area.getText());
    }

    public String getText() {
        return area.getText();
    }

    /**
     * Replaces the script. A script up to {@link #HIGHLIGHT_AT_ONCE} characters is highlighted at once; a longer
     * one (a dump loaded from a file) on the editor's thread, as edits are.
     */
    public void setText(String script) {
        area.replaceText(script);
        if (script.length() <= HIGHLIGHT_AT_ONCE) {
            applyHighlighting(SqlHighlighter.spans(area.getText()));
        }
    }

    /** The area itself, for the tab's focus, caret and selection (and tests). */
    public CodeArea area() {
        return area;
    }

    /**
     * Marks the character at {@code position} (an offset in the script, as {@code QueryError.position()}) and moves
     * the caret there; the next edit clears the mark. A position past the text marks its last character; a
     * negative one (the server gave none) does nothing.
     */
    public void markError(int position) {
        clearMark();
        int length = area.getLength();
        if (position < 0 || length == 0) {
            return;
        }
        int at = Math.min(position, length - 1);
        // A line break cannot show a mark: mark the character before it, where the server stopped reading.
        if (area.getText(at, at + 1).equals("\n") && at > 0) {
            at--;
        }
        applyMark(at, markEnd(at));
        area.moveTo(position > length ? length : position);
        area.requestFollowCaret();
        area.requestFocus();
    }

    /** The offset marked by {@link #markError}, or -1 when nothing is marked. */
    public int markedError() {
        return marked;
    }

    /**
     * The end of the mark from {@code at}: the word the server stopped at ({@code syntax error at or near "frm"}
     * names a token), or the one character when it is not a word's.
     */
    private int markEnd(int at) {
        String text = area.getText();
        int end = at;
        while (end < text.length() && end - at < MARK_MAX
                && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
            end++;
        }
        return Math.max(end, at + 1);
    }

    /** Adds the error class to each character of {@code [at, end)}, keeping its highlighting under it. */
    private void applyMark(int at, int end) {
        for (int i = at; i < end; i++) {
            List<String> styles = new ArrayList<>(area.getStyleAtPosition(i + 1));
            if (!styles.contains(ERROR)) {
                styles.add(ERROR);
                area.setStyle(i, i + 1, styles);
            }
        }
        marked = at;
        markedEnd = end;
    }

    private void clearMark() {
        clearMark(area.getLength(), 0);
    }

    /** Clears the mark after an edit at {@code pos} that changed the length by {@code net}. */
    private void clearMark(int pos, int net) {
        if (marked < 0) {
            return;
        }
        int from = marked;
        int to = markedEnd;
        if (pos <= from) {
            from += net;
            to += net;
        } else if (pos < to) {
            to += Math.max(0, net); // typed inside the mark: the new characters may have taken its style
        }
        from = Math.max(0, Math.min(from, pos));
        to = Math.min(to, area.getLength());
        marked = -1;
        for (int i = from; i < to; i++) {
            List<String> styles = new ArrayList<>(area.getStyleAtPosition(i + 1));
            if (styles.remove(ERROR)) {
                area.setStyle(i, i + 1, styles);
            }
        }
    }

    private Task<Restyle> highlightAsync() {
        String text = area.getText();
        StyleSpans<Collection<String>> before = applied;
        int from = Math.min(dirtyFrom, text.length());
        int floor = dirtyTail == Integer.MAX_VALUE ? from : Math.max(from, text.length() - dirtyTail);
        long at = edits;
        Task<Restyle> task = new Task<>() {
            @Override
            protected Restyle call() {
                StyleSpans<Collection<String>> spans = SqlHighlighter.spans(text);
                if (before == null) {
                    return new Restyle(spans, 0, text.length(), at);
                }
                return new Restyle(spans, from, SqlHighlighter.changedEnd(before, spans, floor), at);
            }
        };
        highlighter.execute(task);
        return task;
    }

    private void applyHighlighting(StyleSpans<Collection<String>> spans) {
        applyHighlighting(new Restyle(spans, 0, spans.length(), edits));
    }

    /** Applies only {@code [from, to)}: setting a megabyte's spans on every keystroke would stall the FX thread. */
    private void applyHighlighting(Restyle r) {
        if (r.edits() != edits || r.spans().length() != area.getLength()) {
            return; // overtaken by an edit: the highlighting after it covers both
        }
        highlightsApplied++;
        if (r.to() > r.from()) {
            area.setStyleSpans(r.from(), r.spans().subView(r.from(), r.to()));
        }
        applied = r.spans();
        dirtyFrom = Integer.MAX_VALUE;
        dirtyTail = Integer.MAX_VALUE;
        if (marked >= 0) {
            applyMark(marked, markedEnd); // a highlighting computed before the mark was set must not wipe it
        }
    }

    /** How many highlightings were applied (tests wait for one). */
    long highlightsApplied() {
        return highlightsApplied;
    }

    @Override
    public void close() {
        highlighting.unsubscribe();
        highlighter.shutdownNow();
    }
}
