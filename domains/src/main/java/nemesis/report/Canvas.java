package nemesis.report;

/** What a chart draws on: an SVG document or a PNG image. Colours are 0xRRGGBB; NONE = not painted. */
interface Canvas {
    int NONE = -1;

    void rect(String cls, double x, double y, double w, double h, int fillRgb);

    /** A path filled with {@code fillRgb} and stroked with {@code strokeRgb}, either may be NONE. */
    void shape(String cls, PathData p, int fillRgb, int strokeRgb, Stroke stroke);

    void circle(String cls, double cx, double cy, double r, int fillRgb, int strokeRgb, Stroke stroke);

    /** anchor: -1 start, 0 middle, 1 end; vertical = rotated to read bottom to top, (x, y) its baseline point. */
    void text(String cls, double x, double y, String s, TextStyle st, int rgb, int anchor, boolean vertical);

    /** Opens a group (an SVG {@code <g>} with a class and a data-label; nothing in a PNG). */
    void group(String cls, String label);

    void endGroup();

    /** Clips what follows to a rectangle until {@link #endClip()}; clips do not nest. */
    void clip(double x, double y, double w, double h);

    void endClip();
}
