package nemesis.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import nemesis.report.XyChart.Style;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class XyChartTest {
    @TempDir
    Path dir;

    /** Figure 6 style: emulated points joined by a line, the paper's as hollow markers, a fitted line. */
    static XyChart figure6() {
        double[][] emulated = new double[10][];
        for (int i = 0; i < 10; i++) {
            double share = i * 8;
            emulated[i] = new double[] {share, 53 * (1 - share / 100.0 * 0.9)};
        }
        double[][] paper = {{0, 53}, {20, 43}, {40, 33}, {60, 24}, {72, 18}};
        double[] fit = XyChart.fitLine(emulated);
        return XyChart.of("Figure 6: Impact of carnage on TCP bandwidth", "carnage CPU share (%)",
                        "throughput (Mb/s)")
                .annotation("100 Mb/s Ethernet, P200 cost model, seed 1")
                .series("emulated", emulated, Style.LINE_AND_POINTS)
                .series("paper", paper, Style.HOLLOW_POINTS)
                .line("least squares fit", fit[0], fit[1], Style.DASHED_LINE)
                .xRange(0, 80).yRange(0, 60);
    }

    /** Figure 5 style: three step lines of throughput per 500 ms. */
    static XyChart figure5() {
        List<List<double[]>> c = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < 80; i++) {
            double t = i * 0.5;
            c.get(0).add(new double[] {t, 0.17 + 0.02 * Math.sin(i)});
            if (t >= 3) {
                c.get(1).add(new double[] {t, t < 15 ? 7.5 + 0.3 * Math.sin(i * 1.7) : 3.5 + 0.4 * Math.cos(i)});
            }
            if (t >= 15) {
                c.get(2).add(new double[] {t, 4.2 + 0.5 * Math.sin(i * 0.7)});
            }
        }
        return XyChart.of("Figure 5: Time-throughput graph for 3 connections", "time (s)", "throughput (Mb/s)")
                .annotation("10 Mb/s Ethernet, shared hub, seed 1")
                .series("c1 tx 200 ms / 3.6 ms", c.get(0), Style.STEP)
                .series("c2 tx 10 ms / 1.2 ms, extra", c.get(1), Style.STEP)
                .series("c3 tx 10 ms / 6 ms", c.get(2), Style.STEP);
    }

    @Test
    void svgIsXmlWithTitlesLegendAndOneGroupPerSeries() throws Exception {
        XyChart chart = figure6();
        Document d = Svgs.parse(chart.svg());
        List<String> texts = Svgs.texts(d);
        for (String s : List.of("Figure 6: Impact of carnage on TCP bandwidth", "carnage CPU share (%)",
                "throughput (Mb/s)", "100 Mb/s Ethernet, P200 cost model, seed 1", "emulated", "paper",
                "least squares fit")) {
            assertTrue(texts.contains(s), () -> s + " in " + texts);
        }
        List<Element> groups = Svgs.byClass(d, "series");
        assertEquals(3, groups.size());
        // series with markers are drawn last, so no line covers their markers
        assertEquals(List.of("least squares fit", "emulated", "paper"),
                groups.stream().map(g -> g.getAttribute("data-label")).toList());
        List<Element> series = List.of(groups.get(1), groups.get(2), groups.get(0));
        assertEquals(1, Svgs.byClass(series.get(0), "line").size());
        assertEquals(10, Svgs.byClass(series.get(0), "marker").size());
        assertEquals(0, Svgs.byClass(series.get(1), "line").size());
        assertEquals(5, Svgs.byClass(series.get(1), "marker").size());
        assertTrue(Svgs.byClass(series.get(1), "marker").stream().allMatch(m -> m.getAttribute("fill").equals("#ffffff")),
                "hollow markers");
        assertEquals(1, Svgs.byClass(series.get(2), "line").size());
        assertEquals(0, Svgs.byClass(series.get(2), "marker").size());
        // ticks at 0, 10, ..., 80 or 0, 20, ..., 80: 1-2-5 steps within the given range
        assertTrue(texts.contains("0") && texts.contains("80") && texts.contains("60") && texts.contains("40"));
        // distinct colours and marker shapes
        String c0 = Svgs.byClass(series.get(0), "line").getFirst().getAttribute("stroke");
        String c1 = Svgs.byClass(series.get(1), "marker").getFirst().getAttribute("stroke");
        assertNotEquals(c0, c1);
        assertNotEquals(Svgs.byClass(series.get(0), "marker").getFirst().getTagName(),
                Svgs.byClass(series.get(1), "marker").getFirst().getTagName());
    }

    @Test
    void stepSeriesHoldEachValueUntilTheNextSample() throws Exception {
        XyChart chart = XyChart.of("steps", "x", "y").series("s", new double[][] {{0, 1}, {1, 3}, {2, 2}}, Style.STEP)
                .xRange(0, 3).yRange(0, 4).size(400, 300);
        Element line = Svgs.byClass(Svgs.parse(chart.svg()), "line").getFirst();
        String[] cmds = line.getAttribute("d").split("(?=[ML])");
        // M(0,1) L(1,1) L(1,3) L(2,3) L(2,2) L(3,2): six points, y steps at x = 1 and 2
        assertEquals(6, cmds.length, line.getAttribute("d"));
        assertEquals(xOf(cmds[1]), xOf(cmds[2]));
        assertEquals(yOf(cmds[0]), yOf(cmds[1]));
        assertEquals(yOf(cmds[4]), yOf(cmds[5]));
        assertTrue(xOf(cmds[5]) > xOf(cmds[4]));
    }

    private static double xOf(String cmd) {
        return Double.parseDouble(cmd.substring(1).split(" ")[0]);
    }

    private static double yOf(String cmd) {
        return Double.parseDouble(cmd.substring(1).split(" ")[1]);
    }

    @Test
    void nanBreaksALineAndOutOfRangeMarkersAreLeftOut() throws Exception {
        XyChart chart = XyChart.of("gaps", "x", "y")
                .series("a", new double[][] {{0, 1}, {1, 2}, {2, Double.NaN}, {3, 2}, {4, 1}, {9, 9}},
                        Style.LINE_AND_POINTS)
                .xRange(0, 5).yRange(0, 3);
        Document d = Svgs.parse(chart.svg());
        Element line = Svgs.byClass(d, "line").getFirst();
        assertEquals(2, line.getAttribute("d").split("M").length - 1, "two runs: 0-1 and 3-4-9");
        assertEquals(4, Svgs.byClass(d, "marker").size(), "NaN and (9, 9) have no marker");
    }

    @Test
    void defaultRangesAreNiceAndStartYAtZero() throws Exception {
        double[][] data = {{0.13, 41}, {0.87, 47.5}};
        XyChart lines = XyChart.of("auto", "x", "y").series("a", data, Style.LINE);
        List<String> texts = Svgs.texts(Svgs.parse(lines.svg()));
        assertTrue(texts.contains("0") && texts.contains("50"), texts.toString());
        assertTrue(texts.contains("0.1") && texts.contains("0.9"), texts.toString());
        assertTrue(texts.stream().noneMatch(t -> t.contains("0000")), "no float noise: " + texts);
        // with markers: the data's range plus a margin, so no marker sits on the frame
        Document d = Svgs.parse(XyChart.of("auto", "x", "y").series("a", data, Style.POINTS).svg());
        List<String> t2 = Svgs.texts(d);
        assertTrue(t2.contains("0.2") && t2.contains("0.8") && !t2.contains("0.1") && !t2.contains("0.9"), t2.toString());
        String[] frame = Svgs.byClass(d, "frame").getFirst().getAttribute("d").split("[MLZ ]+");
        double left = Double.parseDouble(frame[1]);
        double top = Double.parseDouble(frame[2]);
        for (Element m : Svgs.byClass(d, "marker")) {
            assertTrue(Double.parseDouble(m.getAttribute("cx")) > left + 10);
            assertTrue(Double.parseDouble(m.getAttribute("cy")) > top + 10);
        }
    }

    @Test
    void emptyChartAndTextEscaping() throws Exception {
        XyChart chart = XyChart.of("a < b & \"c\" \u00b5s", "x", "y");
        Document d = Svgs.parse(chart.svg());
        assertTrue(Svgs.texts(d).contains("a < b & \"c\" \u00b5s"));
        assertEquals(0, Svgs.byClass(d, "series").size());
    }

    @Test
    void pngHasTheSizeAndTheSeriesColoursInThePlot() throws Exception {
        Path png = dir.resolve("fig6.png");
        figure6().size(800, 500).writePng(png);
        BufferedImage img = Svgs.png(png, 800, 500);
        assertEquals(0xFFFFFF, img.getRGB(2, 2) & 0xFFFFFF, "white background");
        int blue = Svgs.count(img, XyChart.PALETTE[0], 10, 60, 60, 790, 450);
        int orange = Svgs.count(img, XyChart.PALETTE[1], 10, 60, 60, 790, 450);
        int green = Svgs.count(img, XyChart.PALETTE[2], 10, 60, 60, 790, 450);
        assertTrue(blue > 300 && orange > 50 && green > 30, blue + " " + orange + " " + green);
    }

    @Test
    void aSmallChartGrowsTallerForItsLegendInBothFormats() throws Exception {
        XyChart chart = SamplesTest.palette().size(360, 260);
        Element svg = Svgs.parse(chart.svg()).getDocumentElement();
        int h = Integer.parseInt(svg.getAttribute("height"));
        assertEquals("360", svg.getAttribute("width"));
        assertTrue(h > 260, "height " + h);
        chart.writePng(dir.resolve("small.png"));
        Svgs.png(dir.resolve("small.png"), 360, h);
        // the default size is kept when the legend fits
        assertEquals("560", Svgs.parse(figure5().svg()).getDocumentElement().getAttribute("height"));
    }

    @Test
    void rendersAreByteIdentical() throws Exception {
        for (XyChart chart : List.of(figure5(), figure6())) {
            StringWriter a = new StringWriter();
            chart.writeSvg(a);
            assertEquals(a.toString(), chart.svg());
            chart.write(dir, "a");
            chart.write(dir, "b");
            assertArrayEquals(Files.readAllBytes(dir.resolve("a.png")), Files.readAllBytes(dir.resolve("b.png")));
            assertArrayEquals(Files.readAllBytes(dir.resolve("a.svg")), Files.readAllBytes(dir.resolve("b.svg")));
        }
    }

    @Test
    void outputIgnoresTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            String root = figure6().svg();
            Locale.setDefault(Locale.GERMANY);
            assertEquals(root, figure6().svg());
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void fitLineAndBadArguments() {
        double[] f = XyChart.fitLine(new double[][] {{0, 1}, {1, 3}, {2, 5}, {3, Double.NaN}});
        assertEquals(2, f[0], 1e-12);
        assertEquals(1, f[1], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> XyChart.fitLine(new double[][] {{1, 1}, {1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> XyChart.of("t", "x", "y").xRange(1, 1));
        assertThrows(IllegalArgumentException.class, () -> XyChart.of("t", "x", "y").size(100, 100));
        assertThrows(IllegalArgumentException.class,
                () -> XyChart.of("t", "x", "y").series("s", new double[][] {{1}}, Style.LINE));
        assertThrows(IllegalArgumentException.class, () -> XyChart.of("t", "x", "y").line("l", 1, 0, Style.POINTS));
    }
}
