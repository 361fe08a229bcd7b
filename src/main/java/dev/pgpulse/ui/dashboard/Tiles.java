package dev.pgpulse.ui.dashboard;

import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** The few tile shapes the dashboard uses. */
final class Tiles {
    static final double WIDTH = 184; // six tiles of a row (one of them wider) fit a 1280 px window
    static final double HEIGHT = 190;

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
}
