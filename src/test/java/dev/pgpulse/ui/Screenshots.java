package dev.pgpulse.ui;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** PNGs of the window under target/screenshots, for a person to look at. */
public final class Screenshots {
    private Screenshots() {
    }

    public static Path dir() {
        return Path.of(System.getProperty("pgpulse.screenshots", "target/screenshots"));
    }

    public static Path save(Scene scene, String name) throws Exception {
        return write(WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get(10, TimeUnit.SECONDS), name);
    }

    /** The node at its own size, whatever its parents' transforms (a window larger than the headless screen). */
    public static Path save(Node node, String name) throws Exception {
        return write(WaitForAsyncUtils.asyncFx(() -> node.snapshot(null, null)).get(10, TimeUnit.SECONDS), name);
    }

    private static Path write(WritableImage img, String name) throws Exception {
        Path out = dir().resolve(name + ".png");
        Files.createDirectories(out.getParent());
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", out.toFile());
        return out;
    }
}
