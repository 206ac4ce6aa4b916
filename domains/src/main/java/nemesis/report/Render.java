package nemesis.report;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/** Replays a drawing on an SVG or a PNG canvas and writes the file. */
final class Render {
    private Render() {
    }

    static void svg(int w, int h, Consumer<Canvas> draw, Writer out) throws IOException {
        SvgCanvas c = new SvgCanvas(w, h);
        draw.accept(c);
        out.write(c.finish());
        out.flush();
    }

    static String svg(int w, int h, Consumer<Canvas> draw) {
        StringWriter s = new StringWriter();
        try {
            svg(w, h, draw, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    static BufferedImage image(int w, int h, Consumer<Canvas> draw) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // before AWT initialises: no display here
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            draw.accept(new PngCanvas(g));
        } finally {
            g.dispose();
        }
        return img;
    }

    static void png(int w, int h, Consumer<Canvas> draw, Path file) throws IOException {
        BufferedImage img = image(w, h, draw);
        makeParent(file);
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    /** Writes {@code dir/name.svg} and {@code dir/name.png}. */
    static void both(int w, int h, Consumer<Canvas> draw, Path dir, String name) throws IOException {
        Path svg = dir.resolve(name + ".svg");
        makeParent(svg);
        try (Writer out = Files.newBufferedWriter(svg, StandardCharsets.UTF_8)) {
            svg(w, h, draw, out);
        }
        png(w, h, draw, dir.resolve(name + ".png"));
    }

    private static void makeParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
