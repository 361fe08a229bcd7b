package dev.pgpulse.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** Keeps everything a run hands on, in order, as lines a test can compare. */
final class RecordingSink implements QuerySink {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<List<QueryColumn>> columns = new CopyOnWriteArrayList<>();
    final List<List<String[]>> results = new CopyOnWriteArrayList<>();
    final List<QueryNotice> notices = new CopyOnWriteArrayList<>();
    final CountDownLatch firstRows = new CountDownLatch(1);
    volatile boolean blockAfterFirstBatch;

    @Override
    public void statementStarted(int index, SqlStatement statement) {
        events.add("started " + index);
    }

    @Override
    public void columns(int index, List<QueryColumn> cols) {
        columns.add(cols);
        results.add(new ArrayList<>());
        events.add("columns " + index + " " + cols.stream().map(c -> c.name() + ":" + c.typeName()).toList());
    }

    @Override
    public boolean rows(List<String[]> rows) throws InterruptedException {
        results.getLast().addAll(rows);
        events.add("rows " + rows.size());
        firstRows.countDown();
        if (blockAfterFirstBatch) {
            new CountDownLatch(1).await(); // held until the run is cancelled
        }
        return true;
    }

    @Override
    public void resultEnded(long rows, boolean complete) {
        events.add("ended " + rows + (complete ? "" : " incomplete"));
    }

    @Override
    public void updated(int index, String command, long count) {
        events.add("updated " + index + " " + command + " " + count);
    }

    @Override
    public void notice(QueryNotice notice) {
        notices.add(notice);
        events.add("notice " + notice.severity() + " " + notice.message());
    }

    List<String> rowsOf(int result) {
        return results.get(result).stream().map(Arrays::toString).toList();
    }
}
