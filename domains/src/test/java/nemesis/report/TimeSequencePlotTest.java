package nemesis.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nemesis.report.TimeSequencePlot.Ack;
import nemesis.report.TimeSequencePlot.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class TimeSequencePlotTest {
    private static final int PERIODS = 10;

    @TempDir
    Path dir;

    private TimeSequencePlot figure4() throws Exception {
        Path file = dir.resolve("fig4.pcap");
        Transfers.figure4(file, PERIODS, 0, false);
        Pcaps.Flow f = Pcaps.tcpFlow(file, "10.0.0.1", 5001);
        return TimeSequencePlot.of("Figure 4: QoS TCP transmitting", f.segments(), f.acks())
                .annotation("tx period 50 ms, slice 2.4 ms, no extra; 10 Mb/s Ethernet");
    }

    @Test
    void oneMarkPerSegmentAndTheRetransmissionInItsOwnColour() throws Exception {
        TimeSequencePlot plot = figure4();
        Document d = Svgs.parse(plot.svg());
        List<Element> segs = Svgs.byClass(d, "segment");
        List<Element> retx = Svgs.byClass(d, "retransmission");
        assertEquals(2 * PERIODS, segs.size());
        assertEquals(1, retx.size());
        assertEquals(2 * PERIODS + 1, plot.segmentMarks());
        assertEquals(SvgCanvas.hex(TimeSequencePlot.RETRANSMISSION), retx.getFirst().getAttribute("fill"));
        assertEquals(1, Svgs.byClass(d, "acked").stream().filter(e -> e.getTagName().equals("path")).count());
        assertEquals(1, Svgs.byClass(d, "window").stream().filter(e -> e.getTagName().equals("path")).count());
        List<String> texts = Svgs.texts(d);
        assertTrue(texts.contains("Figure 4: QoS TCP transmitting"));
        assertTrue(texts.contains("retransmission"));
        assertTrue(texts.contains("highest sequence number ACKed"));
        assertTrue(texts.contains("time (ms)"), texts.toString());
    }

    @Test
    void segmentsAreVerticalArrowsFromSeqToSeqPlusLength() throws Exception {
        TimeSequencePlot plot = TimeSequencePlot.of("t", List.of(new Segment(0, 1000, 1000, false),
                        new Segment(10_000_000, 2000, 1000, false)), List.of(new Ack(5_000_000, 2000, 4000)))
                .window(0, 20_000_000).size(500, 400);
        Document d = Svgs.parse(plot.svg());
        List<Element> segs = Svgs.byClass(d, "segment");
        assertEquals(2, segs.size());
        String[] p = segs.get(1).getAttribute("d").split("(?=[MLZ])");
        double x = Double.parseDouble(p[2].substring(1).split(" ")[0]);
        double yFrom = Double.parseDouble(p[2].substring(1).split(" ")[1]);
        double yTo = Double.parseDouble(p[3].substring(1).split(" ")[1]);
        assertEquals(x, Double.parseDouble(p[3].substring(1).split(" ")[0]), "vertical");
        assertTrue(yTo < yFrom, "upwards");
        // the ACK line: from the ACK at 5 ms to the end of the window; the window edge above it
        Element ack = Svgs.byClass(d, "acked").stream().filter(e -> e.getTagName().equals("path")).findFirst()
                .orElseThrow();
        assertEquals(2, ack.getAttribute("d").split("[ML]").length - 1);
    }

    @Test
    void aWindowShowsOnlyItsSection() throws Exception {
        long from = Transfers.START_NS + 2 * Transfers.PERIOD_NS - 1_000_000;
        long to = from + 3 * Transfers.PERIOD_NS; // periods 2, 3, 4
        TimeSequencePlot plot = figure4().window(from, to);
        Document d = Svgs.parse(plot.svg());
        assertEquals(6, Svgs.byClass(d, "segment").size());
        assertEquals(0, Svgs.byClass(d, "retransmission").size());
        assertEquals(6, plot.segmentMarks());
        assertTrue(Svgs.texts(d).stream().noneMatch(t -> t.equals("retransmission")), "no legend entry without one");
    }

    @Test
    void pngHasTheSizeAndMarksInThePlot() throws Exception {
        Path png = dir.resolve("fig4.png");
        figure4().size(900, 540).writePng(png);
        BufferedImage img = Svgs.png(png, 900, 540);
        assertTrue(Svgs.count(img, TimeSequencePlot.SEGMENT, 40, 80, 100, 890, 480) > 200, "segment arrows");
        assertTrue(Svgs.count(img, TimeSequencePlot.WINDOW, 30, 80, 100, 890, 480) > 300, "window line");
        assertTrue(Svgs.count(img, TimeSequencePlot.ACKED, 30, 80, 100, 890, 480) > 100, "ACK line");
        assertTrue(Svgs.count(img, TimeSequencePlot.RETRANSMISSION, 30, 80, 100, 890, 480) > 5, "retransmission");
    }

    @Test
    void rendersAreByteIdentical() throws Exception {
        TimeSequencePlot plot = figure4();
        assertEquals(plot.svg(), plot.svg());
        plot.write(dir, "a");
        plot.write(dir, "b");
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.png")), Files.readAllBytes(dir.resolve("b.png")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.svg")), Files.readAllBytes(dir.resolve("b.svg")));
    }

    @Test
    void emptyInputStillRenders() throws Exception {
        Document d = Svgs.parse(TimeSequencePlot.of("nothing", List.of(), List.of()).svg());
        assertEquals(0, Svgs.byClass(d, "segment").size());
        assertThrows(IllegalArgumentException.class, () -> TimeSequencePlot.of("t", List.of(), List.of()).window(5, 5));
        assertThrows(IllegalArgumentException.class, () -> new Segment(0, 0, -1, false));
    }
}
