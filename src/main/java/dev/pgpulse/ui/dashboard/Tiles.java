package dev.pgpulse.ui.dashboard;

import dev.pgpulse.resilience.BreakerState;
import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;

import java.util.Locale;

/** The few tile shapes the dashboard uses, and its colours for states. */
final class Tiles {
    static final double WIDTH = 192;
    static final double HEIGHT = 190;
    static final Color AMBER = Tile.ORANGE;

    private Tiles() {
    }

    /** A tile whose body is a node of ours (state words, several lines of text). */
    static Tile custom(String title, Node body, double width, double height) {
        Tile tile = TileBuilder.create().skinType(Tile.SkinType.CUSTOM).prefSize(width, height).title(title)
                .graphic(body).animated(false).shadowsEnabled(false).build();
        // fixed size: a longer reason or a wider figure must never resize the tile, which would move
        // everything below it and make the software pipeline repaint the whole window
        tile.setMinSize(width, height);
        tile.setMaxSize(width, height);
        return tile;
    }

    /** A tile with one big value bound to a property, and a smaller caption under it. */
    static Tile value(String title, ObservableValue<String> value, ObservableValue<String> caption, double width,
                      double height) {
        Label heading = new Label(title);
        heading.getStyleClass().add("tile-title");
        Label big = new Label();
        big.textProperty().bind(value);
        big.getStyleClass().add("tile-value");
        Label small = new Label();
        if (caption != null) {
            small.textProperty().bind(caption);
        }
        small.getStyleClass().add("tile-caption");
        small.setWrapText(true);
        VBox box = new VBox(4, heading, big, small);
        box.setAlignment(Pos.TOP_LEFT);
        box.setPadding(new Insets(0));
        // the title is ours: TilesFX scales its own with the tile, unreadably small on a short tile
        return custom("", box, width, height);
    }

    /** CLOSED green, HALF-OPEN amber, OPEN red, FORCED OPEN magenta, FORCED CLOSED and METRICS ONLY blue. */
    static Color breakerColor(BreakerState state) {
        return state == null ? Tile.GRAY : switch (state) {
            case CLOSED -> Tile.GREEN;
            case HALF_OPEN -> AMBER;
            case OPEN -> Tile.RED;
            case FORCED_OPEN -> Tile.MAGENTA;
            case FORCED_CLOSED, METRICS_ONLY -> Tile.BLUE;
        };
    }

    /** The state as a DBA reads it, "UNKNOWN" before the first snapshot. */
    static String breakerWords(BreakerState state) {
        return state == null ? "UNKNOWN" : state.label();
    }

    /** What the state means for calls. */
    static String breakerMeaning(BreakerState state) {
        return state == null ? "" : switch (state) {
            case CLOSED -> "calls flow";
            case HALF_OPEN -> "letting trial calls through";
            case OPEN -> "failing fast, retrying later";
            case FORCED_OPEN -> "drill: every call fails fast";
            case FORCED_CLOSED -> "drill: failures are ignored";
            case METRICS_ONLY -> "counting, never opens";
        };
    }

    /** UP green, DEGRADED amber, DOWN red, anything else grey. */
    static Color healthColor(String status) {
        return switch (status) {
            case "UP" -> Tile.GREEN;
            case "DEGRADED" -> AMBER;
            case "DOWN" -> Tile.RED;
            default -> Tile.GRAY;
        };
    }

    static String web(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", (int) Math.round(c.getRed() * 255),
                (int) Math.round(c.getGreen() * 255), (int) Math.round(c.getBlue() * 255));
    }
}
