package nemesis.kernel.trace;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.TexturePaint;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import javax.imageio.ImageIO;
import nemesis.atropos.ActivationReason;

/**
 * Draws a {@link ScheduleTrace} as a Gantt chart: one row per domain, a bar for each stretch of CPU it
 * received (solid for guaranteed time, lighter and hatched for extra time), a letter for the reason of
 * each activation, optional period boundaries, a time axis and a legend.
 *
 * <p>The geometry is computed once and replayed on an SVG or a PNG canvas, so both show the same
 * picture. Output size is bounded by the pixel width, not the trace length: bars at least one pixel
 * wide that are less than half a pixel apart are merged, and stretches narrower than a pixel are summed
 * per pixel column and drawn as a column whose height is the domain's share of that column.
 */
public final class GanttChart {
    /**
     * What to draw: the window [{@code fromNs}, {@code toNs}), the image width, a title, the label of
     * each row (by domain id; null = the domain's name) and, per domain id, when a period began and how
     * long periods are (null arrays or a 0 period = no period marks).
     */
    public record Options(long fromNs, long toNs, int widthPx, String title, IntFunction<String> rowLabel,
                          long[] periodStartNs, long[] periodNs) {
        public Options {
            if (toNs <= fromNs) {
                throw new IllegalArgumentException("empty window [" + fromNs + ", " + toNs + ")");
            }
            if (widthPx < MIN_WIDTH) {
                throw new IllegalArgumentException("widthPx " + widthPx + " < " + MIN_WIDTH);
            }
            periodStartNs = periodStartNs == null ? null : periodStartNs.clone();
            periodNs = periodNs == null ? null : periodNs.clone();
        }

        public static Options window(long fromNs, long toNs, String title) {
            return new Options(fromNs, toNs, 1400, title, null, null, null);
        }

        public Options withRowLabels(IntFunction<String> f) {
            return new Options(fromNs, toNs, widthPx, title, f, periodStartNs, periodNs);
        }

        public Options withPeriods(long[] periodStartNs, long[] periodNs) {
            return new Options(fromNs, toNs, widthPx, title, rowLabel, periodStartNs, periodNs);
        }

        public Options withWidth(int px) {
            return new Options(fromNs, toNs, px, title, rowLabel, periodStartNs, periodNs);
        }
    }

    static final int MIN_WIDTH = 300;
    static final int TOP = 40;          // rows start here, below the title
    static final int ROW_H = 28;
    static final int BAR_OFF = 11;      // bar top within a row; the reason letters sit above it
    static final int BAR_H = 15;
    static final double MARK_MIN_PX = 6; // narrower bars get no reason letter: it would clutter
    private static final double PERIOD_MIN_PX = 8;
    private static final int RIGHT = 28;
    private static final int LEGEND_LINE = 18;
    private static final String CODES = "APXER"; // by ActivationReason ordinal
    private static final ActivationReason[] REASONS = ActivationReason.values();

    /** Tableau 10: distinguishable, also for most colour-blind viewers, and calm. */
    static final int[] PALETTE = {
        0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F, 0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC
    };
    private static final int LEGEND_GREY = 0x707070;
    private static final int STRIPE = 0xF4F5F7;
    private static final int GRID = 0xE2E2E2;
    private static final int INK = 0x222222;

    private GanttChart() {
    }

    public static void writeSvg(ScheduleTrace trace, Options o, Writer out) throws IOException {
        Layout l = new Layout(trace, o);
        Svg svg = new Svg(l.width, l.height);
        render(trace, o, l, svg);
        out.write(svg.finish());
        out.flush();
    }

    public static void writePng(ScheduleTrace trace, Options o, Path file) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // before AWT initialises: no display here
        }
        Layout l = new Layout(trace, o);
        BufferedImage img = new BufferedImage(l.width, l.height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            render(trace, o, l, new Png(g));
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    // ---------------------------------------------------------------- layout

    /** Sizes and the time axis; text widths are estimated from monospace advance (0.6 em). */
    private static final class Layout {
        final int width;
        final int height;
        final int plotX;
        final int plotW;
        final int rowsBottom;
        final double scale; // px per ns
        final long step;    // between axis ticks, ns
        final int unitExp;  // 0 ns, 3 us, 6 ms, 9 s
        final String[] labels;
        final List<Legend> legend = new ArrayList<>();
        final int legendTop;

        Layout(ScheduleTrace trace, Options o) {
            width = o.widthPx();
            int n = trace.domainCount();
            IntFunction<String> label = o.rowLabel() != null ? o.rowLabel() : trace::domainName;
            int maxChars = 4;
            labels = new String[n];
            for (int d = 0; d < n; d++) {
                labels[d] = String.valueOf(label.apply(d));
                maxChars = Math.max(maxChars, labels[d].length());
            }
            int maxLabelChars = (int) ((width * 0.4 - 20) / Style.LABEL.advance());
            for (int d = 0; d < n; d++) {
                if (labels[d].length() > maxLabelChars) {
                    labels[d] = labels[d].substring(0, maxLabelChars - 1) + "\u2026";
                }
            }
            plotX = (int) Math.ceil(8 + Math.min(maxChars, maxLabelChars) * Style.LABEL.advance() + 12);
            plotW = width - plotX - RIGHT;
            rowsBottom = TOP + n * ROW_H;
            long span = o.toNs() - o.fromNs();
            scale = (double) plotW / span;
            unitExp = span < 10_000L ? 0 : span < 10_000_000L ? 3 : span < 10_000_000_000L ? 6 : 9;
            step = tickStep(o, span);

            legend.add(new Legend(Swatch.SOLID, "guaranteed"));
            legend.add(new Legend(Swatch.HATCH, "extra time"));
            legend.add(new Legend(Swatch.SHORT, "short bar = share of a crowded pixel"));
            if (o.periodNs() != null || trace.periodCount() > 0) {
                legend.add(new Legend(Swatch.TICK, "period boundary"));
            }
            legend.add(new Legend(Swatch.NONE, "colour = domain;  activation:"));
            for (ActivationReason r : REASONS) {
                legend.add(new Legend(Swatch.LETTER, r.name().toLowerCase(Locale.ROOT)));
            }
            legendTop = rowsBottom + 46;
            int lines = 1;
            double x = 8;
            for (Legend e : legend) {
                if (x + e.width() > width - 8 && x > 8) {
                    lines++;
                    x = 8;
                }
                x += e.width();
            }
            height = legendTop + lines * LEGEND_LINE;
        }

        /** A 1-2-5 step whose tick labels fit between ticks, ~100 px apart. */
        private long tickStep(Options o, long span) {
            long s = 1;
            double want = span * 100.0 / plotW;
            while (s < want) {
                s = nextNice(s);
            }
            while (true) {
                long first = Math.ceilDiv(o.fromNs(), s) * s;
                int chars = Math.max(axisLabel(first, unitExp).length(), axisLabel(o.toNs(), unitExp).length());
                if (chars * Style.TICK.advance() + 16 <= s * scale || s > span) {
                    return s;
                }
                s = nextNice(s);
            }
        }

        double x(long ns, long fromNs) {
            return plotX + (ns - fromNs) * scale;
        }
    }

    private static long nextNice(long s) {
        long p = 1;
        while (p * 10 <= s) {
            p *= 10;
        }
        long m = s / p;
        return m < 2 ? 2 * p : m < 5 ? 5 * p : 10 * p;
    }

    private static String axisLabel(long ns, int unitExp) {
        return BigDecimal.valueOf(ns).movePointLeft(unitExp).stripTrailingZeros().toPlainString();
    }

    private static String unitName(int unitExp) {
        return switch (unitExp) {
            case 0 -> "ns";
            case 3 -> "\u00b5s";
            case 6 -> "ms";
            default -> "s";
        };
    }

    private enum Swatch { NONE, SOLID, HATCH, SHORT, TICK, LETTER }

    private record Legend(Swatch swatch, String text) {
        double width() {
            double sw = swatch == Swatch.NONE ? 0 : 18;
            return sw + text.length() * Style.LEGEND.advance() + 16;
        }
    }

    // ---------------------------------------------------------------- drawing

    /** A fill: a colour, or a light colour hatched with a darker one. */
    private record Fill(int rgb, int hatchRgb, boolean hatched) {
        static Fill solid(int rgb) {
            return new Fill(rgb, 0, false);
        }

        static Fill hatch(int base) {
            return new Fill(lighter(base), base, true);
        }
    }

    private record Bar(double x0, double x1, int firstRow, int lastRow, int count) {
    }

    private record Mark(double x, int row, char code) {
    }

    private static void render(ScheduleTrace trace, Options o, Layout l, Canvas c) {
        int n = trace.domainCount();
        long from = o.fromNs();
        long to = o.toNs();
        c.rect("bg", 0, 0, l.width, l.height, Fill.solid(0xFFFFFF), null);
        for (int d = 0; d < n; d += 2) { // stripes lead the eye from a label to its row
            c.rect("stripe", 0, TOP + d * ROW_H, l.width, ROW_H, Fill.solid(STRIPE), null);
        }
        if (o.title() != null && !o.title().isEmpty()) {
            c.text("title", 8, 24, o.title(), Style.TITLE, INK, -1);
        }
        for (long t = Math.ceilDiv(from, l.step) * l.step; t < to; t += l.step) {
            double x = Math.floor(l.x(t, from)) + 0.5;
            c.line("grid", x, TOP, x, l.rowsBottom, GRID);
        }
        for (int d = 0; d < n; d++) {
            c.text("label", 8, TOP + d * ROW_H + BAR_OFF + BAR_H / 2.0 + 4, l.labels[d], Style.LABEL, INK, -1);
        }

        // One pass over the rows in the window: wide bars are merged while under half a pixel apart,
        // sub-pixel ones are summed into per-column shares.
        List<List<Bar>> bars = new ArrayList<>();
        for (int k = 0; k < 2 * n; k++) {
            bars.add(new ArrayList<>());
        }
        double[][] share = new double[2 * n][];
        double[] px0 = new double[2 * n];
        double[] px1 = new double[2 * n];
        int[] pFirst = new int[2 * n];
        int[] pLast = new int[2 * n];
        int[] pCount = new int[2 * n];
        List<Mark> marks = new ArrayList<>();
        for (int i = trace.firstEndingAfter(from); i < trace.size() && trace.start(i) < to; i++) {
            int d = trace.domain(i);
            int k = 2 * d + (trace.extra(i) ? 1 : 0);
            double a = (Math.max(trace.start(i), from) - from) * l.scale;
            double b = (Math.min(trace.end(i), to) - from) * l.scale;
            if (b - a >= 1) {
                if (pCount[k] > 0 && a - px1[k] < 0.5) {
                    px1[k] = b;
                    pLast[k] = i;
                    pCount[k]++;
                } else {
                    flush(bars.get(k), px0[k], px1[k], pFirst[k], pLast[k], pCount[k]);
                    px0[k] = a;
                    px1[k] = b;
                    pFirst[k] = i;
                    pLast[k] = i;
                    pCount[k] = 1;
                }
                if (b - a >= MARK_MIN_PX && trace.start(i) >= from && activated(trace, i)) {
                    marks.add(new Mark(l.plotX + a, d, CODES.charAt(trace.reason(i).ordinal())));
                }
            } else {
                if (share[k] == null) {
                    share[k] = new double[l.plotW];
                }
                addShare(share[k], a, b);
            }
        }
        for (int k = 0; k < 2 * n; k++) {
            flush(bars.get(k), px0[k], px1[k], pFirst[k], pLast[k], pCount[k]);
        }

        for (int d = 0; d < n; d++) {
            int base = PALETTE[d % PALETTE.length];
            double barTop = TOP + d * ROW_H + BAR_OFF;
            drawShares(c, l, share[2 * d], share[2 * d + 1], barTop + BAR_H, base);
            for (int m = 0; m < 2; m++) {
                Fill f = m == 0 ? Fill.solid(base) : Fill.hatch(base);
                for (Bar bar : bars.get(2 * d + m)) {
                    c.rect("bar", l.plotX + bar.x0(), barTop, bar.x1() - bar.x0(), BAR_H, f,
                            tooltip(trace, l, bar, m == 1));
                }
            }
        }
        drawPeriods(c, trace, o, l, n);
        for (Mark mk : marks) {
            c.text("reason", mk.x() + 1, TOP + mk.row() * ROW_H + BAR_OFF - 1, String.valueOf(mk.code()),
                    Style.MARK, INK, -1);
        }
        drawAxis(c, o, l);
        drawLegend(c, l);
    }

    /** Whether row i began with a context switch, not with a mode change of the running domain. */
    private static boolean activated(ScheduleTrace t, int i) {
        if (i == 0) {
            return true;
        }
        int p = i - 1;
        // Same domain, no gap: if the mode is also the same, record() would have merged the rows
        // unless an activation separated them.
        return t.domain(p) != t.domain(i) || t.end(p) != t.start(i) || t.extra(p) == t.extra(i);
    }

    private static void flush(List<Bar> out, double x0, double x1, int first, int last, int count) {
        if (count > 0) {
            out.add(new Bar(x0, x1, first, last, count));
        }
    }

    private static void addShare(double[] col, double a, double b) {
        int max = col.length - 1;
        int c0 = Math.min((int) a, max);
        int c1 = Math.min((int) b, max);
        if (c0 == c1) {
            col[c0] += b - a;
        } else {
            col[c0] += c0 + 1 - a;
            col[c1] += b - c1;
        }
    }

    /** Columns of sub-pixel stretches, as high as the domain's share of each pixel; extra on top. */
    private static void drawShares(Canvas c, Layout l, double[] g, double[] x, double bottom, int base) {
        if (g == null && x == null) {
            return;
        }
        Fill gf = Fill.solid(base);
        Fill xf = Fill.hatch(base);
        List<double[]> xs = new ArrayList<>(); // extra columns, drawn after so the SVG groups them
        int cols = l.plotW;
        int c0 = 0;
        while (c0 < cols) {
            int hg = height(g, c0);
            int hx = height(x, c0);
            int c1 = c0 + 1;
            while (c1 < cols && height(g, c1) == hg && height(x, c1) == hx) {
                c1++;
            }
            hx = Math.min(hx, BAR_H - hg);
            if (hg > 0) {
                c.rect("share", l.plotX + c0, bottom - hg, c1 - c0, hg, gf, null);
            }
            if (hx > 0) {
                xs.add(new double[] {l.plotX + c0, bottom - hg - hx, c1 - c0, hx});
            }
            c0 = c1;
        }
        for (double[] r : xs) {
            c.rect("share", r[0], r[1], r[2], r[3], xf, null);
        }
    }

    private static int height(double[] col, int c) {
        if (col == null || col[c] <= 0) {
            return 0;
        }
        return (int) Math.max(1, Math.min(BAR_H, Math.round(col[c] * BAR_H)));
    }

    private static String tooltip(ScheduleTrace t, Layout l, Bar b, boolean extra) {
        int d = t.domain(b.firstRow());
        StringBuilder s = new StringBuilder(80)
                .append(t.domainName(d)).append(extra ? " extra " : " guaranteed ")
                .append(axisLabel(t.start(b.firstRow()), l.unitExp)).append('-')
                .append(axisLabel(t.end(b.lastRow()), l.unitExp)).append(' ').append(unitName(l.unitExp))
                .append(", ").append(t.reason(b.firstRow()).name().toLowerCase(Locale.ROOT));
        if (b.count() > 1) {
            s.append(" (").append(b.count()).append(" stretches)");
        }
        return s.toString();
    }

    private static void drawPeriods(Canvas c, ScheduleTrace t, Options o, Layout l, int n) {
        if (t.periodCount() > 0) {
            drawRecordedPeriods(c, t, o, l, n);
            return;
        }
        long[] starts = o.periodStartNs();
        long[] periods = o.periodNs();
        if (starts == null || periods == null) {
            return;
        }
        for (int d = 0; d < Math.min(n, Math.min(starts.length, periods.length)); d++) {
            long p = periods[d];
            if (p <= 0 || p * l.scale < PERIOD_MIN_PX) { // denser, the marks would hide the bars
                continue;
            }
            long t0 = starts[d] + Math.ceilDiv(o.fromNs() - starts[d], p) * p;
            for (long at = t0; at < o.toNs(); at += p) {
                periodMark(c, o, l, d, at);
            }
        }
    }

    /** The period starts the scheduler recorded: exact even for domains that block. */
    private static void drawRecordedPeriods(Canvas c, ScheduleTrace t, Options o, Layout l, int n) {
        int[] inWindow = new int[n];
        for (int i = 0; i < t.periodCount(); i++) {
            long at = t.periodStartNs(i);
            if (at >= o.fromNs() && at < o.toNs() && t.periodDomain(i) < n) {
                inWindow[t.periodDomain(i)]++;
            }
        }
        for (int i = 0; i < t.periodCount(); i++) {
            int d = t.periodDomain(i);
            long at = t.periodStartNs(i);
            // Denser on average than PERIOD_MIN_PX apart, the marks would hide the bars.
            if (d < n && at >= o.fromNs() && at < o.toNs() && l.plotW >= inWindow[d] * PERIOD_MIN_PX) {
                periodMark(c, o, l, d, at);
            }
        }
    }

    private static void periodMark(Canvas c, Options o, Layout l, int d, long at) {
        double top = TOP + d * ROW_H + 2;
        double bottom = TOP + d * ROW_H + BAR_OFF + BAR_H + 1;
        double x = Math.floor(l.x(at, o.fromNs())) + 0.5;
        c.line("period", x, top, x, bottom, INK);
    }

    private static void drawAxis(Canvas c, Options o, Layout l) {
        int y = l.rowsBottom;
        c.line("axis", l.plotX, y + 0.5, l.plotX + l.plotW, y + 0.5, INK);
        long first = Math.ceilDiv(o.fromNs(), l.step) * l.step;
        for (long t = first; t < o.toNs(); t += l.step) {
            double x = Math.floor(l.x(t, o.fromNs())) + 0.5;
            c.line("axis", x, y, x, y + 5, INK);
        }
        for (long t = first; t < o.toNs(); t += l.step) {
            double x = Math.floor(l.x(t, o.fromNs())) + 0.5;
            c.text("tick", x, y + 17, axisLabel(t, l.unitExp), Style.TICK, INK, 0);
        }
        c.text("tick", l.plotX + l.plotW / 2.0, y + 33, "time (" + unitName(l.unitExp) + ")", Style.LEGEND, INK,
                0);
    }

    private static void drawLegend(Canvas c, Layout l) {
        double x = 8;
        double y = l.legendTop;
        int letter = 0;
        for (Legend e : l.legend) {
            if (x + e.width() > l.width - 8 && x > 8) {
                x = 8;
                y += LEGEND_LINE;
            }
            double sx = x;
            double top = y - 10;
            switch (e.swatch()) {
                case SOLID -> c.rect("legend", sx, top, 14, 11, Fill.solid(LEGEND_GREY), null);
                case HATCH -> c.rect("legend", sx, top, 14, 11, Fill.hatch(LEGEND_GREY), null);
                case SHORT -> {
                    c.rect("legend", sx, top + 7, 4, 4, Fill.solid(LEGEND_GREY), null);
                    c.rect("legend", sx + 5, top + 3, 4, 8, Fill.solid(LEGEND_GREY), null);
                    c.rect("legend", sx + 10, top + 5, 4, 6, Fill.solid(LEGEND_GREY), null);
                }
                case TICK -> c.line("legend", sx + 7.5, top - 2, sx + 7.5, top + 12, INK);
                case LETTER -> c.text("legend", sx + 3, y, String.valueOf(CODES.charAt(letter++)), Style.MARK, INK,
                        -1);
                case NONE -> sx -= 18;
            }
            c.text("legend", sx + 18, y, e.text(), Style.LEGEND, INK, -1);
            x += e.width();
        }
    }

    private static int lighter(int rgb) {
        int r = rgb >> 16 & 0xFF;
        int g = rgb >> 8 & 0xFF;
        int b = rgb & 0xFF;
        return mix(r) << 16 | mix(g) << 8 | mix(b);
    }

    private static int mix(int v) {
        return v + (255 - v) * 3 / 5;
    }

    // ---------------------------------------------------------------- canvases

    private enum Style {
        TITLE("sans-serif", true, 15),
        LABEL("monospace", false, 12),
        TICK("monospace", false, 10),
        MARK("monospace", true, 10),
        LEGEND("monospace", false, 11);

        final String family;
        final boolean bold;
        final int size;

        Style(String family, boolean bold, int size) {
            this.family = family;
            this.bold = bold;
            this.size = size;
        }

        double advance() {
            return 0.61 * size;
        }
    }

    /** What render() draws on. anchor: -1 start, 0 middle, 1 end. */
    private interface Canvas {
        void rect(String cls, double x, double y, double w, double h, Fill f, String tooltip);

        void line(String cls, double x0, double y0, double x1, double y1, int rgb);

        void text(String cls, double x, double y, String s, Style st, int rgb, int anchor);
    }

    /** SVG as text. Consecutive shapes of one kind share a group (or one path), to keep files small. */
    private static final class Svg implements Canvas {
        private final StringBuilder defs = new StringBuilder();
        private final StringBuilder body = new StringBuilder(1 << 16);
        private final List<Integer> patterns = new ArrayList<>();
        private final int width;
        private final int height;
        private String group; // key of the open <g> or path
        private final StringBuilder path = new StringBuilder();

        Svg(int width, int height) {
            this.width = width;
            this.height = height;
        }

        @Override
        public void rect(String cls, double x, double y, double w, double h, Fill f, String tooltip) {
            String fill = fill(f);
            open("g:" + cls + ":" + fill, "<g class=\"" + cls + "\" fill=\"" + fill + "\">\n");
            body.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y))
                    .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h)).append('"');
            if (tooltip == null) {
                body.append("/>\n");
            } else {
                body.append("><title>");
                escape(tooltip);
                body.append("</title></rect>\n");
            }
        }

        @Override
        public void line(String cls, double x0, double y0, double x1, double y1, int rgb) {
            String key = "p:" + cls + ":" + hex(rgb);
            if (!key.equals(group)) {
                close();
                group = key;
            }
            path.append('M').append(num(x0)).append(' ').append(num(y0))
                    .append('L').append(num(x1)).append(' ').append(num(y1));
        }

        @Override
        public void text(String cls, double x, double y, String s, Style st, int rgb, int anchor) {
            String a = anchor < 0 ? "start" : anchor == 0 ? "middle" : "end";
            open("t:" + cls + ":" + st + ":" + rgb + ":" + a,
                    "<g class=\"" + cls + "\" font-family=\"" + st.family + "\" font-size=\"" + st.size + "\""
                            + (st.bold ? " font-weight=\"bold\"" : "") + " fill=\"" + hex(rgb) + "\""
                            + (anchor < 0 ? "" : " text-anchor=\"" + a + "\"") + ">\n");
            body.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\">");
            escape(s);
            body.append("</text>\n");
        }

        private void open(String key, String tag) {
            if (!key.equals(group)) {
                close();
                group = key;
                body.append(tag);
            }
        }

        private void close() {
            if (group == null) {
                return;
            }
            if (group.startsWith("p:")) {
                String[] k = group.split(":");
                body.append("<path class=\"").append(k[1]).append("\" fill=\"none\" stroke=\"").append(k[2])
                        .append("\" stroke-width=\"1\" d=\"").append(path).append("\"/>\n");
                path.setLength(0);
            } else {
                body.append("</g>\n");
            }
            group = null;
        }

        private String fill(Fill f) {
            if (!f.hatched()) {
                return hex(f.rgb());
            }
            String id = "h" + hex(f.hatchRgb()).substring(1);
            if (!patterns.contains(f.hatchRgb())) {
                patterns.add(f.hatchRgb());
                // userSpaceOnUse: the stripes of neighbouring bars line up
                defs.append("<pattern id=\"").append(id)
                        .append("\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">")
                        .append("<rect width=\"6\" height=\"6\" fill=\"").append(hex(f.rgb())).append("\"/>")
                        .append("<path d=\"M-1 1L1 -1M0 6L6 0M5 7L7 5\" stroke=\"").append(hex(f.hatchRgb()))
                        .append("\" stroke-width=\"1.5\" shape-rendering=\"auto\"/></pattern>\n");
            }
            return "url(#" + id + ")";
        }

        String finish() {
            close();
            return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                    + "\" viewBox=\"0 0 " + width + " " + height + "\" xml:space=\"preserve\""
                    + " shape-rendering=\"crispEdges\">\n"
                    + "<defs>\n" + defs + "</defs>\n" + body + "</svg>\n";
        }

        /** XML-escaped, and non-ASCII as character references: correct whatever the Writer's charset. */
        private void escape(String s) {
            s.codePoints().forEach(cp -> {
                switch (cp) {
                    case '&' -> body.append("&amp;");
                    case '<' -> body.append("&lt;");
                    case '>' -> body.append("&gt;");
                    case '"' -> body.append("&quot;");
                    default -> {
                        if (cp >= 0x20 && cp < 0x7F) {
                            body.append((char) cp);
                        } else if (cp == '\t' || cp >= 0xA0) {
                            body.append("&#").append(cp).append(';');
                        } else {
                            body.append('?'); // control characters are not allowed in XML 1.0
                        }
                    }
                }
            });
        }

        private static String hex(int rgb) {
            return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
        }

        /** At most two decimals, no locale, no exponent. */
        private static String num(double v) {
            long t = Math.round(v * 100);
            StringBuilder s = new StringBuilder(12);
            if (t < 0) {
                s.append('-');
                t = -t;
            }
            s.append(t / 100);
            long f = t % 100;
            if (f != 0) {
                s.append('.').append(f / 10);
                if (f % 10 != 0) {
                    s.append(f % 10);
                }
            }
            return s.toString();
        }
    }

    /** Java2D on a BufferedImage. Shapes are not antialiased, so bars keep crisp, exact colours. */
    private static final class Png implements Canvas {
        private final Graphics2D g;
        private final Map<Integer, TexturePaint> hatches = new HashMap<>(); // lookup only, never iterated
        private final Map<Style, Font> fonts = new HashMap<>();

        Png(Graphics2D g) {
            this.g = g;
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setStroke(new BasicStroke(1f));
        }

        @Override
        public void rect(String cls, double x, double y, double w, double h, Fill f, String tooltip) {
            g.setPaint(f.hatched() ? hatch(f) : new Color(f.rgb()));
            g.fill(new Rectangle2D.Double(x, y, w, h));
        }

        @Override
        public void line(String cls, double x0, double y0, double x1, double y1, int rgb) {
            g.setColor(new Color(rgb));
            g.draw(new Line2D.Double(x0, y0, x1, y1));
        }

        @Override
        public void text(String cls, double x, double y, String s, Style st, int rgb, int anchor) {
            Font font = fonts.computeIfAbsent(st, k -> new Font(
                    k.family.equals("monospace") ? Font.MONOSPACED : Font.SANS_SERIF,
                    k.bold ? Font.BOLD : Font.PLAIN, k.size));
            g.setFont(font);
            g.setColor(new Color(rgb));
            if (anchor >= 0) {
                FontMetrics fm = g.getFontMetrics();
                x -= anchor == 0 ? fm.stringWidth(s) / 2.0 : fm.stringWidth(s);
            }
            g.drawString(s, (float) x, (float) y);
        }

        /** The SVG pattern drawn into a 6x6 tile anchored at the origin, so stripes line up too. */
        private TexturePaint hatch(Fill f) {
            return hatches.computeIfAbsent(f.hatchRgb(), k -> {
                BufferedImage tile = new BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB);
                Graphics2D t = tile.createGraphics();
                t.setColor(new Color(f.rgb()));
                t.fillRect(0, 0, 6, 6);
                t.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                t.setColor(new Color(f.hatchRgb()));
                t.setStroke(new BasicStroke(1.5f));
                Path2D.Double p = new Path2D.Double();
                p.moveTo(-1, 1);
                p.lineTo(1, -1);
                p.moveTo(0, 6);
                p.lineTo(6, 0);
                p.moveTo(5, 7);
                p.lineTo(7, 5);
                t.draw(p);
                t.dispose();
                return new TexturePaint(tile, new Rectangle2D.Double(0, 0, 6, 6));
            });
        }
    }
}
