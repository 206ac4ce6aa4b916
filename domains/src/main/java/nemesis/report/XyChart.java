package nemesis.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Line, step and point series on linear axes, written as SVG and PNG (the same picture):
 * <pre>{@code
 * XyChart.of("Figure 6: ...", "carnage CPU share (%)", "throughput (Mb/s)")
 *     .annotation("100 Mb/s Ethernet, P200 cost model, seed 1")
 *     .series("emulated", points, XyChart.Style.LINE_AND_POINTS)
 *     .series("paper", paperPoints, XyChart.Style.HOLLOW_POINTS)
 *     .xRange(0, 80).yRange(0, 60)
 *     .write(dir, "figure6");            // figure6.svg and figure6.png
 * }</pre>
 * Series take colours from the Okabe-Ito palette (safe for colour-blind readers) and marker shapes in
 * turn. Without a range the axes take nice (1-2-5) bounds around the data, y from 0 (or below, for
 * negative data). A NaN coordinate breaks a line. The chart is a mutable builder; rendering does not
 * change it, and the same chart renders to byte-identical files.
 */
public final class XyChart {
    /** How a series is drawn. */
    public enum Style {
        /** Points joined by straight lines. */
        LINE,
        /** A dashed line, e.g. an ideal or fitted line. */
        DASHED_LINE,
        /**
         * A step line for values sampled per interval: {@code y[i]} holds from {@code x[i]} to {@code x[i+1]};
         * the last value holds for as long as the interval before it.
         */
        STEP,
        /** Filled markers. */
        POINTS,
        /** Hollow markers, e.g. reference values read off the paper. */
        HOLLOW_POINTS,
        /** Filled markers joined by a thinner line. */
        LINE_AND_POINTS
    }

    /** Okabe-Ito, without its yellow (too faint on white) and with black last. */
    static final int[] PALETTE = {0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000};
    private static final Marker[] MARKERS = Marker.values();
    private static final double MARKER_R = 4.5;

    private record Series(String name, double[] xs, double[] ys, Style style, int colour, Marker marker,
                          double slope, double intercept, boolean isLine) {
    }

    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final List<String> notes = new ArrayList<>();
    private final List<Series> series = new ArrayList<>();
    private double xLo = Double.NaN;
    private double xHi = Double.NaN;
    private double yLo = Double.NaN;
    private double yHi = Double.NaN;
    private int width = 900;
    private int height = 560;

    private XyChart(String title, String xTitle, String yTitle) {
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
    }

    public static XyChart of(String title, String xAxisTitle, String yAxisTitle) {
        return new XyChart(title, xAxisTitle, yAxisTitle);
    }

    /** A line of small grey text under the title (run conditions, say); may be called again for more lines. */
    public XyChart annotation(String text) {
        for (String line : text.split("\n", -1)) {
            notes.add(line);
        }
        return this;
    }

    /** A series of {x, y} pairs; a null or empty name leaves it out of the legend. */
    public XyChart series(String name, double[][] points, Style style) {
        return series(name, List.of(points), style);
    }

    public XyChart series(String name, List<double[]> points, Style style) {
        Objects.requireNonNull(style, "style");
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < xs.length; i++) {
            double[] p = points.get(i);
            if (p.length < 2) {
                throw new IllegalArgumentException("point " + i + " of series " + name + " has " + p.length
                        + " coordinates, not 2");
            }
            xs[i] = p[0];
            ys[i] = p[1];
        }
        return add(new Series(name, xs, ys, style, series.size(), MARKERS[series.size() % MARKERS.length], 0, 0,
                false));
    }

    /**
     * The straight line {@code y = slope * x + intercept} across the whole x range (see {@link #fitLine});
     * it does not widen the default ranges. Style LINE or DASHED_LINE.
     */
    public XyChart line(String name, double slope, double intercept, Style style) {
        if (style != Style.LINE && style != Style.DASHED_LINE) {
            throw new IllegalArgumentException("a straight line is drawn LINE or DASHED_LINE, not " + style);
        }
        return add(new Series(name, new double[0], new double[0], style, series.size(), null, slope, intercept, true));
    }

    private XyChart add(Series s) {
        series.add(s);
        return this;
    }

    public XyChart xRange(double lo, double hi) {
        checkRange(lo, hi);
        xLo = lo;
        xHi = hi;
        return this;
    }

    public XyChart yRange(double lo, double hi) {
        checkRange(lo, hi);
        yLo = lo;
        yHi = hi;
        return this;
    }

    private static void checkRange(double lo, double hi) {
        if (!(hi > lo) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("bad range [" + lo + ", " + hi + "]");
        }
    }

    /**
     * Image size in pixels (default 900 x 560, min 320 x 240). The height grows when the legend needs
     * more room than a small chart can spare (the plot keeps at least 45% of the height asked for).
     */
    public XyChart size(int widthPx, int heightPx) {
        if (widthPx < 320 || heightPx < 240) {
            throw new IllegalArgumentException("chart too small: " + widthPx + "x" + heightPx + " (min 320x240)");
        }
        width = widthPx;
        height = heightPx;
        return this;
    }

    /** Least squares {slope, intercept} of {x, y} points (NaNs skipped); at least two distinct x. */
    public static double[] fitLine(double[][] points) {
        double n = 0;
        double sx = 0;
        double sy = 0;
        for (double[] p : points) {
            if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                n++;
                sx += p[0];
                sy += p[1];
            }
        }
        double mx = sx / n;
        double my = sy / n;
        double sxx = 0;
        double sxy = 0;
        for (double[] p : points) {
            if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                sxx += (p[0] - mx) * (p[0] - mx);
                sxy += (p[0] - mx) * (p[1] - my);
            }
        }
        if (!(sxx > 0)) {
            throw new IllegalArgumentException("a line needs at least two distinct x values");
        }
        double slope = sxy / sxx;
        return new double[] {slope, my - slope * mx};
    }

    public void writeSvg(Writer out) throws IOException {
        Layout l = layout();
        Render.svg(l.width, l.height, c -> render(c, l), out);
    }

    public String svg() {
        Layout l = layout();
        return Render.svg(l.width, l.height, c -> render(c, l));
    }

    public void writePng(Path file) throws IOException {
        Layout l = layout();
        Render.png(l.width, l.height, c -> render(c, l), file);
    }

    /** Writes {@code dir/name.svg} and {@code dir/name.png}. */
    public void write(Path dir, String name) throws IOException {
        Layout l = layout();
        Render.both(l.width, l.height, c -> render(c, l), dir, name);
    }

    // ---------------------------------------------------------------- drawing

    private Layout layout() {
        double dxLo = Double.POSITIVE_INFINITY;
        double dxHi = Double.NEGATIVE_INFINITY;
        double dyLo = 0;
        double dyHi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                if (Double.isFinite(s.xs[i]) && Double.isFinite(s.ys[i])) {
                    dxLo = Math.min(dxLo, s.xs[i]);
                    dxHi = Math.max(dxHi, s.xs[i]);
                    dyLo = Math.min(dyLo, s.ys[i]);
                    dyHi = Math.max(dyHi, s.ys[i]);
                }
            }
            if (s.style == Style.STEP && s.xs.length >= 2) { // the last step's extent
                int n = s.xs.length;
                dxHi = Math.max(dxHi, s.xs[n - 1] + (s.xs[n - 1] - s.xs[n - 2]));
            }
        }
        if (dxLo > dxHi) {
            dxLo = 0;
            dxHi = 1;
        }
        // With markers, the default ranges are the data's plus 4%, so no marker sits on the frame; lines
        // alone run edge to edge between nice bounds.
        boolean pad = series.stream().anyMatch(XyChart::hasMarkers) && dxHi > dxLo;
        if (pad) {
            double xpad = (dxHi - dxLo) * 0.04;
            dxLo -= xpad;
            dxHi += xpad;
            if (dyHi > dyLo) {
                double ypad = (dyHi - dyLo) * 0.04;
                dyLo = dyLo < 0 ? dyLo - ypad : 0;
                dyHi += ypad;
            }
        }
        if (!(dyHi > dyLo)) {
            dyHi = dyLo + 1;
        }
        boolean xGiven = !Double.isNaN(xLo);
        boolean yGiven = !Double.isNaN(yLo);
        if (!yGiven) {
            // straight lines count for y where they cross the x range
            Axis probe = Axis.fit(xGiven ? xLo : dxLo, xGiven ? xHi : dxHi, !xGiven && !pad, width - 120, 70, true);
            for (Series s : series) {
                if (s.isLine && dxHi > dxLo) {
                    for (double v : new double[] {probe.lo, probe.hi}) {
                        double yv = s.slope * v + s.intercept;
                        if (Double.isFinite(yv)) {
                            dyLo = Math.min(dyLo, yv);
                            dyHi = Math.max(dyHi, yv);
                        }
                    }
                }
            }
        }
        List<LegendEntry> legend = new ArrayList<>();
        for (Series s : series) {
            if (s.name != null && !s.name.isEmpty()) {
                legend.add(new LegendEntry(s.name, colour(s), stroke(s.style), hasMarkers(s) ? s.marker : null,
                        s.style == Style.HOLLOW_POINTS, false));
            }
        }
        return new Layout(width, height, title, notes, legend, xTitle, yTitle,
                xGiven ? xLo : dxLo, xGiven ? xHi : dxHi, !xGiven && !pad, yGiven ? yLo : dyLo, yGiven ? yHi : dyHi,
                !yGiven && !pad);
    }

    private void render(Canvas c, Layout l) {
        l.drawUnder(c);
        List<Series> order = new ArrayList<>(series); // series with markers last: no line covers a marker
        order.sort((a, b) -> Boolean.compare(hasMarkers(a), hasMarkers(b)));
        for (Series s : order) {
            c.group("series", s.name == null ? "" : s.name);
            Stroke st = stroke(s.style);
            if (st != null) {
                l.clipToPlot(c);
                c.shape("line", linePath(l, s), Canvas.NONE, colour(s), st);
                c.endClip();
            }
            if (hasMarkers(s)) {
                for (int i = 0; i < s.xs.length; i++) {
                    if (Double.isFinite(s.xs[i]) && Double.isFinite(s.ys[i]) && l.inside(s.xs[i], s.ys[i])) {
                        s.marker.draw(c, "marker", l.px(s.xs[i]), l.py(s.ys[i]), MARKER_R, colour(s),
                                s.style == Style.HOLLOW_POINTS);
                    }
                }
            }
            c.endGroup();
        }
        l.drawOver(c);
    }

    private static PathData linePath(Layout l, Series s) {
        PathData p = new PathData();
        if (s.isLine) {
            return p.moveTo(l.px(l.x.lo), l.py(s.slope * l.x.lo + s.intercept))
                    .lineTo(l.px(l.x.hi), l.py(s.slope * l.x.hi + s.intercept));
        }
        boolean pen = false;
        int n = s.xs.length;
        for (int i = 0; i < n; i++) {
            double x = s.xs[i];
            double y = s.ys[i];
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                pen = false;
                continue;
            }
            if (pen) {
                if (s.style == Style.STEP) {
                    p.lineTo(l.px(x), p.y(p.size() - 1));
                }
                p.lineTo(l.px(x), l.py(y));
            } else {
                p.moveTo(l.px(x), l.py(y));
                pen = true;
            }
            if (s.style == Style.STEP) {
                double next = i + 1 < n ? s.xs[i + 1] : Double.NaN;
                if (!Double.isFinite(next) || !Double.isFinite(s.ys[i + 1 < n ? i + 1 : i])) {
                    // the last value of a run holds for the interval before it
                    double w = i > 0 && Double.isFinite(s.xs[i - 1]) ? x - s.xs[i - 1] : 0;
                    p.lineTo(l.px(x + w), l.py(y));
                }
            }
        }
        return p;
    }

    private static int colour(Series s) {
        return PALETTE[s.colour % PALETTE.length];
    }

    private static boolean hasMarkers(Series s) {
        return !s.isLine && (s.style == Style.POINTS || s.style == Style.HOLLOW_POINTS
                || s.style == Style.LINE_AND_POINTS);
    }

    private static Stroke stroke(Style style) {
        return switch (style) {
            case LINE, STEP -> Stroke.LINE;
            case DASHED_LINE -> Stroke.DASHED;
            case LINE_AND_POINTS -> Stroke.THIN;
            case POINTS, HOLLOW_POINTS -> null;
        };
    }
}
