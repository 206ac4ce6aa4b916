package nemesis.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A tcptrace-style time-sequence graph of one TCP connection, as the paper's Figure 4: each data
 * segment sent is a short vertical arrow from its first to its last sequence number at the time it
 * left (retransmissions in red); the dotted line under the segments is the highest sequence number
 * acknowledged by the peer, the solid line above is the edge of the window the receiver offers
 * (ACK + window). Time runs along x (ms or s), sequence numbers relative to {@link #seqBase} up y
 * (bytes, or KiB for larger spans).
 * <pre>{@code
 * Pcaps.Flow f = Pcaps.tcpFlow(Path.of("out/fig4.pcap"), "10.0.0.1", 5001);
 * TimeSequencePlot.of("Figure 4: QoS TCP transmitting", f.segments(), f.acks())
 *     .window(2_000_000_000L, 2_400_000_000L).annotation("tx 50 ms / 2.4 ms, no extra")
 *     .write(dir, "figure4");
 * }</pre>
 */
public final class TimeSequencePlot {
    /** A data segment sent: time, first sequence number, payload bytes, whether it resends data. */
    public record Segment(long timeNs, long seq, int length, boolean retransmission) {
        public Segment {
            if (length < 0) {
                throw new IllegalArgumentException("negative segment length " + length);
            }
        }
    }

    /** An ACK received: time, acknowledgement number, advertised window in bytes (already scaled). */
    public record Ack(long timeNs, long ack, long window) {
    }

    static final int SEGMENT = 0x222222;
    static final int RETRANSMISSION = 0xD55E00;
    static final int ACKED = 0x009E73;
    static final int WINDOW = 0x0072B2;
    private static final long KIB_ABOVE = 20_000; // y spans above this many bytes are shown in KiB

    private final String title;
    private final List<Segment> segments;
    private final List<Ack> acks;
    private final List<String> notes = new ArrayList<>();
    private long fromNs = Long.MIN_VALUE;
    private long toNs = Long.MAX_VALUE;
    private boolean windowSet;
    private Long seqBase;
    private int width = 1000;
    private int height = 600;

    private TimeSequencePlot(String title, List<Segment> segments, List<Ack> acks) {
        this.title = title;
        this.segments = sorted(segments, Comparator.comparingLong(Segment::timeNs));
        this.acks = sorted(acks, Comparator.comparingLong(Ack::timeNs));
    }

    private static <T> List<T> sorted(List<T> in, Comparator<T> byTime) {
        List<T> l = new ArrayList<>(in);
        l.sort(byTime); // stable: equal times keep their order
        return List.copyOf(l);
    }

    public static TimeSequencePlot of(String title, List<Segment> segments, List<Ack> acks) {
        return new TimeSequencePlot(title, segments, acks);
    }

    /** Shows only [fromNs, toNs] (default: all, with nice bounds). */
    public TimeSequencePlot window(long fromNs, long toNs) {
        if (toNs <= fromNs) {
            throw new IllegalArgumentException("empty window [" + fromNs + ", " + toNs + "]");
        }
        this.fromNs = fromNs;
        this.toNs = toNs;
        windowSet = true;
        return this;
    }

    /** The sequence number drawn as 0 (default: the lowest segment sequence number). */
    public TimeSequencePlot seqBase(long seq) {
        seqBase = seq;
        return this;
    }

    /** A line of small grey text under the title; may be called again for more lines. */
    public TimeSequencePlot annotation(String text) {
        for (String line : text.split("\n", -1)) {
            notes.add(line);
        }
        return this;
    }

    /** Image size in pixels (default 1000 x 600, min 320 x 240); taller if the legend needs it. */
    public TimeSequencePlot size(int widthPx, int heightPx) {
        if (widthPx < 320 || heightPx < 240) {
            throw new IllegalArgumentException("chart too small: " + widthPx + "x" + heightPx + " (min 320x240)");
        }
        width = widthPx;
        height = heightPx;
        return this;
    }

    /** The number of segment marks drawn: segments whose time lies in the window. */
    public int segmentMarks() {
        int n = 0;
        long[] w = timeWindow();
        for (Segment s : segments) {
            n += s.timeNs() >= w[0] && s.timeNs() <= w[1] ? 1 : 0;
        }
        return n;
    }

    public void writeSvg(Writer out) throws IOException {
        Frame f = frame();
        Render.svg(f.l.width, f.l.height, c -> render(c, f), out);
    }

    public String svg() {
        Frame f = frame();
        return Render.svg(f.l.width, f.l.height, c -> render(c, f));
    }

    public void writePng(Path file) throws IOException {
        Frame f = frame();
        Render.png(f.l.width, f.l.height, c -> render(c, f), file);
    }

    /** Writes {@code dir/name.svg} and {@code dir/name.png}. */
    public void write(Path dir, String name) throws IOException {
        Frame f = frame();
        Render.both(f.l.width, f.l.height, c -> render(c, f), dir, name);
    }

    // ---------------------------------------------------------------- drawing

    /** The window asked for, or the span of all events. */
    private long[] timeWindow() {
        if (windowSet) {
            return new long[] {fromNs, toNs};
        }
        long a = Long.MAX_VALUE;
        long b = Long.MIN_VALUE;
        for (Segment s : segments) {
            a = Math.min(a, s.timeNs());
            b = Math.max(b, s.timeNs());
        }
        for (Ack k : acks) {
            a = Math.min(a, k.timeNs());
            b = Math.max(b, k.timeNs());
        }
        return a > b ? new long[] {0, 1_000_000_000L} : new long[] {a, Math.max(b, a + 1)};
    }

    /** One ACK line step: from this time on, {@code ack} is acknowledged and {@code edge} offered. */
    private record Step(long timeNs, long ack, long edge) {
    }

    /** The highest ACK over time (older, reordered ACKs ignored), starting with the one before the window. */
    private List<Step> steps(long from, long to) {
        List<Step> out = new ArrayList<>();
        long high = Long.MIN_VALUE;
        for (Ack k : acks) {
            if (k.timeNs() > to) {
                break;
            }
            if (k.ack() < high) {
                continue;
            }
            high = k.ack();
            Step s = new Step(Math.max(k.timeNs(), from), k.ack(), k.ack() + Math.max(0, k.window()));
            if (k.timeNs() < from && !out.isEmpty()) {
                out.set(0, s); // only the last one before the window counts
            } else if (!out.isEmpty() && out.getLast().timeNs() == s.timeNs()) {
                out.set(out.size() - 1, s);
            } else {
                out.add(s);
            }
        }
        return out;
    }

    /** The layout and the units: time in ns / tUnit, sequence numbers in (seq - base) / yUnit. */
    private record Frame(Layout l, long[] w, double tUnit, double yUnit, long base, List<Step> steps) {
    }

    private Frame frame() {
        long[] w = timeWindow();
        long span = w[1] - w[0];
        boolean ms = span < 1_000_000_000L && w[1] <= 10_000_000_000L;
        double tUnit = ms ? 1e6 : 1e9;
        List<Step> steps = steps(w[0], w[1]);
        long base = seqBase != null ? seqBase : segments.stream().mapToLong(Segment::seq).min()
                .orElse(steps.isEmpty() ? 0 : steps.getFirst().ack());
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        boolean anyRetx = false;
        for (Segment s : segments) {
            if (s.timeNs() >= w[0] && s.timeNs() <= w[1]) {
                lo = Math.min(lo, s.seq());
                hi = Math.max(hi, s.seq() + s.length());
                anyRetx |= s.retransmission();
            }
        }
        for (Step s : steps) {
            lo = Math.min(lo, s.ack());
            hi = Math.max(hi, s.edge());
        }
        if (lo > hi) {
            lo = base;
            hi = base + 1;
        }
        boolean kib = hi - lo > KIB_ABOVE;
        double yUnit = kib ? 1024 : 1;

        List<LegendEntry> legend = new ArrayList<>();
        legend.add(new LegendEntry("data segment", SEGMENT, null, null, false, true));
        if (anyRetx) {
            legend.add(new LegendEntry("retransmission", RETRANSMISSION, null, null, false, true));
        }
        legend.add(new LegendEntry("highest sequence number ACKed", ACKED, Stroke.DOTTED, null, false, false));
        legend.add(new LegendEntry("window offered by the receiver (ACK + window)", WINDOW, Stroke.THIN, null, false,
                false));
        Layout l = new Layout(width, height, title, notes, legend, "time (" + (ms ? "ms" : "s") + ")",
                "relative sequence number (" + (kib ? "KiB" : "bytes") + ")",
                w[0] / tUnit, w[1] / tUnit, !windowSet, (lo - base) / yUnit, (hi - base) / yUnit, true);
        return new Frame(l, w, tUnit, yUnit, base, steps);
    }

    private void render(Canvas c, Frame f) {
        Layout l = f.l;
        long[] w = f.w;
        double tUnit = f.tUnit;
        double yUnit = f.yUnit;
        long base = f.base;
        List<Step> steps = f.steps;
        l.drawUnder(c);

        l.clipToPlot(c);
        if (!steps.isEmpty()) {
            double endX = l.px(l.x.hi);
            PathData ackLine = new PathData();
            PathData edgeLine = new PathData();
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                double x = l.px(s.timeNs() / tUnit);
                double ya = l.py((s.ack() - base) / yUnit);
                double ye = l.py((s.edge() - base) / yUnit);
                if (i == 0) {
                    ackLine.moveTo(x, ya);
                    edgeLine.moveTo(x, ye);
                } else {
                    ackLine.lineTo(x, ackLine.y(ackLine.size() - 1)).lineTo(x, ya);
                    edgeLine.lineTo(x, edgeLine.y(edgeLine.size() - 1)).lineTo(x, ye);
                }
            }
            ackLine.lineTo(endX, ackLine.y(ackLine.size() - 1));
            edgeLine.lineTo(endX, edgeLine.y(edgeLine.size() - 1));
            c.group("window", "window offered");
            c.shape("window", edgeLine, Canvas.NONE, WINDOW, Stroke.THIN);
            c.endGroup();
            c.group("acked", "highest ACK");
            c.shape("acked", ackLine, Canvas.NONE, ACKED, Stroke.DOTTED);
            c.endGroup();
        }
        c.endClip();

        c.group("segments", "data segments");
        boolean heads = segmentMarks() * 3 <= l.right - l.left; // denser, arrow heads would merge into a smear
        for (Segment s : segments) {
            if (s.timeNs() < w[0] || s.timeNs() > w[1]) {
                continue;
            }
            double x = l.px(s.timeNs() / tUnit);
            double y0 = l.py((s.seq() - base) / yUnit);
            double y1 = l.py((s.seq() + s.length() - base) / yUnit);
            int rgb = s.retransmission() ? RETRANSMISSION : SEGMENT;
            PathData mark = heads ? arrow(x, y0, y1) : new PathData().moveTo(x, y0).lineTo(x, Math.min(y1, y0 - 1));
            c.shape(s.retransmission() ? "retransmission" : "segment", mark, rgb, rgb, Stroke.HAIR);
        }
        c.endGroup();
        l.drawOver(c);
    }

    /** A vertical arrow from {@code yFrom} up to {@code yTo} at {@code x}: a foot tick, a shaft, a head. */
    static PathData arrow(double x, double yFrom, double yTo) {
        double head = Math.min(5, Math.max(3, (yFrom - yTo) * 0.6));
        return new PathData().moveTo(x - 2, yFrom).lineTo(x + 2, yFrom).moveTo(x, yFrom).lineTo(x, yTo)
                .moveTo(x - 2.5, yTo + head).lineTo(x, yTo).lineTo(x + 2.5, yTo + head).close();
    }
}
