package nemesis.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The frame of a chart: title, note lines and legend above the plot, the plot rectangle with its
 * grid, the axes with ticks, tick labels and titles. Text widths are estimated, so the SVG and the
 * PNG share one geometry.
 */
final class Layout {
    static final int INK = 0x222222;
    static final int MUTED = 0x555555;
    private static final int GRID = 0xE4E4E4;
    private static final int FRAME = 0x666666;
    private static final int BG = 0xFFFFFF;
    private static final int MARGIN = 14;
    private static final int TITLE_BASE = 26;
    private static final int NOTE_LINE = 17;
    private static final int LEGEND_LINE = 20;
    private static final int TICK_LEN = 5;
    private static final double Y_GAP = 42;   // min px between y ticks
    private static final double X_GAP = 70;   // min px between x ticks

    final int width;
    final int height;
    private final String title;
    private final List<String> notes;
    private final List<LegendEntry> legend;
    private final String xTitle;
    private final String yTitle;
    final Axis x;
    final Axis y;
    final double left;
    final double right;
    final double top;
    final double bottom;
    private final List<double[]> legendAt = new ArrayList<>(); // x, baseline per entry

    /** (x|y)Lo/Hi: the range to show; nice: widen it to whole ticks. */
    Layout(int width, int minHeight, String title, List<String> notes, List<LegendEntry> legend, String xTitle,
           String yTitle, double xLo, double xHi, boolean xNice, double yLo, double yHi, boolean yNice) {
        if (width < 320 || minHeight < 240) {
            throw new IllegalArgumentException("chart too small: " + width + "x" + minHeight + " (min 320x240)");
        }
        this.width = width;
        this.title = title == null ? "" : title;
        this.notes = List.copyOf(notes);
        this.legend = List.copyOf(legend);
        this.xTitle = xTitle == null ? "" : xTitle;
        this.yTitle = yTitle == null ? "" : yTitle;
        double l = 70;
        for (int pass = 0; pass < 3; pass++) { // the legend wraps at the plot's left, which depends on it
            double nl = leftFor(Axis.fit(yLo, yHi, yNice, plotHeight(minHeight, placeLegend(l) + 16), Y_GAP, false));
            if (Math.abs(nl - l) < 0.5) {
                break;
            }
            l = nl;
        }
        double t = placeLegend(l) + 16;
        // a legend too tall for the size asked makes the chart taller, never the plot unreadably short
        height = Math.max(minHeight, (int) Math.ceil(t + Math.max(100, 0.45 * minHeight) + 52));
        Axis ya = Axis.fit(yLo, yHi, yNice, height - 52 - t, Y_GAP, false);
        l = Math.max(l, leftFor(ya));
        left = Math.round(l) + 0.5;
        top = Math.round(t) + 0.5;
        bottom = height - 52 + 0.5;
        y = ya;
        double r = width - MARGIN - 12;
        Axis xa = Axis.fit(xLo, xHi, xNice, r - left, X_GAP, true);
        if (xa.tickCount() > 0) { // room for half the last tick label
            double lastHalf = TextStyle.TICK.width(xa.label(xa.tickCount() - 1)) / 2;
            double rr = Math.min(r, width - 4 - lastHalf);
            if (rr < r) {
                r = rr;
                xa = Axis.fit(xLo, xHi, xNice, r - left, X_GAP, true);
            }
        }
        right = Math.round(r) + 0.5;
        x = xa;
    }

    private static double plotHeight(int minHeight, double top) {
        return Math.max(minHeight - 52 - top, Math.max(100, 0.45 * minHeight));
    }

    private double leftFor(Axis ya) {
        return MARGIN + (yTitle.isEmpty() ? 0 : 24) + ya.widestLabel() + 10;
    }

    /** Positions the legend entries in rows starting at {@code l}; returns the last baseline used. */
    private double placeLegend(double l) {
        legendAt.clear();
        double base = TITLE_BASE + (notes.isEmpty() ? 4 : 0) + notes.size() * NOTE_LINE;
        if (legend.isEmpty()) {
            return base;
        }
        base += LEGEND_LINE + 2;
        double cx = l;
        double max = width - MARGIN;
        for (LegendEntry e : legend) {
            if (cx + e.width() - LegendEntry.GAP > max && cx > l) {
                cx = l;
                base += LEGEND_LINE;
            }
            legendAt.add(new double[] {cx, base});
            cx += e.width();
        }
        return base;
    }

    double px(double v) {
        return x.px(v, left, right);
    }

    double py(double v) {
        return y.px(v, bottom, top);
    }

    /** Background, title, notes, legend and grid: everything under the data. */
    void drawUnder(Canvas c) {
        c.rect("background", 0, 0, width, height, BG);
        double tx = left - 0.5;
        c.text("title", tx, TITLE_BASE, fit(title, TextStyle.TITLE, width - tx - MARGIN), TextStyle.TITLE, INK, -1,
                false);
        for (int i = 0; i < notes.size(); i++) {
            c.text("note", tx, TITLE_BASE + (i + 1) * NOTE_LINE, fit(notes.get(i), TextStyle.NOTE, width - tx - MARGIN),
                    TextStyle.NOTE, MUTED, -1, false);
        }
        for (int i = 0; i < legend.size(); i++) {
            legend.get(i).draw(c, legendAt.get(i)[0], legendAt.get(i)[1]);
        }
        PathData grid = new PathData();
        for (int i = 0; i < x.tickCount(); i++) {
            double gx = snap(px(x.tick(i)));
            grid.moveTo(gx, top).lineTo(gx, bottom);
        }
        for (int i = 0; i < y.tickCount(); i++) {
            double gy = snap(py(y.tick(i)));
            grid.moveTo(left, gy).lineTo(right, gy);
        }
        c.shape("grid", grid, Canvas.NONE, GRID, Stroke.HAIR);
    }

    /** Clips to the plot area (with a little room for line width at the edges). */
    void clipToPlot(Canvas c) {
        c.clip(left - 2, top - 2, right - left + 4, bottom - top + 4);
    }

    /** The frame, ticks, tick labels and axis titles: on top of the data. */
    void drawOver(Canvas c) {
        c.shape("frame", new PathData().moveTo(left, top).lineTo(right, top).lineTo(right, bottom).lineTo(left, bottom)
                .close(), Canvas.NONE, FRAME, Stroke.HAIR);
        PathData ticks = new PathData();
        for (int i = 0; i < x.tickCount(); i++) {
            double tx = snap(px(x.tick(i)));
            ticks.moveTo(tx, bottom).lineTo(tx, bottom + TICK_LEN);
        }
        for (int i = 0; i < y.tickCount(); i++) {
            double ty = snap(py(y.tick(i)));
            ticks.moveTo(left - TICK_LEN, ty).lineTo(left, ty);
        }
        c.shape("tick", ticks, Canvas.NONE, FRAME, Stroke.HAIR);
        for (int i = 0; i < x.tickCount(); i++) {
            c.text("tick", px(x.tick(i)), bottom + TICK_LEN + 13, x.label(i), TextStyle.TICK, INK, 0, false);
        }
        for (int i = 0; i < y.tickCount(); i++) {
            c.text("tick", left - TICK_LEN - 3, py(y.tick(i)) + 4, y.label(i), TextStyle.TICK, INK, 1, false);
        }
        if (!xTitle.isEmpty()) {
            c.text("axis-title", (left + right) / 2, height - 12, fit(xTitle, TextStyle.AXIS_TITLE, right - left),
                    TextStyle.AXIS_TITLE, INK, 0, false);
        }
        if (!yTitle.isEmpty()) {
            c.text("axis-title", MARGIN + 12, (top + bottom) / 2, fit(yTitle, TextStyle.AXIS_TITLE, bottom - top + 40),
                    TextStyle.AXIS_TITLE, INK, 0, true);
        }
    }

    /** Whether a data point lies in the plot, half a pixel of slack. */
    boolean inside(double vx, double vy) {
        double ax = px(vx);
        double ay = py(vy);
        return ax >= left - 0.5 && ax <= right + 0.5 && ay >= top - 0.5 && ay <= bottom + 0.5;
    }

    private static double snap(double v) {
        return Math.floor(v) + 0.5;
    }

    /** {@code s}, cut with an ellipsis to about {@code px} wide. */
    static String fit(String s, TextStyle st, double px) {
        if (st.width(s) <= px) {
            return s;
        }
        int n = s.length();
        while (n > 1 && st.width(s.substring(0, n) + "\u2026") > px) {
            n--;
        }
        return s.substring(0, n).stripTrailing() + "\u2026";
    }
}
