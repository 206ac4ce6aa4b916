package nemesis.report;

/** One legend item: a swatch (a line in a stroke, a marker, or an arrow) and its label. */
record LegendEntry(String label, int rgb, Stroke stroke, Marker marker, boolean hollow, boolean arrow) {
    static final double SWATCH = 30;
    static final double GAP = 20;

    double width() {
        return SWATCH + TextStyle.LEGEND.width(label) + GAP;
    }

    void draw(Canvas c, double x, double baseline) {
        double mid = baseline - 4;
        if (arrow) {
            c.shape("swatch", TimeSequencePlot.arrow(x + 12, baseline + 3, baseline - 12), rgb, rgb, Stroke.THIN);
        } else {
            if (stroke != null) {
                c.shape("swatch", new PathData().moveTo(x, mid).lineTo(x + 24, mid), Canvas.NONE, rgb, stroke);
            }
            if (marker != null) {
                marker.draw(c, "swatch", x + 12, mid, 4.5, rgb, hollow);
            }
        }
        c.text("legend", x + SWATCH, baseline, label, TextStyle.LEGEND, Layout.INK, -1, false);
    }
}
