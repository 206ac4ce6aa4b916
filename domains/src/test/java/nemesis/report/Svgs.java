package nemesis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** Test helpers: parse SVG as XML, find elements, read PNGs. */
final class Svgs {
    private Svgs() {
    }

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** Elements under {@code root} with this class attribute, in document order. */
    static List<Element> byClass(Node root, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList all = root instanceof Document d ? d.getElementsByTagName("*") : ((Element) root).getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (cls.equals(e.getAttribute("class"))) {
                out.add(e);
            }
        }
        return out;
    }

    /** The text of every {@code <text>} element. */
    static List<String> texts(Document d) {
        List<String> out = new ArrayList<>();
        NodeList t = d.getElementsByTagName("text");
        for (int i = 0; i < t.getLength(); i++) {
            out.add(t.item(i).getTextContent());
        }
        return out;
    }

    static BufferedImage png(Path file, int w, int h) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        return img;
    }

    /** Pixels within {@code tol} per channel of {@code rgb}, in the box [x0, x1) x [y0, y1). */
    static int count(BufferedImage img, int rgb, int tol, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int p = img.getRGB(x, y);
                if (Math.abs((p >> 16 & 255) - (rgb >> 16 & 255)) <= tol && Math.abs((p >> 8 & 255) - (rgb >> 8 & 255)) <= tol
                        && Math.abs((p & 255) - (rgb & 255)) <= tol) {
                    n++;
                }
            }
        }
        return n;
    }
}
