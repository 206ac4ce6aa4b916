package nemesis.kernel.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import nemesis.atropos.ActivationReason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class GanttChartTest {
    static final long MS = 1_000_000L;

    @TempDir
    Path tmp;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    /** Three domains over 30 ms: every reason, guaranteed and extra, one mode change without a switch. */
    static ScheduleTrace small() {
        ScheduleTrace t = new ScheduleTrace();
        int a = t.addDomain("alpha", "carnage");
        int b = t.addDomain("beta", "carnage");
        int c = t.addDomain("gamma", "sleeper");
        t.record(a, 0, 3 * MS, ActivationReason.ALLOCATED, false, true);
        t.record(b, 3 * MS, 5 * MS, ActivationReason.ALLOCATED, false, true);
        t.record(a, 5 * MS, 6 * MS, ActivationReason.PREEMPTED, false, true);
        t.record(a, 6 * MS, 9 * MS, ActivationReason.EXTRA, true, false); // mode change, no switch
        t.record(c, 10 * MS, 12 * MS, ActivationReason.EVENT, false, true);
        t.record(b, 12 * MS, 16 * MS, ActivationReason.EXTRA, true, true);
        t.record(c, 18 * MS, 20 * MS, ActivationReason.REACTIVATED, false, true);
        t.record(a, 20 * MS, 24 * MS, ActivationReason.ALLOCATED, false, true);
        t.endOfRun(30 * MS);
        return t;
    }

    static String svg(ScheduleTrace t, GanttChart.Options o) throws IOException {
        StringWriter w = new StringWriter();
        GanttChart.writeSvg(t, o, w);
        return w.toString();
    }

    static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** Rects drawn for trace bars (not the background, stripes, legend or sub-pixel shares). */
    static int barRects(Document doc) {
        int n = 0;
        NodeList groups = doc.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("class").equals("bar")) {
                n += g.getElementsByTagName("rect").getLength();
            }
        }
        return n;
    }

    static String texts(Document doc, String cls) {
        StringBuilder s = new StringBuilder();
        NodeList groups = doc.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("class").equals(cls)) {
                NodeList ts = g.getElementsByTagName("text");
                for (int j = 0; j < ts.getLength(); j++) {
                    s.append(ts.item(j).getTextContent()).append('|');
                }
            }
        }
        return s.toString();
    }

    @Test
    void svgHasABarPerStretchLabelsReasonsAndAxis() throws Exception {
        ScheduleTrace t = small();
        String s = svg(t, GanttChart.Options.window(0, 30 * MS, "three domains"));
        Document doc = parse(s);
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals(t.size(), barRects(doc));
        assertEquals("alpha|beta|gamma|", texts(doc, "label"));
        // every bar is wide, so each one that began with an activation has its letter, in trace order;
        // alpha's switch to extra time at 6 ms was no activation and has none
        assertEquals("A|A|P|E|X|R|A|", texts(doc, "reason"));
        assertTrue(texts(doc, "tick").contains("time (ms)"));
        assertTrue(texts(doc, "tick").startsWith("0|"));
        assertTrue(s.contains("three domains"));
        assertTrue(s.contains("<pattern"), "extra time is hatched");
    }

    @Test
    void windowClipsBarsAndCustomLabelsAndPeriodsAreDrawn() throws Exception {
        ScheduleTrace t = small();
        GanttChart.Options o = GanttChart.Options.window(4 * MS, 13 * MS, "zoom")
                .withRowLabels(d -> "s" + d + "  cpu 10ms/1ms")
                .withPeriods(new long[] {0, 0, 0}, new long[] {2 * MS, 0, 5 * MS})
                .withWidth(900);
        Document doc = parse(svg(t, o));
        assertEquals("900", doc.getDocumentElement().getAttribute("width"));
        // rows ending after 4 ms and starting before 13 ms: b(3-5) a(5-6) a(6-9) c(10-12) b(12-16)
        assertEquals(5, barRects(doc));
        assertEquals("s0  cpu 10ms/1ms|s1  cpu 10ms/1ms|s2  cpu 10ms/1ms|", texts(doc, "label"));
        NodeList paths = doc.getElementsByTagName("path");
        int periodMarks = 0;
        for (int i = 0; i < paths.getLength(); i++) {
            Element p = (Element) paths.item(i);
            if (p.getAttribute("class").equals("period")) {
                periodMarks += p.getAttribute("d").split("M").length - 1;
            }
        }
        // domain 0 every 2 ms: 4 6 8 10 12; domain 2 every 5 ms: 5 10
        assertEquals(7, periodMarks);
        // beta's bar from 3 ms is clipped: its start, and so its letter, is outside the window
        assertEquals("P|E|X|", texts(doc, "reason"));
    }

    @Test
    void pngHasTheWidthAndEveryDomainsColourInItsRow() throws Exception {
        ScheduleTrace t = small();
        Path f = tmp.resolve("g.png");
        GanttChart.writePng(t, GanttChart.Options.window(0, 30 * MS, "three domains").withWidth(1000), f);
        BufferedImage img = ImageIO.read(f.toFile());
        assertEquals(1000, img.getWidth());
        for (int d = 0; d < 3; d++) {
            int colour = GanttChart.PALETTE[d] & 0xFFFFFF;
            int found = 0;
            int top = GanttChart.TOP + d * GanttChart.ROW_H;
            for (int y = top; y < top + GanttChart.ROW_H; y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    if ((img.getRGB(x, y) & 0xFFFFFF) == colour) {
                        found++;
                    }
                }
            }
            assertTrue(found > 100, "domain " + d + " has " + found + " pixels of its colour");
        }
    }

    @Test
    void subPixelBarsStayVisible() throws Exception {
        ScheduleTrace t = new ScheduleTrace();
        int a = t.addDomain("a", "p");
        int b = t.addDomain("b", "p");
        // a gets 10 us of every 100 us over 1 s: at ~1 ms per pixel every stretch is sub-pixel
        for (long s = 0; s < 1_000 * MS; s += 100_000) {
            t.record(a, s, s + 10_000, ActivationReason.ALLOCATED, false, true);
            t.record(b, s + 10_000, s + 20_000, ActivationReason.EXTRA, true, true);
        }
        Path f = tmp.resolve("dense.png");
        GanttChart.writePng(t, GanttChart.Options.window(0, 1_000 * MS, "dense"), f);
        BufferedImage img = ImageIO.read(f.toFile());
        int colour = GanttChart.PALETTE[a] & 0xFFFFFF;
        int columns = 0;
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y = GanttChart.TOP; y < GanttChart.TOP + GanttChart.ROW_H; y++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == colour) {
                    columns++;
                    break;
                }
            }
        }
        assertTrue(columns > 1000, "a visible in " + columns + " columns");
        Document doc = parse(svg(t, GanttChart.Options.window(0, 1_000 * MS, "dense")));
        assertEquals(0, barRects(doc));
    }

    @Test
    void largeTraceStaysSmallAndQuick() throws Exception {
        ScheduleTrace t = new ScheduleTrace();
        for (int d = 0; d < 3; d++) {
            t.addDomain("d" + d, "p");
        }
        long now = 0;
        long seed = 42;
        for (int i = 0; i < 200_000; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            long len = 1_000 + ((seed >>> 33) % 200_000); // 1 us .. 200 us
            int d = (int) ((seed >>> 20) % 3);
            ActivationReason why = ActivationReason.values()[(int) ((seed >>> 40) % 5)];
            t.record(d, now, now + len, why, why == ActivationReason.EXTRA, true);
            now += len + ((seed >>> 50) % 3 == 0 ? 5_000 : 0);
        }
        t.endOfRun(now);
        assertTrue(t.size() > 150_000);
        long t0 = System.nanoTime();
        String s = svg(t, GanttChart.Options.window(0, now, "large"));
        GanttChart.writePng(t, GanttChart.Options.window(0, now, "large"), tmp.resolve("large.png"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(s.length() < 5_000_000, "SVG of " + s.length() + " chars");
        assertTrue(ms < 5_000, "took " + ms + " ms");
        parse(s);
    }

    @Test
    void outputIsDeterministic() throws Exception {
        ScheduleTrace t = small();
        GanttChart.Options o = GanttChart.Options.window(0, 30 * MS, "det")
                .withPeriods(new long[] {0, 1 * MS, 0}, new long[] {10 * MS, 10 * MS, 0});
        assertEquals(svg(small(), o), svg(t, o));
        Path p1 = tmp.resolve("a.png");
        Path p2 = tmp.resolve("b.png");
        GanttChart.writePng(t, o, p1);
        GanttChart.writePng(small(), o, p2);
        assertArrayEquals(Files.readAllBytes(p1), Files.readAllBytes(p2));
    }
}
