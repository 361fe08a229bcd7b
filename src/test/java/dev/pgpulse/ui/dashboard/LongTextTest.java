package dev.pgpulse.ui.dashboard;

import dev.pgpulse.ui.Rendered;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A health reason too long for the Health tile gives way at a word, never mid-word ("…primary circu…"), and the
 * whole of it is on hover. The endpoint's row is laid out on its own, styled by console.css, headless.
 */
public class LongTextTest {
    public static final String LONG_REASON = "circuit breaker OPEN after repeated failures; probe failed: connection refused "
            + "by 127.0.0.1:5432 (PostgreSQL may be restarting, unreachable, or refusing connections from this host); "
            + "replica replay lag unknown because the standby has not replayed any transaction yet";
    @Test
    void aLongHealthReasonIsCutAtAWordAndShownWholeOnHover() throws Exception {
        Stage stage = FxToolkit.registerPrimaryStage();
        EndpointViewModel vm = new EndpointViewModel("primary", dev.pgpulse.config.EndpointConfig.Role.PRIMARY);
        Label reason = onFx(() -> {
            EndpointRow row = new EndpointRow(vm, (endpoint, drill) -> { });
            StackPane root = new StackPane(row);
            root.getStyleClass().add("console");
            root.getStylesheets().add(dev.pgpulse.ui.ConsoleWindow.class.getResource("console.css").toExternalForm());
            stage.setScene(new Scene(root, 1280, 400));
            stage.show();
            // a health sample of a primary that is down for that long reason
            java.time.Instant now = java.time.Instant.now();
            vm.apply(now, null, null, null, new dev.pgpulse.health.EndpointStatus("primary",
                    dev.pgpulse.config.EndpointConfig.Role.PRIMARY, dev.pgpulse.health.HealthStatus.DOWN,
                    java.util.List.of(LONG_REASON), false, 0, dev.pgpulse.resilience.BreakerState.OPEN, null, null),
                    dev.pgpulse.health.MetricHistory.View.EMPTY, now, 0, java.time.Duration.ZERO);
            root.applyCss(); // the tile's skin, and the reason label in it, are made by the first CSS pass
            root.layout();
            return (Label) row.lookup("#health-reason-primary");
        });
        WaitForAsyncUtils.waitForFxEvents();
        Rendered.assertCutAtAWord(onFx(() -> Rendered.text(reason)), LONG_REASON);
        assertThat(onFx(() -> reason.getTooltip().getText())).isEqualTo(LONG_REASON);
    }

    private static <T> T onFx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }
}
