package dev.pgpulse.ui.query;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.ui.ConsolePrefs;
import dev.pgpulse.ui.ConsoleWindow;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Tab;
import javafx.stage.Stage;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The browse and export of {@code SELECT g, md5(g::text) FROM generate_series(1, N) g} in the real console
 * window's Query tab, in a JVM of its own whose heap the test caps (-Xmx256m): every row is read through the grid's
 * window (the user scrolling to the end, again and again), then the whole result is exported to CSV from the tab.
 * Prints one {@code key=value} line per figure for {@code QueryTabHeapTest} and docs/PERFORMANCE.md.
 * Arguments: the database URL, the rows, the home folder, the CSV file.
 */
public final class QueryTabHeapHarness {
    private QueryTabHeapHarness() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long rows = Long.parseLong(args[1]);
        Path home = Path.of(args[2]);
        Path csv = Path.of(args[3]);
        var config = new ConfigLoader(Map.of("DATABASE_URL", url), home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(1),
                Orchestrator.Options.alertRulesFile(home), false));
        CompletableFuture<Void> started = new CompletableFuture<>();
        Platform.startup(() -> started.complete(null));
        started.get(60, TimeUnit.SECONDS);
        ConsoleWindow w = fx(() -> {
            ConsoleWindow cw = new ConsoleWindow(o, null, ConsolePrefs.defaults(), p -> { });
            cw.setNotifications(false);
            Stage stage = new Stage();
            stage.setScene(new Scene(cw.root(), 1280, 800));
            stage.show();
            cw.start();
            return cw;
        });
        QueryTab tab = fx(() -> (QueryTab) w.consoleTabs().stream().filter(QueryTab.class::isInstance).findFirst()
                .orElseThrow());
        String sql = "SELECT g, md5(g::text) FROM generate_series(1, " + rows + ") g";
        fx(() -> tab.view().results().getTabs().getFirst()); // the tab shown: its view built, as before a click on Run
        long t0 = System.nanoTime();
        fx(() -> {
            Tab t = tab.view().results().getTabs().getFirst();
            tab.view().editor().setText(sql);
            tab.viewModel().run(tab.view().editor().scriptStatements(), QueryRequest.Mode.RUN);
            return t;
        });
        ResultGridViewModel grid = null;
        while (grid == null || fx(grid.rows()::isEmpty)) {
            grid = fx(() -> tab.view().results().getTabs().stream().map(Tab::getContent)
                    .filter(ResultGrid.class::isInstance).map(g -> ((ResultGrid) g).viewModel()).findFirst().orElse(null));
            Thread.sleep(5);
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
                throw new IllegalStateException("no rows after 60 s: " + fx(() -> tab.viewModel().statusProperty().get()));
            }
        }
        long firstRows = System.nanoTime() - t0;
        System.out.println("first_rows_ms=" + firstRows / 1_000_000);
        ResultGridViewModel g = grid;
        int maxHeld = 0;
        // the user scrolls to the end of what is held, over and over, until the result is complete
        while (!fx(() -> g.completeProperty().get())) {
            maxHeld = Math.max(maxHeld, fx(() -> g.rows().size()));
            fx(() -> {
                g.requestMore();
                return null;
            });
            Thread.sleep(2);
        }
        long browsed = System.nanoTime() - t0;
        System.out.println("browsed_rows=" + fx(() -> g.readProperty().get()));
        System.out.println("browse_seconds=" + browsed / 1e9);
        System.out.println("window_max_held=" + Math.max(maxHeld, fx(() -> g.rows().size())));
        System.out.println("status=" + fx(() -> tab.viewModel().statusProperty().get()));
        while (fx(() -> tab.viewModel().runningProperty().get())) {
            Thread.sleep(20);
        }
        long t1 = System.nanoTime();
        fx(() -> {
            tab.view().setExportChooser(owner -> java.util.Optional.of(csv));
            tab.viewModel().exportCsv(tab.view().editor().scriptStatements(), csv);
            return null;
        });
        while (fx(() -> tab.viewModel().runningProperty().get())) {
            Thread.sleep(50);
        }
        System.out.println("export_seconds=" + (System.nanoTime() - t1) / 1e9);
        System.out.println("export_status=" + fx(() -> tab.viewModel().statusProperty().get()));
        // again, warm (the classes of the grid and the editor loaded): the first rows, then Cancel
        long t2 = System.nanoTime();
        fx(() -> {
            tab.viewModel().run(tab.view().editor().scriptStatements(), QueryRequest.Mode.RUN);
            return null;
        });
        while (fx(() -> tab.view().results().getTabs().stream().map(Tab::getContent)
                .filter(ResultGrid.class::isInstance).map(x -> ((ResultGrid) x).viewModel())
                .noneMatch(x -> !x.rows().isEmpty()))) {
            Thread.sleep(2);
            if (System.nanoTime() - t2 > TimeUnit.SECONDS.toNanos(60)) {
                throw new IllegalStateException("no rows on the second run after 60 s");
            }
        }
        System.out.println("first_rows_warm_ms=" + (System.nanoTime() - t2) / 1_000_000);
        fx(() -> {
            tab.viewModel().cancel();
            return null;
        });
        while (fx(() -> tab.viewModel().runningProperty().get())) {
            Thread.sleep(20);
        }
        System.out.println("second_run=" + fx(() -> tab.viewModel().statusProperty().get()));
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("heap_peak_mb=" + peak / (1024 * 1024));
        System.out.println("heap_max_mb=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
        CompletableFuture.runAsync(w::close).get(30, TimeUnit.SECONDS);
        o.close();
        Platform.exit();
        System.exit(0);
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }
}
